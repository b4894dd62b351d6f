"""What a re-assessment does to an open case (RULES.md 11.2, S4, S5): a move up applies at once and
reaches her and the doctors, once; a move down waits for a doctor's sign-off; the same level applies
at once and leaves her advice as she was given it; a later re-assessment replaces a pending one."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from patients.services import submission_record
from tests.factories import QUIET_ANSWERS, make_case
from tests.test_support import run_tasks
from tests.triage.retriage import RETRIAGED, SENT, reassess
from tests.triage.worklist import E, F, M, P, R, U
from triage.audit.writer import Actor
from triage.cases.acted_on import case_is_acted_on
from triage.cases.retriage_tasks import case_keep_higher
from triage.cases.services import case_log_contact
from triage.models import Assessment, AuditEvent, Case, CaseEvent, retriage_direction

pytestmark = pytest.mark.django_db

URGENT_ANSWERS = {**QUIET_ANSWERS, "pregnancy_status": "possible", "pelvic_pain_days": 1}


def mail_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_a_move_up_into_urgent_moves_the_case_gives_her_the_new_advice_and_opens_the_task(patient, doctor):
    case = make_case(patient, level=F, score=2, flags=["INFECTION_SIGNS"], submitted_at=SENT)
    first = case.advice

    moved = reassess(case, U, score=7, flags=["HEAVY_ACUTE"], at=RETRIAGED)

    case.refresh_from_db()
    assert (case.level, case.score, case.flags, case.assessment) == (U, 7, ["HEAVY_ACUTE"], moved)
    # Her advice is the new assessment's, dated on the re-assessment; the one she had is kept.
    assert (case.advice, case.advised_at) == (moved, RETRIAGED)
    assert (case.earlier_advice, case.earlier_advised_at) == (first, SENT)
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.RETRIAGE)
    assert event.created_at == RETRIAGED
    assert event.detail["to"]["level"] == U and "pending" not in event.detail
    assert case.contact_task == event
    assert case.pending_sign_off is None


def test_a_move_up_notifies_her_once_and_the_doctors_once(patient, doctor):
    case = make_case(patient, level=P, submitted_at=SENT)

    reassess(case, E, at=RETRIAGED)
    reassess(case, E, at=RETRIAGED)  # the same result again: nothing moves, nothing is sent
    run_tasks()

    assert len(mail_to(patient.user.email)) == 1
    (alert,) = mail_to(doctor.email)
    assert alert.subject == "Emergenza: nuovo caso in attesa"


@pytest.mark.parametrize(("before", "after"), [(F, P), (R, F), (P, M)])
def test_a_move_up_below_urgent_updates_her_advice_without_a_notice_or_a_task(patient, doctor, before, after):
    case = make_case(patient, level=before, submitted_at=SENT)

    moved = reassess(case, after, at=RETRIAGED)
    run_tasks()

    case.refresh_from_db()
    assert (case.level, case.advice, case.advised_at) == (after, moved, RETRIAGED)
    assert case.contact_task is None
    assert mail_to(patient.user.email) == []
    # Priority and above alert the doctors as a new case at that level would (S4, S7).
    assert len(mail_to(doctor.email)) == (1 if after in (P, M) else 0)


@pytest.mark.parametrize(("before", "after"), [(U, F), (E, U), (P, R), (U, M)])
def test_a_move_down_is_stored_pending_sign_off_and_changes_nothing_else(patient, doctor, before, after):
    case = make_case(patient, level=before, score=9, flags=["HEAVY_ACUTE"], submitted_at=SENT)
    given = (case.level, case.score, case.flags, case.rules_version, case.advice, case.advised_at)

    lower = reassess(case, after, score=1, flags=[], at=RETRIAGED)
    run_tasks()

    case.refresh_from_db()
    assert (case.level, case.score, case.flags, case.rules_version, case.advice, case.advised_at) == given
    assert case.pending_sign_off == lower
    assert case.assessment != lower
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.RETRIAGE)
    assert event.detail["pending"] is True
    assert mail.outbox == []


def test_manual_review_is_below_urgent_and_above_priority_for_the_direction_of_a_move():
    """An engine failure never silently replaces her urgent or emergency advice."""
    assert retriage_direction(U, M) == retriage_direction(E, M) == -1
    assert retriage_direction(P, M) == retriage_direction(M, U) == 1
    assert retriage_direction(M, R) == -1
    assert retriage_direction(E, E) == 0


def test_the_same_level_applies_at_once_and_leaves_her_advice_as_she_was_given_it(patient, doctor):
    case = make_case(
        patient, level=P, score=6, flags=["PREGNANCY_BLEEDING"], rules_version=2, submitted_at=SENT
    )
    first = case.advice

    same = reassess(case, P, score=8, flags=["PREGNANCY_BLEEDING", "RECURRENT"], version=3, at=RETRIAGED)
    run_tasks()

    case.refresh_from_db()
    assert (case.score, case.flags, case.rules_version, case.assessment) == (
        8,
        ["PREGNANCY_BLEEDING", "RECURRENT"],
        3,
        same,
    )
    assert (case.advice, case.advised_at, case.earlier_advice) == (first, SENT, None)
    assert case.pending_sign_off is None
    assert mail.outbox == []


def test_a_later_move_up_supersedes_a_pending_move_down(patient, doctor):
    case = make_case(patient, level=P, submitted_at=SENT)
    lower = reassess(case, R, score=0, flags=[], at=SENT + timedelta(days=1))

    higher = reassess(case, U, at=RETRIAGED)

    case.refresh_from_db()
    assert (case.level, case.pending_sign_off, case.advice) == (U, None, higher)
    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.RETRIAGE).last()
    assert event.detail["replaces"] == lower.pk


def test_a_later_move_down_replaces_the_pending_one(patient, doctor):
    case = make_case(patient, level=U, submitted_at=SENT)
    reassess(case, P, score=4, flags=[])

    again = reassess(case, F, score=1, flags=[])

    case.refresh_from_db()
    assert (case.level, case.pending_sign_off) == (U, again)


def test_a_later_result_at_the_case_level_clears_the_pending_one(patient, doctor):
    case = make_case(patient, level=U, score=7, flags=["HEAVY_ACUTE"], rules_version=3, submitted_at=SENT)
    reassess(case, R, score=0, flags=[])

    back = reassess(case, U, score=7, flags=["HEAVY_ACUTE"])

    case.refresh_from_db()
    assert (case.level, case.pending_sign_off, case.assessment) == (U, None, back)


# --- The retriage command ------------------------------------------------------------------------


def as_if_the_rules_changed(submission, answers):
    """Her stored answers now read as `answers` to the current rules."""
    from patients.models import Submission

    Submission.objects.filter(pk=submission.pk).update(answers=answers)


def test_a_second_run_of_retriage_sends_nothing_more(patient, doctor):
    submission = submission_record(patient=patient, answers=dict(QUIET_ANSWERS), submitted_at=SENT)
    as_if_the_rules_changed(submission, URGENT_ANSWERS)

    first = StringIO()
    call_command("retriage", stdout=first)
    run_tasks()
    counts = (Assessment.objects.count(), CaseEvent.objects.count(), len(mail.outbox))
    second = StringIO()
    call_command("retriage", stdout=second)
    run_tasks()

    assert (Assessment.objects.count(), CaseEvent.objects.count(), len(mail.outbox)) == counts
    assert len(mail_to(patient.user.email)) == 1
    assert len(mail_to(doctor.email)) == 1
    assert f"#{submission.pk}" in first.getvalue().split("to contact (worklist task)")[1]
    assert "0 changed" in second.getvalue()


def test_retriage_holds_a_move_down_and_does_not_put_back_a_level_a_doctor_kept(patient, doctor):
    submission = submission_record(patient=patient, answers=URGENT_ANSWERS, submitted_at=SENT)
    as_if_the_rules_changed(submission, dict(QUIET_ANSWERS))

    out = StringIO()
    call_command("retriage", stdout=out)
    case = Case.objects.get(pk=submission.pk)
    assert (case.level, case.pending_sign_off.level) == (U, R)
    assert f"#{case.pk}" in out.getvalue().split("pending sign-off on the case page")[1]
    case_keep_higher(case_id=case.pk, actor=Actor(doctor), assessment_id=case.pending_sign_off_id)

    call_command("retriage", stdout=StringIO())

    case.refresh_from_db()
    assert (case.level, case.pending_sign_off) == (U, None)
    assert Assessment.objects.filter(submission=submission).count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.KEEP_HIGHER).count() == 1


def test_erasing_her_account_removes_a_case_with_every_re_assessment_link(patient, doctor):
    """The case's links to its assessments and timeline go with them, in one transaction."""
    from django.db import connection

    from patients.gdpr import patient_erase

    case = make_case(patient, level=F, submitted_at=SENT)
    reassess(case, U, at=RETRIAGED)
    reassess(case, P, score=1, flags=[])
    case.refresh_from_db()
    assert case.earlier_advice and case.pending_sign_off and case.contact_task

    patient_erase(patient)

    connection.check_constraints()
    assert not Case.objects.exists()
    assert not Assessment.objects.exists()
    assert not CaseEvent.objects.exists()


def test_what_the_clinic_did_before_a_move_up_no_longer_counts_as_acting_on_it(patient, doctor):
    """The stored moment of acting follows the advice she is shown (the worklist's overdue reads it)."""
    case = make_case(patient, level=F, submitted_at=SENT)
    with time_machine.travel(SENT + timedelta(hours=1), tick=False):
        case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="spoke", seen=0)
    case.refresh_from_db()
    assert case.acted_on_at == SENT + timedelta(hours=1)

    reassess(case, U, at=RETRIAGED)

    case.refresh_from_db()
    assert (case.acted_on_at, case.level_since) == (None, RETRIAGED)
    assert not case_is_acted_on(case)
    spoke = RETRIAGED + timedelta(hours=2)
    with time_machine.travel(spoke, tick=False):
        case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="spoke", seen=1)
    case.refresh_from_db()
    assert case.acted_on_at == spoke
