from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0005_fill_user_login_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="login_key",
            field=models.CharField(editable=False, max_length=254, unique=True, verbose_name="login key"),
        ),
    ]
