"""Time and profile one page in-process, on the benchmark database and settings.

Run from the repository root after `bench/run.py` has left its data:
`.venv/bin/python bench/profile_view.py /dashboard/ [--repeat 50] [--profile]`.
It logs the benchmark's doctor in (or a patient with `--patient`), requests
the URL `--repeat` times through Django's test client, and prints the mean
wall and CPU time, the SQL time and the queries of one request; with
`--profile`, the top of a cProfile of all the requests, sorted by own time.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--db", default="clinic_bench")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the requests")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key (default tottime)")
    parser.add_argument("--patient", action="store_true", help="log in as a patient instead of the doctor")
    options = parser.parse_args()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"{options.pg}/{options.db}",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "profile-only-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import datagen
    from bench.run import login_session, model_backend, test_client
    from patients.models import Patient, User

    call_command("collectstatic", interactive=False, verbosity=0)
    user = (
        Patient.objects.select_related("user").order_by("-pk").first().user
        if options.patient
        else User.objects.get(email=datagen.DOCTOR_EMAIL)
    )
    client = test_client(login_session(user, model_backend()))
    for url in options.urls:
        response = client.get(url)
        if response.status_code != 200:
            print(f"{url}: {response.status_code} {response.headers.get('Location', '')}")
            continue
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = list(captured.captured_queries)
        sql_ms = sum(float(query["time"]) for query in queries) * 1000
        profiler = cProfile.Profile() if options.profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(options.repeat):
            client.get(url)
        if profiler:
            profiler.disable()
        wall = (time.perf_counter() - wall) / options.repeat * 1000
        cpu = (time.process_time() - cpu) / options.repeat * 1000
        print(
            f"{url}: {wall:.1f} ms wall, {cpu:.1f} ms CPU in this process per request; "
            f"{len(queries)} queries, {sql_ms:.1f} ms in SQL; {len(response.content):,} bytes"
        )
        for query in queries:
            print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:140]}")
        if profiler:
            pstats.Stats(profiler).sort_stats(options.sort).print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
