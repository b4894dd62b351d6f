from django.db import migrations, models

from clinic.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # The case table is the largest: its indexes are built without blocking writes (PostgreSQL).
    atomic = False

    dependencies = [
        ("triage", "0031_case_deadlines_fill"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                condition=models.Q(("act_by__isnull", False), ("acted_on_at__isnull", True), models.Q(("status", "closed"), _negated=True)),
                fields=["sort_key", "submitted_at", "submission", "act_by"],
                name="triage_case_pending_idx",
            ),
        ),
    ]
