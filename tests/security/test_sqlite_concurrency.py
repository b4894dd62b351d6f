"""SQLite, the demo default: simultaneous writers wait their turn, and the loser gets the conflict page.

The test database is in memory, where SQLite's locking differs; so this runs the
portal's settings against a database file, in a separate process, with real threads.
"""

import json
import os
import subprocess
import sys
import textwrap

from django.conf import settings

SCRIPT = textwrap.dedent(
    """
    import json, threading
    from concurrent.futures import ThreadPoolExecutor

    import django
    django.setup()
    from django.conf import settings
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    call_command("migrate", verbosity=0)
    from patients.services import submission_draft
    from tests import factories
    from tests.security.conftest import login_verified

    doctors = [factories.make_doctor(email=f"doctor{n}@example.com") for n in range(2)]
    patient = factories.make_patient()
    case = factories.make_case(patient, level=2)
    draft = submission_draft(patient)
    answers = {**factories.QUIET_FORM, "key": str(draft.key), "action": "submit"}

    def together(calls):
        barrier = threading.Barrier(len(calls))
        def run(call):
            try:
                barrier.wait(timeout=10)
                return call()
            finally:
                connections.close_all()
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(run, calls))

    def change(doctor, status):
        client = login_verified(Client(raise_request_exception=False), doctor)
        data = {"to_status": status, "version": str(case.version), "reason": "Visto", "follow_up_on": ""}
        response = client.post(f"/dashboard/cases/{case.pk}/status/", data)
        return response.status_code, "changed" in response.content.decode().lower()

    def submit():
        client = Client(raise_request_exception=False)
        client.force_login(patient.user)
        return client.post("/questionnaire/new/", answers).status_code

    statuses = together([lambda d=doctor, s=s: change(d, s) for doctor, s in zip(doctors, ["in_review", "closed"])])
    submits = together([submit] * 8)
    from patients.models import Submission
    print(json.dumps({
        "status_changes": [code for code, _ in statuses],
        "conflict_pages": [said for code, said in statuses if code == 409],
        "submits": submits,
        "submitted": Submission.objects.filter(patient__user=patient.user, status="submitted")
        .exclude(pk=case.submission_id).count(),
        "journal": connections["default"].cursor().execute("PRAGMA journal_mode").fetchone()[0],
    }))
    """
)


def test_simultaneous_writers_on_a_sqlite_file_wait_and_the_loser_sees_the_conflict(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DJANGO_SECRET_KEY": "",
        "DJANGO_DEBUG": "1",
    }
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert sorted(result["status_changes"]) == [302, 409]
    assert 500 not in result["submits"]
    assert set(result["submits"]) <= {200, 302}
    assert result["submitted"] == 1
    assert result["journal"] == "wal"
