import uuid
from datetime import datetime, time, timedelta

from django.db import migrations
from django.utils import timezone

# A stored follow-up had a date only: its visit is booked at the start of the clinic's morning.
FOLLOW_UP_TIME = time(9, 0)
FOLLOW_UP_MINUTES = 30
QUESTIONNAIRE_WINDOW = timedelta(days=14)


def follow_up_dates_to_visits(apps, schema_editor):
    """Each case's follow-up date becomes a booked follow-up visit linked to the case."""
    Case = apps.get_model("triage", "Case")
    Visit = apps.get_model("triage", "Visit")
    now = timezone.now()
    for case in Case.objects.filter(follow_up_on__isnull=False).order_by("pk").iterator():
        starts_at = timezone.make_aware(datetime.combine(case.follow_up_on, FOLLOW_UP_TIME))
        booked_at = case.last_acted_at or now
        visit = Visit.objects.create(
            patient_id=case.patient_id,
            starts_at=starts_at,
            duration_minutes=FOLLOW_UP_MINUTES,
            kind="follow_up",
            state="booked" if case.status == "follow_up" else "cancelled",
            uid=f"follow-up-{case.pk}-{uuid.uuid4()}",
            questionnaire_since=max(starts_at - QUESTIONNAIRE_WINDOW, booked_at),
            created_at=booked_at,
            created_by_id=case.last_actor_id,
            updated_at=booked_at,
        )
        case.follow_up_visit_id = visit.pk
        case.save(update_fields=["follow_up_visit"])


def visits_to_follow_up_dates(apps, schema_editor):
    Case = apps.get_model("triage", "Case")
    for case in Case.objects.filter(follow_up_visit__isnull=False).select_related("follow_up_visit"):
        case.follow_up_on = timezone.localdate(case.follow_up_visit.starts_at)
        case.save(update_fields=["follow_up_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0011_visits"),
    ]

    operations = [migrations.RunPython(follow_up_dates_to_visits, visits_to_follow_up_dates)]
