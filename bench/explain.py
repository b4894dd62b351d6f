"""EXPLAIN ANALYZE of the worklist's and the case page's queries on a benchmark database.

Run from the repository root after `bench/run.py` (which leaves its data in
place): `.venv/bin/python bench/explain.py [--db clinic_bench]`; after a scale
run, `--db <db>_<size>` (for example `clinic_bench_1000000`) gives the plans at
that size. Prints the number of cases, then the plan of each query the worklist
pages send, captured from the selectors the view calls, and of each query the
case page sends about the case and its patient, captured from a real request
of the page by the benchmark's doctor (the session, user and permission
queries are those of every page and are left out).
"""

import argparse
import os
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The tables whose size grows with the number of questionnaires.
CASE_TABLES = re.compile(r'"(triage_[a-z]+|patients_submission|patients_patient)"')


def explain(connection, title: str, sql: str, params=None) -> None:
    print(f"## {title}\n")
    print(sql if params is None else f"{sql}\n-- params: {params!r}")
    print()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        print("\n".join(row[0] for row in cursor.fetchall()))
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="clinic_bench")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ["DATABASE_URL"] = f"{options.pg}/{options.db}"
    # The test client asks for the case page over plain HTTP on loopback, as bench/run.py does.
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import datagen
    from bench.run import login_session, model_backend, test_client
    from patients.models import User
    from triage.models import Case
    from triage.worklist.selectors import (
        WorklistFilters,
        case_level_counts,
        case_overdue_count,
        case_worklist_page,
    )

    default = WorklistFilters()
    flagged = WorklistFilters(flag="RECURRENT")
    first_page = case_worklist_page(default)
    pages = {
        "Worklist, first page": (default, {}),
        "Worklist, next page (keyset, row-value comparison)": (default, {"after": first_page.last_pk}),
        "Worklist, last page": (default, {"last": True}),
        "Worklist, flag RECURRENT, first page": (flagged, {}),
        "Worklist, only overdue, first page": (WorklistFilters(overdue=True), {}),
    }
    print(f"{Case.objects.count():,} cases\n")
    for title, (filters, cursor) in pages.items():
        # The SQL the worklist view sends for this page, as the selectors build it.
        with CaptureQueriesContext(connection) as captured:
            case_worklist_page(filters, **cursor)
            case_level_counts(filters)
            case_overdue_count(filters)
        queries = captured.captured_queries
        for number, query in enumerate(queries, start=1):
            explain(connection, f"{title}: query {number} of {len(queries)}", query["sql"])

    # The case page of the most urgent case, as the doctor opens it from the worklist.
    doctor = test_client(login_session(User.objects.get(email=datagen.DOCTOR_EMAIL), model_backend()))
    url = f"/dashboard/cases/{first_page.first_pk}/"
    doctor.get(url)  # per-process caches filled, as in the benchmark's probe
    with CaptureQueriesContext(connection) as captured:
        response = doctor.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}.")
    queries = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and CASE_TABLES.search(query["sql"])
    ]
    for number, sql in enumerate(queries, start=1):
        explain(connection, f"Case page: query {number} of {len(queries)} on the case tables", sql)
    return 0


if __name__ == "__main__":
    sys.exit(main())
