"""Error reports (Sentry) and metrics (Prometheus) carry the product's measures and nothing personal."""

import re
import runpy
from pathlib import Path
from unittest import mock

import pytest
import sentry_sdk
from django.conf import settings
from django.test import Client
from sentry_sdk.transport import Transport

from clinic.observability import sentry_init
from tests.patients.test_questionnaire import QUIET, form_key, post
from tests.test_support import run_tasks

SECRET_NOTE = "Zebra-note-kept-in-a-local-variable"
envelopes = []


class CapturingTransport(Transport):
    """What sentry-sdk would send to the server, kept here instead."""

    def capture_envelope(self, envelope):
        envelopes.append(envelope.serialize())


@pytest.fixture
def sentry():
    envelopes.clear()
    sentry_init(
        "https://key@sentry.example.org/1", environment="test", release=None, transport=CapturingTransport
    )
    yield envelopes
    sentry_sdk.get_client().close()
    # Reporting off again, as in a process that never set a DSN: the integrations' patches stay on
    # Django for the rest of this process, and without an active client they do nothing.
    sentry_sdk.get_global_scope().set_client(None)


def failing_submit(**kwargs):
    note = SECRET_NOTE  # a local variable a report must not carry
    raise RuntimeError(f"could not store the questionnaire {len(note)}")


@pytest.mark.django_db
def test_an_error_report_leaves_out_body_cookies_email_query_and_local_variables(sentry, patient):
    client = Client(raise_request_exception=False)
    client.force_login(patient.user)
    key = form_key(client)
    session_id = client.cookies["sessionid"].value
    with mock.patch("patients.questionnaire_views.submission_submit", side_effect=failing_submit):
        response = client.post(
            "/questionnaire/new/?q=Rossi",
            {"key": key, "action": "submit", **QUIET, "notes": SECRET_NOTE},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
            HTTP_USER_AGENT="Browser of maria.rossi",
        )
    assert response.status_code == 500
    sentry_sdk.flush()
    sent = b"".join(envelopes)
    assert b"RuntimeError" in sent and b"could not store the questionnaire" in sent
    assert b"/questionnaire/new/" in sent
    for secret in (
        SECRET_NOTE,
        patient.user.email,
        patient.user.last_name,
        session_id,
        "csrftoken",
        "Rossi",
        "198.51.100.7",
        "maria.rossi",
        "127.0.0.1",
    ):
        assert secret.encode() not in sent, secret


def test_reporting_is_off_unless_a_dsn_is_set(monkeypatch):
    path = str(Path(settings.BASE_DIR) / "clinic" / "settings.py")
    with mock.patch("clinic.observability.sentry_init") as init:
        monkeypatch.delenv("SENTRY_DSN", raising=False)
        runpy.run_path(path)
        assert not init.called
        monkeypatch.setenv("SENTRY_DSN", "https://key@sentry.example.org/1")
        runpy.run_path(path)
        init.assert_called_once()


def metric(text: str, name: str, **labels) -> float:
    """The value of one sample of the exposition text (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = (
        rf"^{re.escape(name)}{{{re.escape(wanted)}}} (\S+)$" if labels else rf"^{re.escape(name)} (\S+)$"
    )
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@pytest.mark.django_db
def test_metrics_answer_only_the_allowed_addresses_or_the_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-token-for-the-scraper"
    assert client.get("/metrics/").status_code == 200  # the test client comes from 127.0.0.1
    assert client.get("/metrics/", REMOTE_ADDR="203.0.113.9").status_code == 403
    # Through the proxy (on 127.0.0.1) the client is someone else: only the token lets it in.
    assert client.get("/metrics/", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    assert (
        client.get("/metrics/", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer wrong").status_code
        == 403
    )
    allowed = client.get(
        "/metrics/", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token-for-the-scraper"
    )
    assert allowed.status_code == 200
    assert allowed["Content-Type"].startswith("text/plain")
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics/", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ").status_code == 403


@pytest.mark.django_db
def test_metrics_carry_the_products_measures_without_personal_data(
    client, patient_client, patient, doctor, django_capture_on_commit_callbacks
):
    before = client.get("/metrics/").content.decode()
    key = form_key(patient_client)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(patient_client, "submit", key, {**QUIET, "soaks_pad_hourly": "yes"}).status_code == 302
    queued = client.get("/metrics/").content.decode()
    assert metric(queued, "clinic_task_queue_oldest_seconds") >= 0
    run_tasks()
    doctor_client = Client()
    doctor_client.force_login(doctor)
    assert doctor_client.get("/dashboard/").status_code in {200, 302}
    after = client.get("/metrics/").content.decode()

    def grew(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert grew("clinic_questionnaires_submitted_total", level="emergency") == 1
    assert grew("clinic_email_delay_seconds_count", kind="urgent_case_email") >= 1
    assert grew("clinic_emails_sent_total", kind="urgent_case_email") >= 1
    assert grew("clinic_http_request_duration_seconds_count", view="triage:dashboard") == 1
    assert metric(after, "clinic_emails", state="failed") == 0
    assert metric(after, "clinic_emails", state="in_doubt") == 0
    for secret in (patient.user.email, patient.user.last_name, doctor.email):
        assert secret not in after


def test_metrics_may_be_scraped_over_plain_http_from_the_server_itself(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "0")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    production = runpy.run_path(str(Path(settings.BASE_DIR) / "clinic" / "settings.py"))
    assert production["SECURE_SSL_REDIRECT"] is True
    assert any(re.match(pattern, "metrics/") for pattern in production["SECURE_REDIRECT_EXEMPT"])
    assert not any(re.match(pattern, "dashboard/") for pattern in production["SECURE_REDIRECT_EXEMPT"])
