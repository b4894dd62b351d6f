"""What an escalation sends and how (RULES.md 11.2, S8): the clinic's second channel for the reminder,
the escalation contact's email and text, and never a name, an email address or an answer."""

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from clinic.models import ClinicProfile
from outbox.gsm7 import gsm7_length
from outbox.models import OutboundText
from outbox.texts import CLINIC_KINDS
from tests.test_support import run_tasks
from tests.triage.worklist import E, M, P, U
from triage.cases import escalation_messages
from triage.models import CaseEvent, Escalation

from .test_escalation import MONDAY_10, arrive, digest_at, rome, run_sender

pytestmark = pytest.mark.django_db

ON_DUTY = "+393331234567"
DESK_MOBILE = "+393471112222"
DESK_LANDLINE = "+390612345678"
# The longest values a clinic can realistically configure (as tests/outbox/test_text_wording.py).
LONGEST_SENDER = "Studio Ross"
LONGEST_BASE = "https://portale.studio-rossi.com"


def profile(**fields):
    ClinicProfile.objects.filter(id=1).update(**fields)


def channels(case) -> list[list[str]]:
    return [
        event.detail["channels"]
        for event in CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ESCALATION).order_by("pk")
    ]


def test_with_an_on_duty_mobile_the_reminder_goes_by_text_message_to_it(patient, doctor, sms_outbox):
    profile(on_duty_mobile=ON_DUTY, sms_sender="StudioRossi")
    case = arrive(patient, E, MONDAY_10)

    run_sender(rome(2026, 12, 14, 10, 30))

    [(to, text, sender)] = sms_outbox
    assert (to, sender) == (ON_DUTY, "StudioRossi")
    assert text.startswith("StudioRossi: Promemoria: caso di emergenza non ancora aperto http")
    assert text.endswith("/dashboard/")
    assert not [m for m in mail.outbox if m.subject.startswith("Promemoria")]
    assert channels(case) == [["on_duty_text"]]
    assert OutboundText.objects.get().patient is None


def test_a_reminder_whose_words_do_not_fit_one_text_goes_by_email(patient, doctor, sms_outbox, settings):
    settings.SMS_LINK_BASE_URL = "https://" + "portale-dello-studio-ginecologico." * 4 + "example.com"
    profile(on_duty_mobile=ON_DUTY)
    case = arrive(patient, U, MONDAY_10)

    run_sender(rome(2026, 12, 14, 12, 0))

    assert sms_outbox == []
    assert [m.to for m in mail.outbox if m.subject.startswith("Promemoria")] == [[doctor.email]]
    assert channels(case) == [["doctors_email"]]


def test_the_escalation_contact_gets_an_email_and_a_text_when_both_are_set(patient, doctor, sms_outbox):
    profile(escalation_email="desk@example.com", escalation_phone="347 111 2222")
    case = arrive(patient, E, MONDAY_10)

    run_sender(rome(2026, 12, 14, 12, 0))  # the reminder and the contact's alert are both due

    assert [(to, text.split(": ", 1)[1].split(" http")[0]) for to, text, _sender in sms_outbox] == [
        (DESK_MOBILE, "Sollecito: caso di emergenza non ancora visto da un medico")
    ]
    assert [m.to for m in mail.outbox if m.subject.startswith("Sollecito")] == [["desk@example.com"]]
    assert channels(case) == [["doctors_email"], ["contact_email", "contact_text"]]


def test_a_landline_contact_gets_no_text_and_without_any_contact_the_doctors_are_alerted(
    patient, doctor, sms_outbox
):
    profile(escalation_email="", escalation_phone=DESK_LANDLINE)
    case = arrive(patient, E, MONDAY_10)

    run_sender(rome(2026, 12, 14, 12, 0))

    assert sms_outbox == []
    assert [m.to for m in mail.outbox if m.subject.startswith("Sollecito")] == [[doctor.email]]
    assert channels(case)[-1] == ["no_contact"]


def test_the_timeline_says_what_went_and_how(patient, doctor, client):
    profile(on_duty_mobile=ON_DUTY)
    case = arrive(patient, E, MONDAY_10)
    run_sender(rome(2026, 12, 14, 12, 0))

    events = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ESCALATION).order_by("pk")
    with translation.override("en"):
        assert [event.escalation_summary() for event in events] == [
            "Escalation, Emergency: Reminder to the doctors (text message to the doctor on duty)",
            "Escalation, Emergency: Alert to the escalation contact "
            "(email to every doctor, as no escalation contact is set)",
        ]
    with translation.override("it"):
        assert events[0].escalation_summary() == (
            "Sollecito, Emergenza: Promemoria ai medici (SMS al medico di turno)"
        )


# Words that would tell the reader who she is or what she answered.
PRIVATE = ("Annunziata", "Bellini", "annunziata@", "3391234567", "339 123 4567", "sanguin", "HEAVY", "svenim")


def test_no_name_email_or_answer_in_any_escalation_email_or_text(other_patient, doctor, sms_outbox):
    from tests import factories

    patient = factories.make_patient(
        email="annunziata@example.com", first_name="Annunziata", last_name="Bellini", phone="+393391234567"
    )
    profile(on_duty_mobile=ON_DUTY, escalation_email="desk@example.com", escalation_phone=DESK_MOBILE)
    notes = {"notes": "sanguinamento abbondante e svenimento"}
    emergency = arrive(patient, E, MONDAY_10, **notes)
    arrive(patient, M, MONDAY_10, **notes)
    priority = arrive(patient, P, MONDAY_10, **notes)
    profile(on_duty_mobile="")
    arrive(patient, U, MONDAY_10, **notes)

    run_sender(rome(2026, 12, 14, 10, 30))
    run_sender(rome(2026, 12, 14, 16, 0))
    digest_at(rome(2026, 12, 17, 8, 0))

    to_clinic = [m for m in mail.outbox if m.to != [patient.user.email]]
    written = [m.subject + "\n" + m.body for m in to_clinic] + [text for _to, text, _sender in sms_outbox]
    assert len(sms_outbox) >= 3 and any("Riepilogo" in text or "Daily digest" in text for text in written)
    for text in written:
        for private in PRIVATE:
            assert private not in text, text
    # Only the worklist is linked, never a case's page; the digest alone names case numbers.
    for case in (emergency, priority):
        assert not any(reverse("triage:case_detail", args=[case.pk]) in text for text in written)
    assert [text for text in written if f"Caso {priority.pk}:" in text] == [
        text for text in written if text.startswith("Riepilogo")
    ]
    assert {address for m in to_clinic for address in m.to} == {doctor.email, "desk@example.com"}


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("level", [E, U, M])
def test_every_text_to_the_clinic_fits_one_gsm7_message(patient, settings, language, level):
    settings.SMS_LINK_BASE_URL = LONGEST_BASE
    settings.LANGUAGE_CODE = language
    profile(
        name="Studio ginecologico Dott.ssa Rossi",
        sms_sender="",
        on_duty_mobile=ON_DUTY,
        escalation_phone=DESK_MOBILE,
    )
    case = arrive(patient, level, MONDAY_10)

    texts = {
        kind: CLINIC_KINDS[kind](case_id=case.pk)
        for kind in (escalation_messages.reminder_text.kind, escalation_messages.contact_text.kind)
    }

    assert set(texts) == set(CLINIC_KINDS)
    for built in texts.values():
        assert built.text.startswith("Studio gine: ")
        assert gsm7_length(built.text) is not None, built.text
        assert gsm7_length(built.text) <= 160, built.text
        assert built.text.endswith(f"{LONGEST_BASE}/dashboard/")


def test_the_on_duty_mobile_must_be_a_mobile_number():
    from django.core.exceptions import ValidationError

    clinic = ClinicProfile.objects.get(id=1)
    clinic.on_duty_mobile = "333 123 4567"
    clinic.full_clean()
    assert clinic.on_duty_mobile == ON_DUTY
    clinic.on_duty_mobile = "06 1234 5678"
    with pytest.raises(ValidationError) as refused:
        clinic.full_clean()
    assert "on_duty_mobile" in refused.value.message_dict


def test_a_text_queued_for_a_case_no_longer_escalating_is_not_sent(patient, doctor, sms_outbox):
    profile(on_duty_mobile=ON_DUTY)
    case = arrive(patient, E, MONDAY_10)
    with time_machine.travel(rome(2026, 12, 14, 10, 30), tick=False):
        step = Escalation.objects.get(case=case, step="reminder")
        escalation_messages.reminder_queue(case.pk, key=f"escalation:{step.pk}")
        # Queued twice under the same key: one text.
        escalation_messages.reminder_queue(case.pk, key=f"escalation:{step.pk}")
        case.status = "closed"
        case.save()
        run_tasks()

    assert sms_outbox == []
    assert list(OutboundText.objects.values_list("status", flat=True)) == ["skipped"]
