"""By when the clinic should act on a case, in working time (RULES.md 11.2, S8)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from clinic.models import ClinicProfile, Closure, clinic_profile
from patients.services import submission_record
from triage.audit.writer import Actor
from triage.cases.assessments import case_sync
from triage.cases.deadlines import act_by, is_overdue
from triage.cases.retriage_tasks import case_sign_off_lower
from triage.cases.services import case_log_contact
from triage.models import Assessment, Case, CaseLevel

# Soaking a pad every hour: an emergency (RULES.md, HEAVY_ACUTE).
EMERGENCY_ANSWERS = {"soaks_pad_hourly": True}

pytestmark = pytest.mark.django_db


def rome(*args):
    from clinic.hours import CLINIC_ZONE

    return datetime(*args, tzinfo=CLINIC_ZONE)


FRIDAY_NIGHT = rome(2026, 12, 11, 22, 25)


@pytest.mark.parametrize(
    ("level", "deadline"),
    [
        pytest.param(CaseLevel.EMERGENCY, rome(2026, 12, 14, 9, 30), id="emergency-30-working-minutes"),
        pytest.param(CaseLevel.URGENT, rome(2026, 12, 14, 11, 0), id="urgent-2-working-hours"),
        pytest.param(CaseLevel.REVIEW, rome(2026, 12, 14, 11, 0), id="unassessed-as-urgent"),
        pytest.param(CaseLevel.PRIORITY, rome(2026, 12, 16, 18, 30), id="priority-2-working-days"),
        pytest.param(CaseLevel.FOLLOW_UP, rome(2026, 12, 29, 18, 30), id="follow-up-10-working-days"),
        pytest.param(CaseLevel.ROUTINE, None, id="routine-none"),
    ],
)
def test_a_case_sent_on_friday_night_is_counted_from_monday_morning(level, deadline):
    # Follow-up: Tue 15 ... Fri 18 (4), Mon 21-Thu 24 (8), Christmas and St Stephen closed, Mon 28 (9), Tue 29 (10).
    assert act_by(level, FRIDAY_NIGHT) == deadline


def test_a_closure_pushes_the_deadline():
    Closure.objects.create(profile_id=1, first_day=date(2026, 12, 14), last_day=date(2026, 12, 14))
    assert act_by(CaseLevel.URGENT, FRIDAY_NIGHT) == rome(2026, 12, 15, 11, 0)


def test_the_clinic_sets_the_times():
    ClinicProfile.objects.update(act_within_urgent_hours=4, act_within_priority_days=None)
    assert act_by(CaseLevel.URGENT, rome(2026, 12, 14, 9)) == rome(2026, 12, 14, 13)
    assert act_by(CaseLevel.PRIORITY, rome(2026, 12, 14, 9)) is None


def test_without_hours_every_hour_counts():
    clinic_profile().opening_intervals.all().delete()
    assert act_by(CaseLevel.EMERGENCY, FRIDAY_NIGHT) == rome(2026, 12, 11, 22, 55)


def test_overdue_only_after_the_deadline():
    assert not is_overdue(CaseLevel.EMERGENCY, FRIDAY_NIGHT, rome(2026, 12, 14, 9, 30))
    assert is_overdue(CaseLevel.EMERGENCY, FRIDAY_NIGHT, rome(2026, 12, 14, 9, 31))
    assert not is_overdue(CaseLevel.ROUTINE, FRIDAY_NIGHT, rome(2027, 1, 1))


@pytest.mark.parametrize(
    ("level", "since", "deadline"),
    [
        # Clocks go forward on Sunday 29 March 2026: Friday 17:30 + 2 working hours is Monday 10:00.
        pytest.param(
            CaseLevel.URGENT, rome(2026, 3, 27, 17, 30), rome(2026, 3, 30, 10, 0), id="march-urgent"
        ),
        pytest.param(
            CaseLevel.PRIORITY, rome(2026, 3, 27, 17, 30), rome(2026, 3, 31, 18, 30), id="march-priority"
        ),
        # Clocks go back on Sunday 25 October 2026.
        pytest.param(
            CaseLevel.EMERGENCY, rome(2026, 10, 23, 18, 15), rome(2026, 10, 26, 9, 15), id="october-emergency"
        ),
        pytest.param(
            CaseLevel.URGENT, rome(2026, 10, 24, 3, 0), rome(2026, 10, 26, 11, 0), id="october-urgent"
        ),
    ],
)
def test_a_change_of_the_clocks_moves_no_deadline_by_an_hour(level, since, deadline):
    assert act_by(level, since) == deadline


@pytest.mark.parametrize(
    ("since", "deadline"),
    [
        # Without hours every hour counts: 01:50 + 30 minutes is 03:20, as 02:00-03:00 does not exist.
        pytest.param(rome(2026, 3, 29, 1, 50), rome(2026, 3, 29, 3, 20), id="march-the-lost-hour"),
        # 02:50 summer time + 30 minutes is 02:20 winter time (the repeated hour).
        pytest.param(
            datetime(2026, 10, 25, 0, 50, tzinfo=UTC),
            datetime(2026, 10, 25, 1, 20, tzinfo=UTC),
            id="october-the-repeated-hour",
        ),
    ],
)
def test_around_the_clock_the_deadline_is_30_real_minutes_across_the_change(since, deadline):
    clinic_profile().opening_intervals.all().delete()
    assert act_by(CaseLevel.EMERGENCY, since) == deadline
    assert act_by(CaseLevel.EMERGENCY, since) - since == timedelta(minutes=30)


def test_a_new_case_gets_its_deadline_from_when_she_sent_it(patient):
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        submission = submission_record(patient=patient, answers=EMERGENCY_ANSWERS, submitted_at=FRIDAY_NIGHT)
    case = Case.objects.get(pk=submission.pk)
    assert case.level == CaseLevel.EMERGENCY
    assert (case.level_since, case.act_by) == (FRIDAY_NIGHT, rome(2026, 12, 14, 9, 30))
    assert case.acted_on_at is None


def test_a_change_of_level_counts_again_from_the_re_assessment_and_a_same_level_one_does_not(patient, doctor):
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        submission = submission_record(patient=patient, answers=EMERGENCY_ANSWERS, submitted_at=FRIDAY_NIGHT)
    case = Case.objects.get(pk=submission.pk)
    first = (case.level_since, case.act_by)
    later = rome(2026, 12, 15, 10, 0)
    with time_machine.travel(later - timedelta(hours=1), tick=False):
        lower = Assessment.objects.create(submission=submission, level=CaseLevel.URGENT, score=3)
        case_sync(submission, lower)
    # A lower level waits for a doctor's sign-off (RULES.md 11.2, S5): the deadline stays until then.
    case.refresh_from_db()
    assert (case.level, case.level_since, case.act_by) == (CaseLevel.EMERGENCY, *first)
    with time_machine.travel(later, tick=False):
        case_sign_off_lower(case_id=case.pk, actor=Actor(doctor), assessment_id=lower.pk)
    case.refresh_from_db()
    assert (case.level, case.level_since, case.act_by) == (CaseLevel.URGENT, later, rome(2026, 12, 15, 12, 0))
    with time_machine.travel(later + timedelta(hours=5), tick=False):
        case_sync(
            submission, Assessment.objects.create(submission=submission, level=CaseLevel.URGENT, score=5)
        )
    case.refresh_from_db()
    assert (case.score, case.level_since, case.act_by) == (5, later, rome(2026, 12, 15, 12, 0))


def test_the_clinic_changing_its_times_or_hours_moves_the_deadlines_of_cases_not_yet_acted_on(
    patient, doctor, django_capture_on_commit_callbacks
):
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        waiting = Case.objects.get(
            pk=submission_record(patient=patient, answers=EMERGENCY_ANSWERS, submitted_at=FRIDAY_NIGHT).pk
        )
        acted = Case.objects.get(
            pk=submission_record(patient=patient, answers=EMERGENCY_ANSWERS, submitted_at=FRIDAY_NIGHT).pk
        )
        case_log_contact(case_id=acted.pk, actor=Actor(doctor), outcome="spoke", seen=0)
    acted.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        profile = ClinicProfile.objects.get()
        profile.act_within_emergency_minutes = 60
        profile.save()
    waiting.refresh_from_db()
    assert waiting.act_by == rome(2026, 12, 14, 10, 0)

    with django_capture_on_commit_callbacks(execute=True):
        Closure.objects.create(profile_id=1, first_day=date(2026, 12, 14), last_day=date(2026, 12, 14))
    waiting.refresh_from_db()
    assert waiting.act_by == rome(2026, 12, 15, 10, 0)
    assert Case.objects.get(pk=acted.pk).act_by == acted.act_by
