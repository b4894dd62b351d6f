from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0003_patient_closed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="login_key",
            field=models.CharField(editable=False, max_length=254, null=True, verbose_name="login key"),
        ),
    ]
