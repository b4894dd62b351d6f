import json
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone

from clinic.scheduler import run_due
from outbox.models import OutboundEmail
from patients.services import submission_record
from tests.patients.test_questionnaire import days_ago
from tests.test_support import run_tasks

HEALTH = "/health/"
LIVE = "/health/live/"


def health(client):
    response = client.get(HEALTH)
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_health_is_ok_with_the_database_up_and_the_queue_empty(client):
    run_due()
    status, body = health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["problems"] == []
    assert body["warnings"] == []
    assert body["cache"] == "local"
    assert body["tasks"]["oldest_pending_seconds"] is None


@pytest.mark.django_db
def test_health_reports_a_queue_nobody_works(client, patient, doctor, settings):
    submission_record(patient=patient, answers={"soaks_pad_hourly": True}, submitted_at=days_ago(0))
    assert health(client)[0] == 200  # just queued

    wait = settings.HEALTH_TASK_MAX_WAIT_SECONDS + 5
    with time_machine.travel(timezone.now() + timedelta(seconds=wait), tick=False):
        status, body = health(client)
        assert status == 503
        assert body["problems"] == ["task_queue_stalled"]
        assert body["tasks"]["oldest_pending_seconds"] >= wait - 1
        run_tasks()
        assert health(client)[0] == 200


@pytest.mark.django_db
def test_health_reports_failed_emails_until_staff_settle_them(client, patient, doctor, settings):
    from outbox.services import email_dismiss

    settings.EMAIL_BACKEND = "tests.test_support.BrokenEmailBackend"
    settings.EMAIL_RETRY_DELAYS = ()
    submission_record(patient=patient, answers={"soaks_pad_hourly": True}, submitted_at=days_ago(0))
    run_tasks()

    status, body = health(client)
    assert status == 503
    assert body["problems"] == ["tasks_failed", "emails_failed"]
    assert body["emails"]["failed"] == 1
    text = json.dumps(body)
    for word in (patient.user.last_name, patient.user.email, doctor.email, "case"):
        assert word not in text

    email_dismiss(OutboundEmail.objects.get())
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1), tick=False):
        run_due()  # the periodic jobs are on time
        status, later = health(client)
        # A day on, the unread emergency may have been escalated (when depends on the weekday's
        # working hours), queueing more alerts: the queue's counts are not compared, its failures are.
        assert (status, later["status"], later["problems"], later["warnings"]) == (200, "ok", [], [])
        assert later.keys() == body.keys()
        assert later["emails"]["failed"] == 0
        assert later["tasks"]["failed_recently"] == 0


@pytest.mark.django_db
def test_health_reports_an_email_a_stopped_worker_may_have_sent(client, patient, doctor, settings):
    settings.EMAIL_BACKEND = "tests.test_support.SendThenDieBackend"
    submission_record(patient=patient, answers={"soaks_pad_hourly": True}, submitted_at=days_ago(0))
    run_tasks()
    assert OutboundEmail.objects.get().status == "sending"

    later = timezone.now() + timedelta(seconds=settings.EMAIL_SEND_TIMEOUT_SECONDS + 1, days=1)
    with time_machine.travel(later, tick=False):
        status, body = health(client)
    assert status == 503
    assert body["problems"] == ["emails_in_doubt"]


@pytest.mark.django_db
def test_health_answers_503_when_the_database_is_down(client):
    with mock.patch("outbox.views.connection.cursor", side_effect=OperationalError("connection refused")):
        status, body = health(client)
    assert status == 503
    assert body == {"status": "unavailable", "problems": ["database_unavailable"]}


@pytest.mark.django_db
def test_liveness_touches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(LIVE)
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


@pytest.mark.django_db
def test_health_endpoints_need_no_login_and_change_nothing(client):
    assert client.post(HEALTH).status_code == 405
    assert client.post(LIVE).status_code == 405
    assert client.get(HEALTH).status_code == 200  # anonymous, not sent to the login page
