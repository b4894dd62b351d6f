"""`Case.sort_key` becomes a column the database computes from level and score.

One definition of the worklist order (`triage.models.SORT_KEY`) instead of a
formula repeated in Python; a level can then be renumbered by updating
`level` alone. A column cannot be turned into a generated one in place, so
the indexes that hold it are dropped and built again.
"""

from django.db import migrations, models

QUEUE = ["sort_key", "submitted_at", "submission"]


def queue_indexes():
    return [
        models.Index(fields=QUEUE, name="triage_case_queue_idx"),
        models.Index(
            fields=QUEUE,
            condition=models.Q(level__gt=0) & ~models.Q(status="closed"),
            name="triage_case_open_queue_idx",
        ),
        models.Index(fields=["status", *QUEUE], name="triage_case_status_queue_idx"),
    ]


class Migration(migrations.Migration):
    dependencies = [("triage", "0006_case_rules_version")]

    operations = [
        *[migrations.RemoveIndex(model_name="case", name=index.name) for index in queue_indexes()],
        migrations.RemoveField(model_name="case", name="sort_key"),
        migrations.AddField(
            model_name="case",
            name="sort_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=-(models.F("level") * 1000 + models.F("score")),
                output_field=models.SmallIntegerField(),
                verbose_name="sort key",
            ),
        ),
        *[migrations.AddIndex(model_name="case", index=index) for index in queue_indexes()],
    ]
