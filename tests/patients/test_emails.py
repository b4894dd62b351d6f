"""Emails to patients and doctors: the confirmation after Send, each one in its reader's language."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from clinic.models import ClinicProfile
from outbox.models import OutboundEmail
from patients.advice import HEADLINES
from patients.emails import submission_received_email
from patients.models import Submission
from patients.services import submission_submit
from tests import factories
from tests.patients.test_questionnaire import QUIET, form_key, post
from tests.test_support import run_tasks
from triage import rules
from triage.models import CaseLevel
from triage.questionnaire import QUESTION_LABELS, SHORT_LABELS

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
PHONE = "+39 02 7654 3210"
# As patients read it: the national format, as any patient's number is shown.
SHOWN_PHONE = "02 7654 3210"
CONFIRMATION = submission_received_email.kind
SENT = datetime(2026, 3, 5, 9, 30, tzinfo=ROME)
# Soaking a pad, fainting and a free-text note: an emergency, with words that must stay private.
ALARMING = {
    **factories.QUIET_ANSWERS,
    "soaks_pad_hourly": True,
    "dizziness_fainting": True,
    "notes": "Zebra-7731",
}


@pytest.fixture(autouse=True)
def clinic_phone():
    ClinicProfile.objects.update(phone=PHONE)


def shown(value, format_name, language="en"):
    """A date as the pages show it in `language` (its format is the locale's, not this test's)."""
    with translation.override(language):
        return date_format(timezone.localtime(value) if hasattr(value, "tzinfo") else value, format_name)


def send(patient, answers=None, *, at=SENT):
    with time_machine.travel(at, tick=False):
        submission = submission_submit(
            patient=patient, key=uuid.uuid4(), answers=answers or factories.QUIET_ANSWERS
        )
    return submission


def confirmations():
    return OutboundEmail.objects.filter(kind=CONFIRMATION)


@pytest.mark.parametrize(
    ("language", "subject", "received"),
    [
        (
            "en",
            "Your questionnaire has been received",
            f"Your questionnaire was received on {{when}}; if your symptoms get worse, phone the clinic: {SHOWN_PHONE}.",
        ),
        (
            "it",
            "Il suo questionario è stato ricevuto",
            f"Il suo questionario è stato ricevuto il {{when}}; se i sintomi peggiorano, telefoni allo studio: {SHOWN_PHONE}.",
        ),
    ],
)
def test_the_confirmation_is_in_her_language_with_the_clinics_phone(patient, language, subject, received):
    patient.user.language = language
    patient.user.save()
    with translation.override("it" if language == "en" else "en"):  # the sender's language plays no part
        send(patient)
        run_tasks()
    [message] = mail.outbox
    assert message.to == [patient.user.email]
    assert message.subject == subject
    assert received.format(when=shown(SENT, "DATETIME_FORMAT", language)) in message.body
    assert "09:30" in message.body or "9:30" in message.body
    assert ".." not in message.body
    assert {"en": "Monday to Friday 9:00-13:00", "it": "lunedì-venerdì 9:00-13:00"}[language] in message.body
    assert f"{reverse('patients:submission_list')}" in message.body


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_confirmation_carries_no_health_data(patient, doctor, language):
    patient.user.language = language
    patient.user.save()
    submission = send(patient, ALARMING)
    assert submission.case.level == CaseLevel.EMERGENCY
    run_tasks()
    [message] = [m for m in mail.outbox if m.to == [patient.user.email]]
    text = f"{message.subject}\n{message.body}".lower()

    words = {"Zebra-7731", patient.user.first_name, patient.user.last_name, *rules.FLAG_CODES}
    for reading in ("it", "en"):
        with translation.override(reading):
            words |= {
                str(label) for label in [*SHORT_LABELS.values(), *QUESTION_LABELS.values()]
            }  # every question
            words |= {str(level.label) for level in CaseLevel}  # every level's name
            words |= {str(headline) for headline in HEADLINES.values()}
    words |= {advice[lang] for advice in rules.ADVICE.values() for lang in ("it", "en")}
    leaked = sorted(word for word in words if word.lower() in text)
    assert leaked == []
    assert f"/questionnaire/{submission.pk}/" not in text
    # The params stored in the outbox are identifiers only.
    assert confirmations().get().params == {"submission_id": submission.pk}


def test_a_double_post_sends_one_confirmation(patient_client, patient):
    key = form_key(patient_client)
    first = post(patient_client, "submit", key, **QUIET)
    second = post(patient_client, "submit", key, **QUIET)
    assert first.status_code == second.status_code == 302
    assert confirmations().count() == 1
    run_tasks()
    assert [m.to for m in mail.outbox] == [[patient.user.email]]


def test_the_confirmation_is_queued_with_the_submission_and_sent_after_it(patient):
    with pytest.raises(RuntimeError), transaction.atomic():
        send(patient)
        assert confirmations().count() == 1
        assert mail.outbox == []  # nothing is sent inside the request
        raise RuntimeError("the request failed after the assessment")
    assert not confirmations().exists()
    assert not Submission.objects.filter(status="submitted").exists()


def test_a_failure_to_queue_the_confirmation_keeps_the_submission(
    patient_client, patient, monkeypatch, caplog
):
    def broken(**params):
        OutboundEmail.objects.create(kind=CONFIRMATION, params=params)  # written, then the queue fails
        raise DatabaseError("queue unavailable")

    monkeypatch.setattr(submission_received_email, "enqueue", broken)
    key = form_key(patient_client)
    response = post(patient_client, "submit", key, **QUIET)
    submission = Submission.objects.get(patient=patient)
    assert response.status_code == 302
    assert response.url == submission.get_absolute_url()
    assert submission.status == "submitted"
    assert not confirmations().exists()  # its half-written row went with its savepoint
    assert "Could not queue the confirmation email" in caplog.text


def test_a_mail_server_that_is_down_never_blocks_the_submission(patient_client, patient, settings):
    settings.EMAIL_BACKEND = "tests.test_support.BrokenEmailBackend"
    key = form_key(patient_client)
    response = post(patient_client, "submit", key, **QUIET)
    assert response.status_code == 302
    run_tasks()
    assert Submission.objects.get(patient=patient).status == "submitted"
    assert confirmations().get().status == "pending"  # retried later
    assert mail.outbox == []


def test_an_imported_questionnaire_sends_her_no_confirmation(patient):
    from patients.services import submission_record

    submission_record(patient=patient, answers={}, submitted_at=datetime(2026, 3, 5, 9, 30, tzinfo=ROME))
    assert not confirmations().exists()


def test_the_password_reset_email_follows_her_profile_language(client, patient):
    patient.user.language = "en"
    patient.user.save()
    client.cookies["django_language"] = "it"
    client.post(reverse("password_reset"), {"email": patient.user.email})
    run_tasks()
    [message] = mail.outbox
    assert "Open this link to choose a new password" in message.body


def test_doctors_get_the_alert_in_their_own_language(patient):
    italian = factories.make_doctor(email="it@example.com")
    english = factories.make_doctor(email="en@example.com")
    english.language = "en"
    english.save()
    send(patient, ALARMING)
    run_tasks()
    alerts = {tuple(m.to): m for m in mail.outbox if m.to != [patient.user.email]}
    assert set(alerts) == {(italian.email,), (english.email,)}
    assert alerts[(english.email,)].subject == "Emergency: new case waiting"
    assert alerts[(italian.email,)].subject == "Emergenza: nuovo caso in attesa"


def test_without_a_clinic_phone_the_confirmation_still_says_whom_to_call(patient):
    ClinicProfile.objects.update(phone="")
    patient.user.language = "en"
    patient.user.save()
    send(patient)
    run_tasks()
    [message] = mail.outbox
    assert "; if your symptoms get worse, phone the clinic.\n" in message.body
    assert "call 112 or 118" in message.body
