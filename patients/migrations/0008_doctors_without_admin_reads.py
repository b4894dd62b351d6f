from django.conf import settings
from django.db import migrations
from django.db.models import Q

# What the doctors' group could read in the admin before: patient data without an audit row.
ADMIN_READS = {
    "triage": ("view_case", "view_assessment", "view_caseevent"),
    "patients": ("view_patient", "view_submission", "view_consent"),
}


def _admin_read_permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    query = Q()
    for app_label, codenames in ADMIN_READS.items():
        query |= Q(content_type__app_label=app_label, codename__in=codenames)
    return Permission.objects.filter(query)


def remove_admin_reads(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=settings.DOCTORS_GROUP).first()
    if group is not None:
        group.permissions.remove(*_admin_read_permissions(apps))


def restore_admin_reads(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=settings.DOCTORS_GROUP).first()
    if group is not None:
        group.permissions.add(*_admin_read_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("patients", "0007_password_reset_request"),
    ]

    operations = [
        migrations.RunPython(remove_admin_reads, restore_admin_reads),
    ]
