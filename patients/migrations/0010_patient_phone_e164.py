"""Store every patient's phone number as E.164, as the sign-up and profile forms now do.

A stored value that is not a valid number is kept as it is: a number the
patient wrote is still worth reading to whoever calls her, and the profile
form asks her to correct it the next time she saves it. Only how many were
kept is printed, never a number.
"""

from django.db import migrations

from clinic.phones import InvalidPhone, phone_normalise

# Numbers are written back this many at a time (one UPDATE each batch).
BATCH = 1000


def to_e164(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    kept = 0
    changed = []
    for patient in Patient.objects.exclude(phone="").only("pk", "phone").iterator(chunk_size=BATCH):
        try:
            normalised = phone_normalise(patient.phone)
        except InvalidPhone:
            kept += 1
            continue
        if normalised != patient.phone:
            patient.phone = normalised
            changed.append(patient)
        if len(changed) == BATCH:
            Patient.objects.bulk_update(changed, ["phone"])
            changed = []
    Patient.objects.bulk_update(changed, ["phone"])
    if kept:
        print(f"\n  {kept} phone number(s) could not be read and were kept as written.")


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0009_user_language"),
    ]

    operations = [
        # Going back keeps E.164, which the old forms accepted too.
        migrations.RunPython(to_e164, migrations.RunPython.noop),
    ]
