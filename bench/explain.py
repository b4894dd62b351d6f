"""EXPLAIN ANALYZE of the worklist's queries on the benchmark database.

Run from the repository root after `bench/run.py` (which leaves its data in
place): `.venv/bin/python bench/explain.py [--db clinic_bench]`. Prints the
plan of each query the worklist pages send, captured from the selectors the view calls.
"""

import argparse
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="clinic_bench")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ["DATABASE_URL"] = f"{options.pg}/{options.db}"
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from triage.models import Case
    from triage.selectors import WorklistFilters, case_level_counts, case_worklist_page

    default = WorklistFilters()
    flagged = WorklistFilters(flag="RECURRENT")
    second_page_after = case_worklist_page(default).last_pk
    pages = {
        "Worklist, first page": (default, {}),
        "Worklist, next page (keyset, row-value comparison)": (default, {"after": second_page_after}),
        "Worklist, last page": (default, {"last": True}),
        "Worklist, flag RECURRENT, first page": (flagged, {}),
    }
    print(f"{Case.objects.count():,} cases\n")
    for title, (filters, cursor) in pages.items():
        # The SQL the worklist view sends for this page, as the selectors build it.
        with CaptureQueriesContext(connection) as captured:
            case_worklist_page(filters, **cursor)
            case_level_counts(filters)
        for number, query in enumerate(captured.captured_queries, start=1):
            print(f"## {title}: query {number} of {len(captured.captured_queries)}\n")
            print(query["sql"])
            print()
            with connection.cursor() as cursor_:
                cursor_.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                print("\n".join(row[0] for row in cursor_.fetchall()))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
