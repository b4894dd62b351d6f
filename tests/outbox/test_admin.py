import pytest
from django.test import Client

from outbox.models import OutboundEmail
from patients.models import User
from patients.services import submission_record
from tests.patients.test_questionnaire import days_ago
from tests.test_support import run_tasks

CHANGELIST = "/admin/outbox/outboundemail/"
TASKS = "/admin/django_tasks_database/dbtaskresult/"


@pytest.fixture
def failed(patient, doctor, settings):
    settings.EMAIL_BACKEND = "tests.test_support.BrokenEmailBackend"
    settings.EMAIL_RETRY_DELAYS = ()
    submission_record(patient=patient, answers={"soaks_pad_hourly": True}, submitted_at=days_ago(0))
    run_tasks()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return OutboundEmail.objects.get()


@pytest.fixture
def admin_client(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.create_superuser(email="admin@example.com", password="x-Admin-pass-2026"))
    return client


@pytest.mark.django_db
def test_a_failed_email_and_its_task_show_in_the_admin_for_superusers_only(
    failed, admin_client, doctor_client
):
    page = admin_client.get(f"{CHANGELIST}?status=failed").content.decode()
    assert "urgent_case_email" in page
    assert "ConnectionRefusedError" in page
    assert "FAILED" in admin_client.get(f"{TASKS}?status=FAILED").content.decode()
    assert doctor_client.get(CHANGELIST).status_code == 403


@pytest.mark.django_db
def test_a_superuser_sends_a_failed_email_again_from_the_admin(failed, admin_client):
    from django.core import mail

    response = admin_client.post(
        CHANGELIST, {"action": "send_again", "_selected_action": [failed.pk], "index": 0}, follow=True
    )
    assert "1 email queued again." in response.content.decode()
    run_tasks()
    failed.refresh_from_db()
    assert failed.status == "sent"
    assert len(mail.outbox) == 1
