"""By when the clinic should act on a case: the one computation (RULES.md 11.2, S8).

Each level's time to act is a clinic setting (`ClinicProfile.act_within_*`, defaults from S8) and
is counted in working time (`clinic.hours`): from the moment the case was given its level, or
from the next opening when that was out of hours. Routine cases have none.

The case stores both (`Case.level_since`, `Case.act_by`), so that the worklist filters and sorts
on the deadline in SQL: `case_sync` sets them when a case is created and whenever its level
changes. When the clinic changes its times to act, its hours or its closures, the deadlines of the
open cases nobody has acted on yet are computed again from the same moments
(`schedule_changed`, connected in `TriageConfig.ready`): a new closure moves them, a shorter time
to act brings them forward, and a case already acted on keeps what it had.
"""

from datetime import datetime, timedelta

from django.db import transaction

from clinic.models import SINGLE_ROW_ID, ClinicProfile, clinic_profile

from ..models import Case, CaseLevel

# Each level's time to act: the profile's setting, and what it counts.
_MINUTES, _HOURS, _DAYS = "minutes", "hours", "days"
TIME_TO_ACT = {
    CaseLevel.EMERGENCY: ("act_within_emergency_minutes", _MINUTES),
    # A case the rules could not assess is held to the urgent deadline: nobody knows yet how urgent it is.
    CaseLevel.REVIEW: ("act_within_urgent_hours", _HOURS),
    CaseLevel.URGENT: ("act_within_urgent_hours", _HOURS),
    CaseLevel.PRIORITY: ("act_within_priority_days", _DAYS),
    CaseLevel.FOLLOW_UP: ("act_within_follow_up_days", _DAYS),
}

# Deadlines computed again at once when the clinic changes its schedule (the rest follow in batches).
REFRESH_BATCH = 500


def act_by(level: int, since: datetime, profile: ClinicProfile | None = None) -> datetime | None:
    """The moment by which a case at `level`, given it at `since`, should have been acted on.

    None for a level without a deadline (routine, or one the clinic has left empty), and when
    the clinic does not open again within reach of its hours.
    """
    if level not in TIME_TO_ACT:
        return None
    profile = profile or clinic_profile()
    setting, unit = TIME_TO_ACT[level]
    amount = getattr(profile, setting)
    if not amount:
        return None
    schedule = profile.schedule
    if unit == _DAYS:
        return schedule.add_working_days(since, amount)
    return schedule.add_working_time(since, timedelta(**{unit: amount}))


def is_overdue(level: int, since: datetime, now: datetime, profile: ClinicProfile | None = None) -> bool:
    """Whether a case not yet acted on has passed its time to act at `now`."""
    deadline = act_by(level, since, profile)
    return deadline is not None and now > deadline


def case_deadline(level: int, since: datetime) -> dict:
    """The deadline fields of a new case given `level` at `since` (`Case.objects.create(**...)`)."""
    return {"level_since": since, "act_by": act_by(level, since)}


def case_deadline_move(case: Case, level_before: int, since: datetime) -> None:
    """Give the case (about to be saved) a new deadline when its level changed, counted from `since`."""
    if case.level != level_before or case.level_since is None:
        case.level_since, case.act_by = since, act_by(case.level, since)


def open_cases_deadlines_refresh(profile: ClinicProfile | None = None) -> int:
    """Compute again the deadline of every open case nobody has acted on yet; returns how many moved.

    The profile is read from the database, not the cache: this runs right after it changed.
    """
    profile = profile or ClinicProfile.objects.filter(id=SINGLE_ROW_ID).first() or ClinicProfile(name="")
    waiting = (
        Case.objects.filter(acted_on_at__isnull=True, level_since__isnull=False)
        .exclude(status=Case.Status.CLOSED)
        .only("pk", "level", "level_since", "act_by")
        .order_by("pk")
    )
    moved = []
    for case in waiting.iterator(chunk_size=REFRESH_BATCH):
        deadline = act_by(case.level, case.level_since, profile)
        if deadline != case.act_by:
            case.act_by = deadline
            moved.append(case)
    Case.objects.bulk_update(moved, ["act_by"], batch_size=REFRESH_BATCH)
    return len(moved)


def schedule_changed(**kwargs) -> None:
    """The clinic saved its profile, an opening period or a closure: the deadlines follow once the
    change is committed (several rows saved together compute them again each, cheaply)."""
    transaction.on_commit(open_cases_deadlines_refresh)
