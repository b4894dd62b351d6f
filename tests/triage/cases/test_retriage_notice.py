"""A re-assessment that moves an open case up into urgent or emergency tells her, once, in the
words of RULES.md 11.2 S4: no level, no health data, a link."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import make_case, make_patient
from tests.test_support import run_tasks
from tests.triage.worklist import E, F, P, U, hours_ago
from triage.cases.assessments import case_sync
from triage.models import Assessment, Case

S4_IT = "C'è un aggiornamento sul suo questionario: lo legga nel portale o chiami lo studio."
S4_EN = "There is an update about your questionnaire: please read it in the portal or phone the clinic."


def reassess(case, level, score=5):
    assessment = Assessment.objects.create(
        submission_id=case.pk, level=level, score=score, flags=["HEAVY_ACUTE"], rules_version=3
    )
    case_sync(case.submission, assessment)
    return assessment


def her_mail(patient):
    return [message for message in mail.outbox if message.to == [patient.user.email]]


@pytest.mark.parametrize(("before", "after"), [(F, U), (P, E), (U, E), (F, E)])
def test_a_move_up_into_urgent_or_emergency_tells_her_once(patient, doctor, settings, before, after):
    case = make_case(patient, level=before, submitted_at=hours_ago(30))

    reassess(case, after)
    run_tasks()
    reassess(case, after)  # the same result again: nothing moves, nothing is sent
    run_tasks()

    (notice,) = her_mail(patient)
    assert S4_IT in notice.body
    assert f"{settings.PORTAL_BASE_URL}{reverse('home')}" in notice.body
    for private in ("Urgente", "Emergenza", "urgente", "emergenza", "HEAVY", "sanguin"):
        assert private not in notice.subject + notice.body


def test_the_notice_is_in_her_language(patient, doctor):
    patient.user.language = "en"
    patient.user.save()
    case = make_case(patient, level=F, submitted_at=hours_ago(30))

    reassess(case, U)
    run_tasks()

    (notice,) = her_mail(patient)
    assert S4_EN in notice.body


@pytest.mark.parametrize(("before", "after"), [(F, P), (E, U), (U, F), (P, P)])
def test_other_moves_do_not_tell_her(patient, doctor, before, after):
    case = make_case(patient, level=before, submitted_at=hours_ago(30))

    reassess(case, after, score=9)
    run_tasks()

    assert her_mail(patient) == []


def test_a_closed_case_moved_up_does_not_tell_her(patient, doctor):
    case = make_case(patient, level=F, submitted_at=hours_ago(30), status=Case.Status.CLOSED)

    reassess(case, E)
    run_tasks()

    assert her_mail(patient) == []


def test_a_patient_who_opted_in_gets_the_notice_by_text_too_once(sms_outbox, doctor):
    patient = make_patient(email="texts@example.com", phone="+393331234567", texts=True)
    case = make_case(patient, level=F, submitted_at=hours_ago(30))

    reassess(case, U)
    run_tasks()
    reassess(case, U)
    run_tasks()

    [(to, text, _sender)] = sms_outbox
    assert to == "+393331234567"
    assert S4_IT in text
    for private in ("Urgente", "urgente", "Maria", "Rossi", "HEAVY", "sanguin"):
        assert private not in text
    assert len(her_mail(patient)) == 1
