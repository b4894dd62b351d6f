from django.db import migrations


class Migration(migrations.Migration):
    """The follow-up date is now the linked visit's date (0011 moved the stored dates into visits)."""

    dependencies = [
        ("triage", "0012_follow_up_dates_to_visits"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='case',
            name='follow_up_on',
        ),
    ]
