"""Text messages through the real outbox: queued with the event, sent by the task worker, retried,
failed for good, reported; against the fake Twilio server or the in-memory list."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clinic.models import ClinicProfile
from outbox.models import OutboundText
from outbox.notices import Notice, notify_patient
from outbox.services import emails_held
from outbox.tasks import text_deliver_task
from outbox.texts import text_dismiss, text_send_again
from patients.models import TextConsent, User
from patients.services import text_consent_withdraw
from tests import factories
from tests.test_support import run_tasks

from . import fake_twilio
from .conftest import MOBILE


@pytest.fixture(autouse=True)
def _still_clock():
    """The clock stands still unless a test moves it (retries are due at exact times)."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def later(seconds):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def notify(patient, key="case-message:1"):
    return notify_patient(patient, Notice.NEW_MESSAGE, key=key)


@pytest.mark.django_db
def test_a_patient_who_opted_in_gets_the_notice_by_email_and_by_text(texting_patient, sms_outbox):
    ClinicProfile.objects.update_or_create(
        id=1, defaults={"name": "Studio Rossi", "phone": "+39 06 1234 5678", "sms_sender": "StudioRossi"}
    )

    notified = notify(texting_patient)
    run_tasks()

    assert (notified.email, notified.text) == (True, True)
    [(to, text, sender)] = sms_outbox
    assert (to, sender) == (MOBILE, "StudioRossi")
    assert text.startswith("StudioRossi: ")
    message = OutboundText.objects.get()
    assert (message.status, message.attempts, message.phone, message.text) == ("sent", 1, MOBILE, text)
    assert message.provider_id.startswith("SM")
    assert message.sent_at == timezone.now()
    assert [m.to for m in mail.outbox] == [[texting_patient.user.email]]


@pytest.mark.django_db
def test_without_her_opt_in_the_notice_goes_by_email_only(sms_outbox):
    patient = factories.make_patient(phone=MOBILE)

    notified = notify(patient)
    run_tasks()

    assert (notified.email, notified.text) == (True, False)
    assert not OutboundText.objects.exists()
    assert sms_outbox == []
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_opt_out_after_queuing_stops_the_text(texting_patient, sms_outbox):
    notify(texting_patient)
    text_consent_withdraw(patient=texting_patient, via=TextConsent.Via.PROFILE)
    run_tasks()

    assert OutboundText.objects.get().status == "skipped"
    assert sms_outbox == []


@pytest.mark.django_db
def test_a_closed_account_gets_no_text(texting_patient, sms_outbox):
    notify(texting_patient)
    User.objects.filter(pk=texting_patient.user_id).update(is_active=False)
    run_tasks()
    assert OutboundText.objects.get().status == "skipped"
    assert sms_outbox == []


@pytest.mark.django_db
def test_the_same_key_queues_one_text_even_when_posted_twice(texting_patient, sms_outbox):
    first = notify(texting_patient, key="case-message:7")
    second = notify(texting_patient, key="case-message:7")
    run_tasks()

    assert (first.text, second.text) == (True, False)
    assert OutboundText.objects.count() == 1
    assert len(sms_outbox) == 1


@pytest.mark.django_db
def test_a_rolled_back_transaction_queues_no_text(texting_patient, sms_outbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(texting_patient)
        raise RuntimeError("the request failed")
    assert not OutboundText.objects.exists()
    run_tasks()
    assert sms_outbox == []


@pytest.mark.django_db
def test_held_messages_queue_no_text_either(texting_patient):
    with emails_held():
        notified = notify(texting_patient)
    assert (notified.email, notified.text) == (False, False)
    assert not OutboundText.objects.exists()


@pytest.mark.django_db
def test_a_text_task_run_twice_sends_once(texting_patient, sms_outbox):
    notify(texting_patient)
    text_deliver_task.enqueue(OutboundText.objects.get().pk)
    run_tasks()
    assert len(sms_outbox) == 1


@pytest.mark.django_db
def test_a_worker_stopped_after_contacting_the_provider_leaves_the_text_in_doubt(texting_patient, sms_outbox):
    notify(texting_patient)
    message = OutboundText.objects.get()
    OutboundText.objects.filter(pk=message.pk).update(status="sending", attempts=1)
    run_tasks()

    message.refresh_from_db()
    assert message.status == "in_doubt"
    assert sms_outbox == []
    health = Client().get("/health/")
    assert health.status_code == 503
    assert health.json()["problems"] == ["texts_in_doubt"]
    assert health.json()["texts"] == {"failed": 0, "in_doubt": 1, "retrying": 0}


# --- Against the fake Twilio server ---


@pytest.mark.django_db
def test_rate_limited_then_sent_after_the_providers_wait(twilio, texting_patient):
    twilio.replies = [fake_twilio.RATE_LIMITED]
    notify(texting_patient)
    run_tasks()

    message = OutboundText.objects.get()
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "RateLimited")
    retry = DBTaskResult.objects.filter(status="READY").get()
    # Twilio asked for 900 s, more than the usual first wait.
    assert retry.run_after == timezone.now() + timedelta(seconds=900)
    assert Client().get("/health/").json()["texts"]["retrying"] == 1

    with later(600):
        run_tasks()
    assert len(twilio.received) == 1
    with later(901):
        run_tasks()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(twilio.received) == 2
    assert twilio.received[1].fields["To"] == MOBILE


@pytest.mark.django_db
def test_a_timeout_is_retried_after_the_first_wait(twilio, texting_patient, settings):
    settings.SMS_TIMEOUT_SECONDS = 0.3
    twilio.replies = [fake_twilio.HANG]
    notify(texting_patient)
    run_tasks()
    message = OutboundText.objects.get()
    assert (message.status, message.last_error) == ("pending", "SmsTimeout")

    with later(settings.SMS_RETRY_DELAYS[0] + 1):
        run_tasks()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_no_credit_is_retried_and_logged_as_an_error(twilio, texting_patient, caplog):
    twilio.replies = [fake_twilio.NO_CREDIT]
    notify(texting_patient)
    with caplog.at_level(logging.WARNING, logger="outbox"):
        run_tasks()
    message = OutboundText.objects.get()
    assert (message.status, message.last_error) == ("pending", "NoCredit")
    [record] = [r for r in caplog.records if r.name == "outbox.texts"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == (
        f"Text message {message.pk} (patient_notice_text) attempt 1 failed (NoCredit); retrying in 30 s"
    )


@pytest.mark.django_db
def test_an_invalid_number_fails_at_once_and_shows_on_health_without_her_data(
    twilio, texting_patient, caplog
):
    twilio.replies = [fake_twilio.INVALID_NUMBER]
    notify(texting_patient)
    with caplog.at_level(logging.INFO):
        run_tasks()

    message = OutboundText.objects.get()
    assert (message.status, message.attempts, message.last_error) == ("failed", 1, "InvalidNumber")
    assert message.phone == "" and message.text == ""
    assert len(twilio.received) == 1
    task = DBTaskResult.objects.get(status="FAILED")
    health = Client().get("/health/")
    assert health.status_code == 503
    assert "texts_failed" in health.json()["problems"]
    for word in ("3331234567", texting_patient.user.last_name, texting_patient.user.email, "valid phone"):
        assert word not in caplog.text
        assert word not in task.traceback


@pytest.mark.django_db
def test_every_attempt_failing_ends_failed_after_the_last_wait(twilio, texting_patient, settings):
    settings.SMS_RETRY_DELAYS = (30, 120)
    twilio.replies = [fake_twilio.error(503, 20503, "Service Unavailable")] * 3
    notify(texting_patient)
    run_tasks()
    with later(31):
        run_tasks()
    with later(31 + 121):
        run_tasks()

    message = OutboundText.objects.get()
    assert (message.status, message.attempts, message.last_error) == ("failed", 3, "SmsError")
    assert len(twilio.received) == 3


@pytest.mark.django_db
def test_a_number_the_provider_blocks_after_stop_withdraws_her_consent(twilio, texting_patient):
    twilio.replies = [fake_twilio.OPTED_OUT]
    notify(texting_patient)
    run_tasks()

    message = OutboundText.objects.get()
    assert (message.status, message.last_error) == ("skipped", "RecipientOptedOut")
    consent = texting_patient.text_consents.get()
    assert (consent.withdrawn_at, consent.withdrawn_via) == (timezone.now(), "keyword")
    assert not texting_patient.accepts_texts()


@pytest.mark.django_db
def test_staff_can_send_a_failed_text_again_or_dismiss_it(twilio, texting_patient):
    twilio.replies = [fake_twilio.INVALID_NUMBER, fake_twilio.INVALID_NUMBER]
    notify(texting_patient, key="a")
    notify(texting_patient, key="b")
    run_tasks()
    first, second = OutboundText.objects.order_by("pk")
    assert {first.status, second.status} == {"failed"}

    text_send_again(first)
    text_dismiss(second)
    run_tasks()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("sent", "dismissed")


@pytest.fixture
def admin_client(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.create_superuser(email="admin@example.com", password="x-Admin-pass-2026"))
    return client


@pytest.mark.django_db
def test_the_admin_lists_texts_with_the_number_masked_for_superusers_only(
    texting_patient, admin_client, doctor_client
):
    notify(texting_patient)
    run_tasks()
    message = OutboundText.objects.get()

    page = admin_client.get("/admin/outbox/outboundtext/").content.decode()
    assert "patient_notice_text" in page
    assert "+39 *** *** 4567" in page
    assert MOBILE not in page
    detail = admin_client.get(f"/admin/outbox/outboundtext/{message.pk}/change/").content.decode()
    assert message.provider_id in detail
    assert doctor_client.get("/admin/outbox/outboundtext/").status_code == 403

    OutboundText.objects.filter(pk=message.pk).update(status="failed")
    response = admin_client.post(
        "/admin/outbox/outboundtext/", {"action": "send_again", "_selected_action": [message.pk]}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 0)


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        (
            "it",
            "Un aggiornamento sul suo questionario",
            "C'è un aggiornamento sul suo questionario: lo legga nel portale o chiami lo studio.",
        ),
        (
            "en",
            "An update about your questionnaire",
            "There is an update about your questionnaire: please read it in the portal or phone the clinic.",
        ),
    ],
)
@pytest.mark.django_db
def test_the_re_triage_notice_email_holds_the_rules_sentence_and_a_link_only(
    language, subject, sentence, settings
):
    patient = factories.make_patient(first_name="Annunziata", last_name="Bellini")
    User.objects.filter(pk=patient.user_id).update(language=language)

    notify_patient(patient, Notice.RETRIAGE, key="retriage:1:2")
    run_tasks()

    [email] = mail.outbox
    assert email.subject == subject
    assert email.body.startswith(sentence)
    assert f"{settings.PORTAL_BASE_URL}/\n" in email.body
    for word in ("Annunziata", "Bellini", "urgent", "emergen", "level", "livello"):
        assert word.lower() not in (email.subject + email.body).lower()
