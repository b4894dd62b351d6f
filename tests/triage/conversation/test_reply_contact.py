"""Her reply, once a doctor's message answers it, is a contact: one attempt by portal message on the
contact log (the row's count, the case page, the timeline, the audit log), never "spoke with her"."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import make_case
from tests.triage.cases.test_contact_log import contact_audit
from tests.triage.worklist import DASHBOARD
from triage.audit.writer import Actor
from triage.cases.acted_on import case_is_acted_on
from triage.conversation.services import message_post_by_doctor, message_post_by_patient
from triage.models import AuditEvent, CaseEvent, CaseLevel, CaseMessage, ContactAttempt

pytestmark = pytest.mark.django_db

SENT = datetime(2026, 12, 9, 9, 0, tzinfo=ZoneInfo("Europe/Rome"))
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
IT = {"HTTP_ACCEPT_LANGUAGE": "it"}


def at(minutes):
    return time_machine.travel(SENT + timedelta(minutes=minutes), tick=False)


@pytest.fixture
def case(patient):
    return make_case(patient, level=CaseLevel.URGENT, score=9, submitted_at=SENT)


def doctor_writes(case, doctor, key, text="We will call you tomorrow at 9.", ip=None):
    return message_post_by_doctor(case_id=case.pk, actor=Actor(user=doctor, ip=ip), text=text, key=key)


def she_replies(case, patient, key, text="I can't come on Tuesday."):
    return message_post_by_patient(case_id=case.pk, user=patient.user, text=text, key=key)


def attempts(case):
    return list(ContactAttempt.objects.filter(case=case).values_list("outcome", "channel"))


def exchange(case, patient, doctor, *, answered_after: int):
    """The doctor writes at minute 10, she replies at 20, he answers `answered_after` minutes in."""
    with at(10):
        doctor_writes(case, doctor, "d1")
    with at(20):
        she_replies(case, patient, "r1")
    with at(answered_after):
        return doctor_writes(case, doctor, "d2", text="Wednesday at 9, then.", ip="10.1.2.3")


def test_an_answered_reply_is_one_attempt_by_portal_message_in_the_timeline_and_the_audit_log(
    case, patient, doctor
):
    answer = exchange(case, patient, doctor, answered_after=40)

    attempt = ContactAttempt.objects.get(case=case)
    assert (attempt.outcome, attempt.channel, attempt.actor, attempt.created_at) == (
        "answered",
        "message",
        doctor,
        answer.created_at,
    )
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CONTACT)
    assert event.detail == {
        "attempt": attempt.pk,
        "outcome": "answered",
        "channel": "message",
        "message": answer.pk,
    }
    assert event.actor == doctor
    assert contact_audit(case) == (doctor, case.patient_id, "10.1.2.3")


def test_the_same_answer_posted_twice_logs_one_attempt(doctor_client, case, patient, doctor):
    doctor_writes(case, doctor, "d1")
    she_replies(case, patient, "r1")
    url = reverse("triage:case_message", args=[case.pk])

    for _ in range(2):
        response = doctor_client.post(url, {"text": "Wednesday at 9, then.", "key": "d2"})
        assert response.status_code == 302

    assert CaseMessage.objects.filter(case=case, author_kind="doctor").count() == 2
    assert attempts(case) == [("answered", "message")]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONTACT_LOG).count() == 1


def test_one_answer_to_several_replies_is_one_attempt_and_a_later_exchange_another(case, patient, doctor):
    doctor_writes(case, doctor, "d1")
    she_replies(case, patient, "r1")
    she_replies(case, patient, "r2", text="Or Thursday.")
    assert attempts(case) == []  # not yet answered
    doctor_writes(case, doctor, "d2")
    # A further message with no new reply of hers answers nothing.
    doctor_writes(case, doctor, "d3", text="Please bring your last smear test.")
    assert attempts(case) == [("answered", "message")]
    assert not CaseMessage.objects.filter(author_kind="patient", answered_at__isnull=True).exists()

    she_replies(case, patient, "r3", text="I will.")
    doctor_writes(case, doctor, "d4", text="Thank you.")

    assert attempts(case) == [("answered", "message")] * 2


def test_a_message_she_has_not_replied_to_is_no_contact(case, doctor):
    doctor_writes(case, doctor, "d1")
    doctor_writes(case, doctor, "d2")

    assert attempts(case) == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CONTACT_LOG).exists()


def test_an_exchange_of_messages_leaves_her_urgent_alarm_live(client, case, patient, doctor):
    """Only "spoke with her", a status change or a booked visit makes the case acted on (S2)."""
    exchange(case, patient, doctor, answered_after=30)

    assert attempts(case) == [("answered", "message")]
    assert not case_is_acted_on(case)
    her = Client()
    with at(60 * 24 * 2):
        her.force_login(patient.user)
        page = her.get(reverse("patients:submission_list"), **EN).content.decode()
    assert "alarm-banner" in page


def test_the_row_counts_the_exchange_and_the_case_page_names_its_channel(
    doctor_client, case, patient, doctor
):
    exchange(case, patient, doctor, answered_after=100)
    with at(100):
        doctor_client.force_login(doctor)  # a session of this moment
        row = doctor_client.get(DASHBOARD, **EN).content.decode()
        riga = doctor_client.get(DASHBOARD, **IT).content.decode()
        page = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **EN).content.decode()
        pagina = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **IT).content.decode()

    assert "1 attempt, last 10:40" in row
    assert "1 tentativo, l’ultimo alle 10:40" in riga
    log = page[page.index('id="contact-log"') : page.index("</section>", page.index('id="contact-log"'))]
    assert "1 attempt to reach her so far." in log
    assert 'data-channel="message"' in log
    assert "Answered her message · Portal message" in log
    assert "Answered her message · Portal message" in page[page.index('id="timeline-title"') :]
    assert "Risposto al suo messaggio · Messaggio nel portale" in pagina
    # The buttons log calls only: the conversation's outcome is not one of them.
    assert 'value="answered:' not in page
    assert 'value="spoke:1"' in page


def test_a_phone_attempt_names_its_channel_too(doctor_client, case):
    doctor_client.post(reverse("triage:case_contact", args=[case.pk]), {"contact": "no_answer:0"})

    page = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **EN).content.decode()

    assert "Called, no answer · Phone" in page
    assert 'data-channel="phone"' in page


def test_the_conversations_outcome_cannot_be_posted_as_a_button(doctor_client, case):
    response = doctor_client.post(
        reverse("triage:case_contact", args=[case.pk]), {"contact": "answered:0"}, **EN
    )

    assert response.status_code == 400
    assert "Choose one of the outcomes offered." in response.content.decode()
    assert not ContactAttempt.objects.exists()
