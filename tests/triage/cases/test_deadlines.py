"""By when the clinic should act on a case, in working time (RULES.md 11.2, S8)."""

from datetime import date, datetime

import pytest

from clinic.models import ClinicProfile, Closure, clinic_profile
from triage.cases.deadlines import act_by, is_overdue
from triage.models import CaseLevel

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
