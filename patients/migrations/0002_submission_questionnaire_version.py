"""Each questionnaire records the version of the form she answered; earlier ones were rule set 1's."""

from django.db import migrations, models

import patients.models


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="questionnaire_version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="questionnaire version"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="questionnaire_version",
            field=models.PositiveSmallIntegerField(
                default=patients.models.current_questionnaire_version, verbose_name="questionnaire version"
            ),
        ),
    ]
