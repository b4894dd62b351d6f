"""A visit's texts: the invitation and the reminders by text message, beside the emails, only for a
patient who opted in, once each, and nothing once her questionnaire has arrived."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from outbox.models import OutboundText
from patients.models import TextConsent
from patients.services import submission_record, text_consent_withdraw
from tests.factories import QUIET_ANSWERS, make_patient
from tests.test_support import run_tasks
from triage.visits.services import invitation_queue, reminders_send, visit_book

from .test_services import at

MOBILE = "+393331234567"
VISIT_DAY = date(2027, 5, 20)


@pytest.fixture
def texting(db):
    return make_patient(email="texts@example.com", phone=MOBILE, texts=True)


def book(patient, settings):
    settings.VISIT_REMINDER_DAYS = (3, 1)
    with time_machine.travel(at(VISIT_DAY - timedelta(days=10), 9), tick=False):
        visit = visit_book(patient=patient, starts_at=at(VISIT_DAY, 10))
        run_tasks()
    return visit


def remind_on(day: date) -> int:
    with time_machine.travel(at(day, 8), tick=False):
        queued = reminders_send()
        run_tasks()
        return queued


@pytest.mark.django_db
def test_she_gets_the_invitation_and_both_reminders_by_text_as_well(texting, settings, sms_outbox):
    visit = book(texting, settings)
    for days in (5, 4, 3, 2, 1):
        remind_on(VISIT_DAY - timedelta(days=days))

    texts = [text for _to, text, _sender in sms_outbox]
    assert len(texts) == 3
    assert [to for to, _text, _sender in sms_outbox] == [MOBILE] * 3
    assert "questionnaire" in texts[0] or "questionario" in texts[0]
    assert all("/start/" in text for text in texts)
    assert sorted(OutboundText.objects.values_list("idempotency_key", flat=True)) == sorted(
        [f"visit-invitation:{visit.pk}", f"visit-reminder:{visit.pk}:3", f"visit-reminder:{visit.pk}:1"]
    )
    assert len(mail.outbox) == 3  # the emails go too


@pytest.mark.django_db
def test_without_her_opt_in_she_gets_the_emails_only(patient, settings, sms_outbox):
    book(patient, settings)
    remind_on(VISIT_DAY - timedelta(days=3))
    assert sms_outbox == []
    assert not OutboundText.objects.exists()
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_after_she_opts_out_the_reminders_go_by_email_only(texting, settings, sms_outbox):
    book(texting, settings)
    text_consent_withdraw(patient=texting, via=TextConsent.Via.PROFILE)
    remind_on(VISIT_DAY - timedelta(days=3))
    assert len(sms_outbox) == 1  # the invitation, sent before
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_reminder_with_reminders_turned_off_is_not_texted(texting, settings, sms_outbox):
    book(texting, settings)
    type(texting).objects.filter(pk=texting.pk).update(visit_reminders=False)
    remind_on(VISIT_DAY - timedelta(days=3))
    assert len(sms_outbox) == 1


@pytest.mark.django_db
def test_the_questionnaire_arriving_before_the_text_is_sent_stops_it(texting, settings, sms_outbox):
    settings.VISIT_REMINDER_DAYS = (3, 1)
    with time_machine.travel(at(VISIT_DAY - timedelta(days=10), 9), tick=False):
        visit = visit_book(patient=texting, starts_at=at(VISIT_DAY, 10))
        submission_record(patient=texting, answers=QUIET_ANSWERS, submitted_at=timezone.now())
        run_tasks()
    texts = dict(OutboundText.objects.values_list("idempotency_key", "status"))
    assert texts[f"visit-invitation:{visit.pk}"] == "skipped"
    assert all("/start/" not in text for _to, text, _s in sms_outbox)


@pytest.mark.django_db
def test_queuing_the_invitation_again_texts_once(texting, settings, sms_outbox):
    visit = book(texting, settings)
    with time_machine.travel(at(VISIT_DAY - timedelta(days=9), 9), tick=False):
        assert invitation_queue(visit) is False
        run_tasks()
    assert len(sms_outbox) == 1
