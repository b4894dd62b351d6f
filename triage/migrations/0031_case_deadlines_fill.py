"""Give every open case its deadline and, where the clinic has acted on it, when it did.

The deadline comes from the one computation (`triage.cases.deadlines.act_by`, plain Python on the
clinic's settings and hours read here), counted from the moment the case was given its level: the
first of its latest assessments at that level. Whether the clinic acted is read as
`triage.cases.acted_on` read it when this migration was written (a migration keeps its own copy,
so that it still runs once the models have moved on; a test checks the two agree).
"""

from types import SimpleNamespace

from django.db import migrations
from django.db.models import DateTimeField, OuterRef, Subquery

from clinic import hours
from clinic.models import (
    DEFAULT_ACT_WITHIN_EMERGENCY_MINUTES,
    DEFAULT_ACT_WITHIN_FOLLOW_UP_DAYS,
    DEFAULT_ACT_WITHIN_PRIORITY_DAYS,
    DEFAULT_ACT_WITHIN_URGENT_HOURS,
)

BATCH = 500


def _profile(apps):
    """What `act_by` reads of the clinic profile: its times to act and its schedule."""
    ClinicProfile = apps.get_model("clinic", "ClinicProfile")
    OpeningInterval = apps.get_model("clinic", "OpeningInterval")
    Closure = apps.get_model("clinic", "Closure")
    row = ClinicProfile.objects.filter(id=1).first()
    if row is None:
        return SimpleNamespace(
            act_within_emergency_minutes=DEFAULT_ACT_WITHIN_EMERGENCY_MINUTES,
            act_within_urgent_hours=DEFAULT_ACT_WITHIN_URGENT_HOURS,
            act_within_priority_days=DEFAULT_ACT_WITHIN_PRIORITY_DAYS,
            act_within_follow_up_days=DEFAULT_ACT_WITHIN_FOLLOW_UP_DAYS,
            schedule=hours.Schedule(),
        )
    schedule = hours.Schedule(
        intervals=tuple(
            hours.Interval(item.weekday, item.opens, item.closes)
            for item in OpeningInterval.objects.filter(profile_id=row.pk)
        ),
        closures=tuple(
            hours.Closure(item.first_day, item.last_day, item.reason)
            for item in Closure.objects.filter(profile_id=row.pk)
        ),
        public_holidays=row.closed_on_public_holidays,
    )
    return SimpleNamespace(
        act_within_emergency_minutes=row.act_within_emergency_minutes,
        act_within_urgent_hours=row.act_within_urgent_hours,
        act_within_priority_days=row.act_within_priority_days,
        act_within_follow_up_days=row.act_within_follow_up_days,
        schedule=schedule,
    )


def _first(queryset):
    return Subquery(queryset.order_by("created_at", "pk").values("created_at")[:1], output_field=DateTimeField())


def _acted_on_at(case):
    """`triage.cases.acted_on.acted_on(case).at` as it stood: the clinic spoke with her, else the
    first of leaving `new` and a visit booked."""
    if case.spoke_at is not None:
        return case.spoke_at
    status_at = case.status_at
    if status_at is None and case.status != "new":
        status_at = case.last_acted_at or case.submitted_at
    found = [at for at in (status_at, case.visit_at) if at is not None]
    return min(found) if found else None


def _level_since(case, levels):
    """The first of the latest assessments at the case's level (its submission if none)."""
    since = None
    for level, created_at in levels:
        if level != case.level:
            break
        since = created_at
    return since or case.submitted_at


def fill(apps, schema_editor):
    from triage.cases.deadlines import act_by

    Case = apps.get_model("triage", "Case")
    Assessment = apps.get_model("triage", "Assessment")
    CaseEvent = apps.get_model("triage", "CaseEvent")
    ContactAttempt = apps.get_model("triage", "ContactAttempt")
    Visit = apps.get_model("triage", "Visit")
    profile = _profile(apps)
    cases = (
        Case.objects.exclude(status="closed")
        .annotate(
            status_at=_first(
                CaseEvent.objects.filter(case_id=OuterRef("pk"), kind="status", from_status="new").exclude(
                    to_status="new"
                )
            ),
            visit_at=_first(
                Visit.objects.filter(
                    patient_id=OuterRef("patient_id"), created_at__gte=OuterRef("submitted_at")
                ).exclude(state="cancelled")
            ),
            spoke_at=_first(ContactAttempt.objects.filter(case_id=OuterRef("pk"), outcome="spoke")),
        )
        .order_by("pk")
    )
    batch = []
    for case in cases.iterator(chunk_size=BATCH):
        batch.append(case)
        if len(batch) == BATCH:
            _write(Case, Assessment, batch, profile, act_by)
            batch = []
    _write(Case, Assessment, batch, profile, act_by)


def _write(Case, Assessment, cases, profile, act_by):
    if not cases:
        return
    levels = {}
    for submission_id, level, created_at in Assessment.objects.filter(
        submission_id__in=[case.pk for case in cases]
    ).order_by("submission_id", "-created_at", "-pk").values_list("submission_id", "level", "created_at"):
        levels.setdefault(submission_id, []).append((level, created_at))
    for case in cases:
        case.level_since = _level_since(case, levels.get(case.pk, ()))
        case.act_by = act_by(case.level, case.level_since, profile)
        case.acted_on_at = _acted_on_at(case)
    Case.objects.bulk_update(cases, ["level_since", "act_by", "acted_on_at"])


def empty(apps, schema_editor):
    apps.get_model("triage", "Case").objects.update(level_since=None, act_by=None, acted_on_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_clinic_profile_booking_calendar_url"),
        ("triage", "0030_case_deadline"),
    ]

    operations = [migrations.RunPython(fill, empty)]
