"""Each case records the assessment in force and the advice she was given: until now both were its
latest assessment, given when she sent the questionnaire."""

from django.db import migrations, models

# Cases updated per statement, by ranges of ids.
BATCH = 5000


def from_latest_assessment(apps, schema_editor):
    Assessment = apps.get_model("triage", "Assessment")
    Case = apps.get_model("triage", "Case")
    latest = models.Subquery(
        Assessment.objects.filter(submission_id=models.OuterRef("pk")).order_by("-created_at", "-pk").values("pk")[:1]
    )
    last = Case.objects.aggregate(last=models.Max("pk"))["last"] or 0
    for start in range(0, last + 1, BATCH):
        Case.objects.filter(pk__gte=start, pk__lt=start + BATCH, advice__isnull=True).update(
            assessment=latest, advice=latest, advised_at=models.F("submitted_at")
        )


def forget(apps, schema_editor):
    Case = apps.get_model("triage", "Case")
    last = Case.objects.aggregate(last=models.Max("pk"))["last"] or 0
    for start in range(0, last + 1, BATCH):
        Case.objects.filter(pk__gte=start, pk__lt=start + BATCH).update(
            assessment=None, advice=None, advised_at=None, earlier_advice=None, earlier_advised_at=None, pending_sign_off=None, contact_task=None
        )


class Migration(migrations.Migration):
    dependencies = [("triage", "0033_case_advice_sign_off_and_contact_task")]

    operations = [migrations.RunPython(from_latest_assessment, forget)]
