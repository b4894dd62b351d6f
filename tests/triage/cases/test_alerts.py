"""The doctors' alert names the level in a word, and nothing about her (RULES.md 11.2, S7)."""

import pytest
from django.core import mail

from tests.factories import make_case, make_doctor
from tests.test_support import run_tasks
from tests.triage.worklist import E, F, M, P, R, U
from triage.cases.notifications import notify_urgent_case, urgent_case_email
from triage.models import Case

SUBJECTS = [
    (E, "en", "Emergency: new case waiting", "Emergency"),
    (U, "en", "Urgent case waiting", "Urgent"),
    (P, "en", "Priority case waiting", "Priority"),
    (M, "en", "Manual review: new case waiting", "Manual review"),
    (E, "it", "Emergenza: nuovo caso in attesa", "Emergenza"),
    (U, "it", "Caso urgente in attesa", "Urgente"),
    (P, "it", "Caso prioritario in attesa", "Priorità"),
    (M, "it", "Revisione manuale: nuovo caso in attesa", "Revisione manuale"),
]


@pytest.mark.parametrize(("level", "language", "subject", "first_line"), SUBJECTS)
def test_the_alert_states_the_level_in_its_subject_and_first_line(
    patient, doctor, level, language, subject, first_line
):
    doctor.language = language
    doctor.save()
    case = make_case(patient, level=level, flags=["HEAVY_ACUTE"], answers={"notes": "sanguinamento"})

    message = urgent_case_email(case_id=case.pk, language=language)

    assert message.subject == subject
    assert message.body.splitlines()[0] == first_line


def test_the_alert_holds_no_name_no_answer_and_links_the_worklist(patient, doctor, settings):
    case = make_case(patient, level=E, flags=["HEAVY_ACUTE"], answers={"notes": "sanguinamento"})

    message = urgent_case_email(case_id=case.pk)

    text = message.subject + message.body
    for private in (
        patient.user.first_name,
        patient.user.last_name,
        patient.user.email,
        "sanguinamento",
        "HEAVY",
    ):
        assert private not in text
    assert f"{settings.PORTAL_BASE_URL}/dashboard/\n" in message.body
    assert f"/{case.pk}/" not in message.body


@pytest.mark.parametrize("level", [R, F])
def test_a_case_below_priority_alerts_nobody(patient, doctor, level):
    case = make_case(patient, level=level)

    assert urgent_case_email(case_id=case.pk, language="en") is None


def test_the_alert_states_the_level_the_case_has_when_it_is_sent(
    patient, doctor, django_capture_on_commit_callbacks
):
    case = make_case(patient, level=P)
    doctor.language = "en"
    doctor.save()
    make_doctor(email="second@example.com").save()
    notify_urgent_case(case.pk)
    Case.objects.filter(pk=case.pk).update(level=E)

    run_tasks()

    assert {message.subject for message in mail.outbox} == {
        "Emergency: new case waiting",
        "Emergenza: nuovo caso in attesa",
    }
