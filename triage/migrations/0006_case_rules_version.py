"""The case records which rule set explains its flags, copied from its latest assessment."""

from django.db import migrations, models


def copy_from_latest_assessment(apps, schema_editor):
    Assessment = apps.get_model("triage", "Assessment")
    Case = apps.get_model("triage", "Case")
    for version in Assessment.objects.exclude(rules_version=None).values_list("rules_version", flat=True).distinct():
        latest = (
            Assessment.objects.filter(submission_id=models.OuterRef("pk"))
            .order_by("-created_at", "-pk")
            .values("rules_version")[:1]
        )
        Case.objects.alias(latest_version=models.Subquery(latest)).filter(latest_version=version).update(
            rules_version=version
        )


class Migration(migrations.Migration):
    dependencies = [("triage", "0005_case_flag_statistics")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="rules_version",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="rules version"),
        ),
        migrations.RunPython(copy_from_latest_assessment, migrations.RunPython.noop),
    ]
