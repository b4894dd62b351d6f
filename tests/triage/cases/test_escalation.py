"""Escalation of cases nobody acknowledges in time (RULES.md 11.2, S8), counted in the clinic's
working time (Monday to Friday 9:00-13:00 and 14:30-18:30 in the demo profile) on a clock that is
moved, never waited for."""

import threading
from datetime import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connections, transaction
from django.urls import reverse

from clinic.hours import CLINIC_ZONE
from clinic.models import ClinicProfile
from patients.models import Submission
from tests.factories import make_doctor
from tests.test_support import run_tasks
from tests.triage.worklist import E, F, M, P, U
from triage.audit.writer import Actor
from triage.cases.assessments import case_sync
from triage.cases.escalation import (
    ESCALATION_STEPS,
    escalation_send,
    escalations_send_due,
    priority_digest_send,
)
from triage.cases.services import case_change_status
from triage.models import Assessment, Case, CaseEvent, Escalation, EscalationDigest

pytestmark = pytest.mark.django_db

MOBILE = "+393331234567"
FRONT_DESK = "frontdesk@example.com"


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=CLINIC_ZONE)


MONDAY_10 = rome(2026, 12, 14, 10, 0)
FRIDAY_22 = rome(2026, 12, 11, 22, 0)


@pytest.fixture
def doctor(db):
    """A doctor who reads the portal in English (the clinic's own language is Italian)."""
    user = make_doctor()
    user.language = "en"
    user.save()
    return user


@pytest.fixture
def front_desk(db):
    ClinicProfile.objects.filter(id=1).update(escalation_email=FRONT_DESK)


def arrive(patient, level, at, **answers) -> Case:
    """A questionnaire sent at `at` and assessed at `level`: its case, planned as the portal plans it."""
    with time_machine.travel(at, tick=False), transaction.atomic():
        submission = Submission.objects.create(
            patient=patient,
            status=Submission.Status.SUBMITTED,
            answers=answers,
            age=35,
            submitted_at=at,
        )
        assessment = Assessment.objects.create(
            submission=submission, level=level, score=7, flags=["HEAVY_ACUTE"], rules_version=3
        )
        return case_sync(submission, assessment)


def reassess(case, level, at, score=9) -> None:
    with time_machine.travel(at, tick=False), transaction.atomic():
        assessment = Assessment.objects.create(
            submission_id=case.pk, level=level, score=score, flags=["HEAVY_ACUTE"], rules_version=3
        )
        case_sync(Submission.objects.get(pk=case.pk), assessment)


def open_case_page(client, doctor, case, at):
    """A doctor opens the case page at `at`, in a session of that moment."""
    with time_machine.travel(at, tick=False):
        client.force_login(doctor)
        response = client.get(reverse("triage:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response


def run_sender(at) -> int:
    """The scheduler's minute at `at`, then the task worker delivering what it queued."""
    with time_machine.travel(at, tick=False):
        sent = escalations_send_due()
        run_tasks()
    return sent


def reminders() -> list:
    return [m for m in mail.outbox if m.subject.startswith(("Reminder", "Promemoria"))]


def contact_alerts() -> list:
    return [m for m in mail.outbox if m.subject.startswith(("Escalation", "Sollecito"))]


def steps(case) -> dict[str, Escalation]:
    return {step.step: step for step in Escalation.objects.filter(case=case).order_by("pk")}


def test_the_thresholds_are_those_of_the_rules():
    assert {
        level: [(step, amount.total_seconds() / 60) for step, amount in plan]
        for level, plan in ESCALATION_STEPS.items()
    } == {
        E: [("reminder", 30), ("contact", 120)],
        U: [("reminder", 120), ("contact", 240)],
        M: [("reminder", 120), ("contact", 240)],
    }


def test_an_emergency_not_opened_is_reminded_once_after_30_working_minutes(patient, doctor, front_desk):
    case = arrive(patient, E, MONDAY_10)

    assert run_sender(rome(2026, 12, 14, 10, 29)) == 0
    assert reminders() == []
    assert run_sender(rome(2026, 12, 14, 10, 30)) == 1
    assert run_sender(rome(2026, 12, 14, 10, 45)) == 0

    (reminder,) = reminders()
    assert reminder.to == [doctor.email]
    assert reminder.subject == "Reminder: emergency case not yet opened"
    assert reminder.body.splitlines()[0] == "Emergency"
    assert "http://testserver/dashboard/\n" in reminder.body or "/dashboard/\n" in reminder.body
    assert contact_alerts() == []
    assert steps(case)["reminder"].sent_at == rome(2026, 12, 14, 10, 30)


def test_an_emergency_still_not_opened_alerts_the_escalation_contact_at_2_working_hours(
    patient, doctor, front_desk
):
    arrive(patient, E, MONDAY_10)
    run_sender(rome(2026, 12, 14, 10, 31))

    run_sender(rome(2026, 12, 14, 11, 59))
    assert contact_alerts() == []
    run_sender(rome(2026, 12, 14, 12, 0))
    run_sender(rome(2026, 12, 14, 12, 5))

    (alert,) = contact_alerts()
    assert alert.to == [FRONT_DESK]
    # The escalation contact reads the clinic's language.
    assert alert.subject == "Sollecito: caso di emergenza non ancora visto da un medico"
    assert alert.body.splitlines()[0] == "Emergenza"
    assert len(reminders()) == 1


def test_an_urgent_case_is_reminded_at_2_working_hours_and_escalated_at_4(patient, doctor, front_desk):
    case = arrive(patient, U, MONDAY_10)

    run_sender(rome(2026, 12, 14, 11, 59))
    assert reminders() == []
    run_sender(rome(2026, 12, 14, 12, 0))
    assert [m.subject for m in reminders()] == ["Reminder: urgent case not yet opened"]
    # Four working hours: 10:00-13:00, then the afternoon from 14:30; lunch does not count.
    assert steps(case)["contact"].due_at == rome(2026, 12, 14, 15, 30)
    run_sender(rome(2026, 12, 14, 15, 29))
    assert contact_alerts() == []
    run_sender(rome(2026, 12, 14, 15, 30))
    assert [m.to for m in contact_alerts()] == [[FRONT_DESK]]


def test_a_case_at_manual_review_escalates_as_an_urgent_one(patient, doctor, front_desk):
    case = arrive(patient, M, MONDAY_10)

    assert {name: step.due_at for name, step in steps(case).items()} == {
        "reminder": rome(2026, 12, 14, 12, 0),
        "contact": rome(2026, 12, 14, 15, 30),
    }
    run_sender(rome(2026, 12, 14, 12, 0))
    assert [m.subject for m in reminders()] == ["Reminder: case for manual review not yet opened"]


def test_an_emergency_on_friday_at_22_is_counted_from_monday_morning(patient, doctor, front_desk):
    case = arrive(patient, E, FRIDAY_22)

    assert {name: step.due_at for name, step in steps(case).items()} == {
        "reminder": rome(2026, 12, 14, 9, 30),
        "contact": rome(2026, 12, 14, 11, 0),
    }
    run_sender(rome(2026, 12, 12, 10, 0))  # Saturday
    run_sender(rome(2026, 12, 14, 9, 29))
    assert reminders() == []
    run_sender(rome(2026, 12, 14, 9, 30))
    assert len(reminders()) == 1


def test_opening_the_case_page_cancels_what_is_pending_and_nothing_is_sent_after(
    patient, doctor, client, front_desk
):
    case = arrive(patient, E, MONDAY_10)
    opened = rome(2026, 12, 14, 10, 10)

    open_case_page(client, doctor, case, opened)
    # The page is a read: it records the view in the audit log and changes nothing else.
    assert all(step.cancelled_at is None for step in steps(case).values())
    for minute in (rome(2026, 12, 14, 10, 31), rome(2026, 12, 14, 12, 1), rome(2026, 12, 15, 12, 0)):
        assert run_sender(minute) == 0

    assert reminders() == contact_alerts() == []
    assert {step.cancelled_at for step in steps(case).values()} == {opened}
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ESCALATION).exists()


def test_an_opening_before_the_first_alert_does_not_acknowledge_a_later_level(
    patient, doctor, client, front_desk
):
    case = arrive(patient, F, MONDAY_10)
    open_case_page(client, doctor, case, rome(2026, 12, 14, 10, 5))
    reassess(case, E, rome(2026, 12, 14, 10, 10))

    run_sender(rome(2026, 12, 14, 10, 40))

    assert [m.subject for m in reminders()] == ["Reminder: emergency case not yet opened"]


def test_opening_the_page_after_the_reminder_stops_the_escalation_contact(
    patient, doctor, client, front_desk
):
    case = arrive(patient, E, MONDAY_10)
    run_sender(rome(2026, 12, 14, 10, 30))
    open_case_page(client, doctor, case, rome(2026, 12, 14, 11, 0))

    run_sender(rome(2026, 12, 14, 12, 0))

    assert len(reminders()) == 1
    assert contact_alerts() == []
    assert steps(case)["contact"].cancelled_at == rome(2026, 12, 14, 11, 0)


def test_a_status_change_cancels_the_pending_steps(patient, doctor, front_desk):
    case = arrive(patient, U, MONDAY_10)
    changed = rome(2026, 12, 14, 11, 0)
    with time_machine.travel(changed, tick=False):
        case_change_status(
            case_id=case.pk,
            actor=Actor(user=doctor),
            to_status=Case.Status.IN_REVIEW,
            expected_version=case.version,
        )

    run_sender(rome(2026, 12, 14, 12, 0))
    run_sender(rome(2026, 12, 14, 16, 0))

    assert reminders() == contact_alerts() == []
    assert {step.cancelled_at for step in steps(case).values()} == {changed}


def test_a_step_found_acknowledged_when_it_is_sent_is_cancelled_not_sent(patient, doctor, client):
    case = arrive(patient, E, MONDAY_10)
    open_case_page(client, doctor, case, rome(2026, 12, 14, 10, 20))
    reminder = steps(case)["reminder"]

    # The step is sent directly, without the pass that cancels acknowledged cases first.
    with time_machine.travel(rome(2026, 12, 14, 10, 30), tick=False):
        assert escalation_send(reminder.pk) is False

    reminder.refresh_from_db()
    assert (reminder.sent_at, reminder.cancelled_at) == (None, rome(2026, 12, 14, 10, 20))


def test_two_runs_of_the_sender_send_once(patient, doctor, front_desk):
    case = arrive(patient, E, MONDAY_10)
    due = rome(2026, 12, 14, 10, 30)

    with time_machine.travel(due, tick=False):
        first = escalations_send_due()
        second = escalations_send_due()
        again = escalation_send(steps(case)["reminder"].pk)
        run_tasks()

    assert (first, second, again) == (1, 0, False)
    assert len(reminders()) == 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ESCALATION).count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_senders_passing_at_once_send_a_step_once(patient, doctor):
    """Two scheduler hosts (or a pass run by hand beside the scheduler) at the same moment: the row
    lock and the claim let one send and the other find the step sent."""
    case = arrive(patient, E, MONDAY_10)
    start = threading.Barrier(2)
    outcomes = []

    def sender():
        try:
            start.wait(10)
            outcomes.append(escalations_send_due())
        finally:
            connections.close_all()

    with time_machine.travel(rome(2026, 12, 14, 10, 30), tick=False):
        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        run_tasks()

    assert sorted(outcomes) == [0, 1]
    assert len(reminders()) == 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ESCALATION).count() == 1


def test_a_closed_case_or_one_moved_below_urgent_is_not_escalated(patient, other_patient, doctor):
    closed = arrive(patient, E, MONDAY_10)
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED)
    lowered = arrive(other_patient, U, MONDAY_10)
    reassess(lowered, F, rome(2026, 12, 14, 10, 5))

    run_sender(rome(2026, 12, 14, 16, 0))

    assert reminders() == contact_alerts() == []
    assert all(step.cancelled_at for step in Escalation.objects.all())


def test_a_move_up_into_emergency_schedules_anew_from_the_re_assessment(patient, doctor):
    case = arrive(patient, U, MONDAY_10)
    moved = rome(2026, 12, 14, 10, 20)

    reassess(case, E, moved)

    pending = Escalation.objects.filter(case=case, cancelled_at=None)
    assert {(step.level, step.step, step.due_at) for step in pending} == {
        (E, "reminder", rome(2026, 12, 14, 10, 50)),
        (E, "contact", rome(2026, 12, 14, 12, 20)),
    }
    assert set(Escalation.objects.filter(case=case, level=U).values_list("cancelled_at", flat=True)) == {
        moved
    }
    run_sender(rome(2026, 12, 14, 10, 50))
    assert [m.subject for m in reminders()] == ["Reminder: emergency case not yet opened"]


def test_a_move_up_never_delays_a_step_the_earlier_level_had_due_sooner(patient, doctor):
    case = arrive(patient, U, MONDAY_10)

    reassess(case, E, rome(2026, 12, 14, 11, 45))

    pending = Escalation.objects.filter(case=case, cancelled_at=None)
    # The emergency's own times would be 12:15 and 15:15 (lunch does not count); the urgent
    # reminder was due at 12:00 and keeps that time.
    assert {(step.level, step.step, step.due_at) for step in pending} == {
        (E, "reminder", rome(2026, 12, 14, 12, 0)),
        (E, "contact", rome(2026, 12, 14, 15, 15)),
    }


def test_a_re_assessment_that_keeps_the_level_keeps_counting_from_the_first_alert(patient, doctor):
    case = arrive(patient, U, MONDAY_10)

    reassess(case, U, rome(2026, 12, 14, 11, 0), score=12)
    reassess(case, M, rome(2026, 12, 14, 11, 10))

    assert list(
        Escalation.objects.filter(case=case).values_list("level", "step", "due_at", "cancelled_at")
    ) == [
        (U, "reminder", rome(2026, 12, 14, 12, 0), None),
        (U, "contact", rome(2026, 12, 14, 15, 30), None),
    ]
    run_sender(rome(2026, 12, 14, 12, 0))
    # The reminder names the level the case has when it goes.
    assert [m.subject for m in reminders()] == ["Reminder: case for manual review not yet opened"]


def test_a_case_sent_as_the_portal_assesses_it_is_planned_too(patient, doctor):
    from patients.services import submission_record

    with time_machine.travel(MONDAY_10, tick=False):
        submission = submission_record(
            patient=patient, answers={"soaks_pad_hourly": True}, submitted_at=MONDAY_10
        )

    assert submission.case.level == E
    assert {step.step: step.due_at for step in Escalation.objects.filter(case_id=submission.pk)} == {
        "reminder": rome(2026, 12, 14, 10, 30),
        "contact": rome(2026, 12, 14, 12, 0),
    }


def test_demo_data_plans_no_escalation(patient):
    from outbox.services import emails_held

    with emails_held():
        arrive(patient, E, MONDAY_10)

    assert not Escalation.objects.exists()


# The daily digest of priority cases (S8): two working days from Monday 10:00 end on Wednesday at 18:30.


def digest_at(moment) -> int:
    with time_machine.travel(moment, tick=False):
        listed = priority_digest_send()
        run_tasks()
    return listed


def digests() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Daily digest")]


def test_the_digest_lists_priority_cases_not_acted_on_after_2_working_days(patient, other_patient, doctor):
    waiting = arrive(patient, P, MONDAY_10)
    acted = arrive(other_patient, P, MONDAY_10)
    recent = arrive(patient, P, rome(2026, 12, 16, 10, 0))
    urgent = arrive(patient, U, MONDAY_10)
    with time_machine.travel(rome(2026, 12, 15, 9, 0), tick=False):
        case_change_status(
            case_id=acted.pk,
            actor=Actor(user=doctor),
            to_status=Case.Status.IN_REVIEW,
            expected_version=acted.version,
        )

    assert digest_at(rome(2026, 12, 16, 8, 0)) == 0
    assert digests() == []
    assert digest_at(rome(2026, 12, 17, 8, 0)) == 1

    (digest,) = digests()
    assert digest.to == [doctor.email]
    assert digest.subject == "Daily digest: 1 priority case not acted on"
    assert f"Case {waiting.pk}: Priority" in digest.body
    for other in (acted, recent, urgent):
        assert f"Case {other.pk}:" not in digest.body
    assert "/dashboard/?level=2\n" in digest.body
    assert steps(acted)["digest"].cancelled_at is not None


def test_the_digest_goes_once_a_day_and_again_the_next_day_while_nobody_acts(patient, doctor):
    case = arrive(patient, P, MONDAY_10)

    assert digest_at(rome(2026, 12, 17, 8, 0)) == 1
    assert digest_at(rome(2026, 12, 17, 8, 1)) == 0
    assert digest_at(rome(2026, 12, 18, 8, 0)) == 1

    assert len(digests()) == 2
    assert list(EscalationDigest.objects.order_by("day").values_list("cases", flat=True)) == [1, 1]
    # The timeline records its first listing only.
    (event,) = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ESCALATION)
    assert event.detail == {"step": "digest", "level": P, "channels": ["digest"]}


def test_nothing_to_list_sends_no_digest(patient, doctor):
    case = arrive(patient, P, MONDAY_10)
    with time_machine.travel(rome(2026, 12, 14, 11, 0), tick=False):
        case_change_status(
            case_id=case.pk,
            actor=Actor(user=doctor),
            to_status=Case.Status.IN_REVIEW,
            expected_version=case.version,
        )

    assert digest_at(rome(2026, 12, 17, 8, 0)) == 0
    assert digests() == []
    assert not EscalationDigest.objects.exists()
