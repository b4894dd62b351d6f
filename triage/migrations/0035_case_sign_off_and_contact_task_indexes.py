from django.db import migrations, models

from clinic.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # The case table is the largest: its indexes are built without blocking writes (PostgreSQL).
    atomic = False

    dependencies = [("triage", "0034_case_advice_from_latest_assessment")]

    operations = [
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                condition=models.Q(("pending_sign_off__isnull", False), models.Q(("status", "closed"), _negated=True)),
                fields=["pending_sign_off"],
                name="triage_case_sign_off_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                condition=models.Q(("contact_task__isnull", False), models.Q(("status", "closed"), _negated=True)),
                fields=["contact_task"],
                name="triage_case_contact_task_idx",
            ),
        ),
    ]
