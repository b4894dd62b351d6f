"""By when the clinic should act on a case: the one computation (RULES.md 11.2, S8).

Each level's time to act is a clinic setting (`ClinicProfile.act_within_*`, defaults from S8) and
is counted in working time (`clinic.hours`): from the moment the case was given its level, or
from the next opening when that was out of hours. Routine cases have none.
"""

from datetime import datetime, timedelta

from clinic.models import ClinicProfile, clinic_profile

from ..models import CaseLevel


def act_by(level: int, since: datetime, profile: ClinicProfile | None = None) -> datetime | None:
    """The moment by which a case at `level`, given it at `since`, should have been acted on.

    None for a level without a deadline (routine, or one the clinic has left empty), and when
    the clinic does not open again within reach of its hours. A case the rules could not assess
    is held to the urgent deadline: nobody knows yet how urgent it is.
    """
    profile = profile or clinic_profile()
    schedule = profile.schedule
    if level == CaseLevel.EMERGENCY and profile.act_within_emergency_minutes:
        return schedule.add_working_time(since, timedelta(minutes=profile.act_within_emergency_minutes))
    if level in (CaseLevel.URGENT, CaseLevel.REVIEW) and profile.act_within_urgent_hours:
        return schedule.add_working_time(since, timedelta(hours=profile.act_within_urgent_hours))
    if level == CaseLevel.PRIORITY and profile.act_within_priority_days:
        return schedule.add_working_days(since, profile.act_within_priority_days)
    if level == CaseLevel.FOLLOW_UP and profile.act_within_follow_up_days:
        return schedule.add_working_days(since, profile.act_within_follow_up_days)
    return None


def is_overdue(level: int, since: datetime, now: datetime, profile: ClinicProfile | None = None) -> bool:
    """Whether a case not yet acted on has passed its time to act at `now`."""
    deadline = act_by(level, since, profile)
    return deadline is not None and now > deadline
