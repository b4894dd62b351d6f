"""`make backup` and `make restore` bring back every row of a seeded database (PostgreSQL only)."""

import os
import subprocess  # nosec B404
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def database_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def snapshot(conn) -> dict:
    """Row counts of every table, and a checksum of every questionnaire's answers."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # nosec B608: names from the catalogue
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT md5(string_agg(id::text || ':' || answers::text, ',' ORDER BY id)) FROM patients_submission"
        )
        answers = cursor.fetchone()[0]
    return {"counts": counts, "answers": answers}


def make(*args, url: str) -> None:
    subprocess.run(  # nosec B603 B607
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_every_row(settings, tmp_path):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    source = connection.settings_dict["NAME"]
    fresh = f"{source}_restore_{os.getpid()}"
    dump = tmp_path / "clinic.dump"
    admin_url = database_url("postgres")

    make("backup", f"FILE={dump}", url=database_url(source))
    assert dump.stat().st_size > 0
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        make("restore", f"FILE={dump}", url=database_url(fresh))
        with (
            psycopg.connect(database_url(source)) as original,
            psycopg.connect(database_url(fresh)) as restored,
        ):
            before, after = snapshot(original), snapshot(restored)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')

    assert before["counts"]["patients_submission"] > 30
    assert before["counts"]["django_tasks_database_dbtaskresult"] == 0  # demo data queues no email
    assert before["counts"]["triage_caseevent"] > 0
    assert after == before
