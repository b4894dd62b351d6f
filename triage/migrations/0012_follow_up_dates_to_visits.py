import uuid
from datetime import datetime, time, timedelta

from django.db import migrations
from django.utils import timezone

# A stored follow-up had a date only: its visit is booked at the start of the clinic's morning.
FOLLOW_UP_TIME = time(9, 0)
FOLLOW_UP_MINUTES = 30
QUESTIONNAIRE_WINDOW = timedelta(days=14)


# Cases are moved this many at a time: one INSERT of their visits and one UPDATE of their links.
BATCH = 2000


def _batches(queryset):
    """The rows of `queryset` (values) in lists of BATCH, by primary key, without OFFSET."""
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        rows = list(page.order_by("pk")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1]["pk"]


def follow_up_dates_to_visits(apps, schema_editor):
    """Each case's follow-up date becomes a booked follow-up visit linked to the case."""
    Case = apps.get_model("triage", "Case")
    Visit = apps.get_model("triage", "Visit")
    now = timezone.now()
    cases = Case.objects.filter(follow_up_on__isnull=False).values(
        "pk", "patient_id", "follow_up_on", "status", "last_acted_at", "last_actor_id"
    )
    for rows in _batches(cases):
        visits = []
        for case in rows:
            starts_at = timezone.make_aware(datetime.combine(case["follow_up_on"], FOLLOW_UP_TIME))
            booked_at = case["last_acted_at"] or now
            visits.append(
                Visit(
                    patient_id=case["patient_id"],
                    starts_at=starts_at,
                    duration_minutes=FOLLOW_UP_MINUTES,
                    kind="follow_up",
                    state="booked" if case["status"] == "follow_up" else "cancelled",
                    uid=f"follow-up-{case['pk']}-{uuid.uuid4()}",
                    questionnaire_since=max(starts_at - QUESTIONNAIRE_WINDOW, booked_at),
                    created_at=booked_at,
                    created_by_id=case["last_actor_id"],
                    updated_at=booked_at,
                )
            )
        Visit.objects.bulk_create(visits)
        links = [Case(pk=case["pk"], follow_up_visit_id=visit.pk) for case, visit in zip(rows, visits, strict=True)]
        Case.objects.bulk_update(links, ["follow_up_visit"])


def visits_to_follow_up_dates(apps, schema_editor):
    Case = apps.get_model("triage", "Case")
    cases = Case.objects.filter(follow_up_visit__isnull=False).values("pk", "follow_up_visit__starts_at")
    for rows in _batches(cases):
        dates = [
            Case(pk=case["pk"], follow_up_on=timezone.localdate(case["follow_up_visit__starts_at"]))
            for case in rows
        ]
        Case.objects.bulk_update(dates, ["follow_up_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0011_visits"),
    ]

    operations = [migrations.RunPython(follow_up_dates_to_visits, visits_to_follow_up_dates)]
