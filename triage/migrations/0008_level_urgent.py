"""Rule set 2 adds the level `urgent` between priority and emergency.

Stored levels move up to make room: emergency 3 → 4, manual review 4 → 5
(in cases, assessments and the re-assessment events' details). `sort_key`
follows by itself, being computed from the level.
"""

from django.db import migrations, models

LEVEL_CHOICES = [
    (0, "Routine"),
    (1, "Follow-up"),
    (2, "Priority"),
    (3, "Urgent"),
    (4, "Emergency"),
    (5, "Manual review"),
]
# Re-assessment events are rewritten this many at a time (one UPDATE each batch).
BATCH = 2000
# Applied in this order, so that no level is moved twice.
FORWARD = ((4, 5), (3, 4))
# Going back, urgent cases become priority, the nearest level rule set 1 has.
BACKWARD = ((3, 2), (4, 3), (5, 4))


def _renumber(apps, steps):
    Assessment = apps.get_model("triage", "Assessment")
    Case = apps.get_model("triage", "Case")
    CaseEvent = apps.get_model("triage", "CaseEvent")
    for old, new in steps:
        Case.objects.filter(level=old).update(level=new)
        Assessment.objects.filter(level=old).update(level=new)
    # Where each stored level ends up after all the steps.
    final = {}
    for level, _label in LEVEL_CHOICES:
        moved = level
        for old, new in steps:
            moved = new if moved == old else moved
        final[level] = moved
    changed = []
    for event in CaseEvent.objects.filter(kind="retriage").only("pk", "detail").iterator(chunk_size=BATCH):
        detail = event.detail if isinstance(event.detail, dict) else {}
        parts = [detail.get(side) for side in ("from", "to")]
        parts = [part for part in parts if isinstance(part, dict) and part.get("level") in final]
        for part in parts:
            part["level"] = final[part["level"]]
        if parts:
            changed.append(event)
        if len(changed) == BATCH:
            CaseEvent.objects.bulk_update(changed, ["detail"])
            changed = []
    CaseEvent.objects.bulk_update(changed, ["detail"])


def forward(apps, schema_editor):
    _renumber(apps, FORWARD)


def backward(apps, schema_editor):
    _renumber(apps, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("triage", "0007_case_sort_key_generated")]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="level",
            field=models.PositiveSmallIntegerField(choices=LEVEL_CHOICES, verbose_name="level"),
        ),
        migrations.AlterField(
            model_name="case",
            name="level",
            field=models.PositiveSmallIntegerField(choices=LEVEL_CHOICES, verbose_name="level"),
        ),
        migrations.RunPython(forward, backward),
    ]
