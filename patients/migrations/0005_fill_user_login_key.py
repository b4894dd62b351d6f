from django.db import migrations

from clinic.identity import login_key


def fill_login_keys(apps, schema_editor):
    User = apps.get_model("patients", "User")
    users = list(User.objects.only("pk", "email"))
    for user in users:
        user.login_key = login_key(user.email)
    User.objects.bulk_update(users, ["login_key"], batch_size=500)


def clear_login_keys(apps, schema_editor):
    apps.get_model("patients", "User").objects.update(login_key=None)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0004_user_login_key"),
    ]

    operations = [
        migrations.RunPython(fill_login_keys, clear_login_keys),
    ]
