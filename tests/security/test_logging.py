"""Logs: a request id on every line and response, and no health data in logs or email subjects."""

import io
import logging
import re
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core import mail
from django.db import DatabaseError
from django.test import Client, RequestFactory

from clinic.logging import NoPostDataExceptionReporterFilter
from tests import factories
from tests.patients.test_questionnaire import BLEEDING, QUIET, form_key
from tests.test_support import run_tasks
from triage import rules

MARKER = "Zebra-note-7731 private words"


@contextmanager
def console_output():
    """What the configured console handler writes (settings.LOGGING), while the block runs."""
    handler = next(h for h in logging.getLogger("django").handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


@pytest.mark.django_db
def test_every_response_carries_its_own_request_id(client, patient):
    first = client.get("/accounts/login/")
    second = client.get("/accounts/login/")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    forged = client.get("/accounts/login/", HTTP_X_REQUEST_ID="forged\nline")
    assert forged["X-Request-ID"] != "forged\nline"


@pytest.mark.django_db
def test_the_request_id_comes_from_the_trusted_proxy_only(client, settings):
    nginx_id = "0f5b6c1e2d3a49b8a7c6d5e4f3a2b1c0"
    settings.BEHIND_PROXY = True
    from_proxy = client.get("/accounts/login/", HTTP_X_REQUEST_ID=nginx_id, REMOTE_ADDR="127.0.0.1")
    assert from_proxy["X-Request-ID"] == nginx_id
    # A client reaching the server past the proxy, or a header of another shape, gets a new id.
    direct = client.get("/accounts/login/", HTTP_X_REQUEST_ID=nginx_id, REMOTE_ADDR="203.0.113.9")
    assert direct["X-Request-ID"] != nginx_id
    odd = client.get("/accounts/login/", HTTP_X_REQUEST_ID="id with spaces", REMOTE_ADDR="127.0.0.1")
    assert odd["X-Request-ID"] != "id with spaces"
    settings.BEHIND_PROXY = False
    no_proxy = client.get("/accounts/login/", HTTP_X_REQUEST_ID=nginx_id, REMOTE_ADDR="127.0.0.1")
    assert no_proxy["X-Request-ID"] != nginx_id


@pytest.mark.django_db
def test_the_task_workers_lines_carry_the_task_id(patient, doctor, settings):
    from django_tasks_db.models import DBTaskResult

    from patients.services import submission_record
    from tests.patients.test_questionnaire import days_ago
    from tests.test_support import run_tasks

    settings.EMAIL_BACKEND = "tests.test_support.BrokenEmailBackend"
    submission_record(patient=patient, answers={"soaks_pad_hourly": True}, submitted_at=days_ago(0))
    task_id = str(DBTaskResult.objects.get().id)
    with console_output() as output:
        run_tasks()
    line = next(line for line in output.getvalue().splitlines() if "outbox.services" in line)
    assert f"[task-{task_id}]" in line
    assert "attempt 1 failed" in line


@pytest.mark.django_db
def test_an_error_is_logged_with_the_request_id_and_without_the_answers(patient):
    client = Client(raise_request_exception=False)
    client.force_login(patient.user)
    key = form_key(client)
    answers = {**QUIET, **BLEEDING, "notes": MARKER}
    with (
        mock.patch(
            "patients.questionnaire_views.submission_submit",
            side_effect=DatabaseError("server closed the connection unexpectedly"),
        ),
        console_output() as output,
    ):
        response = client.post("/questionnaire/new/", {"key": key, "action": "submit", **answers})
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    lines = output.getvalue()
    error_line = next(line for line in lines.splitlines() if "ERROR" in line)
    assert f"[{request_id}]" in error_line
    assert "Internal Server Error: /questionnaire/new/" in error_line
    assert "DatabaseError" in lines  # the traceback is there, for the developer
    assert MARKER not in lines
    assert "Zebra" not in lines


@pytest.mark.django_db
def test_responses_logged_after_the_middleware_keep_the_request_id(client, patient):
    client.force_login(patient.user)
    with console_output() as output:
        response = client.delete("/questionnaire/new/")  # 405, logged once the response is on its way
    assert response.status_code == 405
    line = next(line for line in output.getvalue().splitlines() if "Method Not Allowed" in line)
    assert f"[{response['X-Request-ID']}]" in line


@pytest.mark.django_db
def test_failed_logins_log_neither_the_email_nor_the_password(client, patient):
    with console_output() as output:
        for _ in range(6):
            client.post("/accounts/login/", {"username": patient.user.email, "password": "Secret-guess-99"})
    logged = output.getvalue()
    assert "Locking out" in logged  # the lockout itself is logged
    assert patient.user.email not in logged
    assert "Secret-guess-99" not in logged


@pytest.mark.django_db(transaction=True)
def test_the_urgent_case_email_subject_carries_no_health_data(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    factories.make_doctor()
    patient = factories.make_patient()
    client = Client()
    client.force_login(patient.user)
    key = form_key(client)
    urgent = {**QUIET, **BLEEDING, "soaks_pad_hourly": "yes", "dizziness_fainting": "yes", "notes": MARKER}
    client.post("/questionnaire/new/", {"key": key, "action": "submit", **urgent})
    run_tasks()
    # The doctors' alert, and the patient's own confirmation: neither carries her health data.
    assert sorted(message.to for message in mail.outbox) == sorted(
        [["doctor@example.com"], [patient.user.email]]
    )
    for message in mail.outbox:
        personal = [MARKER, "Zebra", patient.user.first_name, patient.user.last_name, *rules.FLAG_CODES]
        for word in personal:
            assert word.lower() not in message.subject.lower(), word
            assert word.lower() not in message.body.lower(), word
        for word in ("bleed", "sanguin", "emorrag", "pad", "assorb"):
            assert word not in message.subject.lower(), word
    # Her confirmation names no level; the doctors' alert names it in a word and nothing else (S7).
    confirmation, alert = sorted(mail.outbox, key=lambda message: message.to != [patient.user.email])
    for word in ("emergen", "urgen", "priorit"):
        assert word not in confirmation.subject.lower(), word
    assert alert.subject == "Emergenza: nuovo caso in attesa"


def test_error_reports_never_include_posted_values():
    request = RequestFactory().post("/questionnaire/new/", {"notes": MARKER, "fever": "yes"})
    cleansed = NoPostDataExceptionReporterFilter().get_post_parameters(request)
    assert set(cleansed) == {"notes", "fever"}
    assert MARKER not in str(cleansed.values())
