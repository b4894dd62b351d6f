"""The free-text opening hours become weekly opening hours.

The Italian text is read when it has the form the portal suggested ("lunedì-venerdì
9:00-13:00 e 14:30-18:30", several parts separated by ";"). Whatever cannot be read in full
stays, in both languages, as the note shown after the hours, so nothing typed is lost; the
clinic then enters its hours in the admin, and until it does every hour counts as working time.
"""

import re
from datetime import time

from django.db import migrations, models

DAYS = {
    "lun": 0, "mar": 1, "mer": 2, "gio": 3, "ven": 4, "sab": 5, "dom": 6,
}
NAMES = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
DAY = r"(lun|mar|mer|gio|ven|sab|dom)[a-zì]*\.?"
CLOCK = r"(\d{1,2})(?:[:.](\d{2}))?"
PART = re.compile(rf"^{DAY}(?:\s*(?:-|a)\s*{DAY})?\s+(.+)$")
SPAN = re.compile(rf"^{CLOCK}\s*-\s*{CLOCK}$")


def read_hours(text: str):
    """[(weekday, opens, closes)] from the text, or None if any part cannot be read."""
    rows = []
    for part in re.split(r"[;\n]", text.strip().lower()):
        part = part.strip().rstrip(".")
        if not part:
            continue
        match = PART.match(part)
        if not match:
            return None
        first, last, spans = DAYS[match[1]], DAYS[match[2] or match[1]], match[3]
        if last < first:
            return None
        for span in re.split(r"\s*(?:,|\be\b)\s*", spans):
            clock = SPAN.match(span.strip())
            if not clock:
                return None
            h1, m1, h2, m2 = (int(value or 0) for value in clock.groups())
            if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h2, m2) <= (h1, m1):
                return None
            rows += [(day, time(h1, m1), time(h2, m2)) for day in range(first, last + 1)]
    return rows or None


def hours_from_text(apps, schema_editor):
    Profile = apps.get_model("clinic", "ClinicProfile")
    Interval = apps.get_model("clinic", "OpeningInterval")
    for profile in Profile.objects.all():
        rows = read_hours(profile.opening_hours_it)
        if rows is None:
            continue
        Interval.objects.bulk_create(
            Interval(profile=profile, weekday=day, opens=opens, closes=closes) for day, opens, closes in rows
        )
        profile.opening_hours_it = profile.opening_hours_en = ""
        profile.save(update_fields=["opening_hours_it", "opening_hours_en"])


def text_from_hours(apps, schema_editor):
    Profile = apps.get_model("clinic", "ClinicProfile")
    Interval = apps.get_model("clinic", "OpeningInterval")
    for profile in Profile.objects.all():
        rows = Interval.objects.filter(profile=profile).order_by("weekday", "opens")
        if rows and not profile.opening_hours_it:
            profile.opening_hours_it = "; ".join(
                f"{NAMES[row.weekday]} {row.opens:%H:%M}-{row.closes:%H:%M}" for row in rows
            )[:200]
            profile.save(update_fields=["opening_hours_it"])
        rows.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0003_opening_hours'),
    ]

    operations = [
        migrations.RunPython(hours_from_text, text_from_hours),
        migrations.RenameField(
            model_name='clinicprofile',
            old_name='opening_hours_en',
            new_name='hours_note_en',
        ),
        migrations.RenameField(
            model_name='clinicprofile',
            old_name='opening_hours_it',
            new_name='hours_note_it',
        ),
        migrations.AlterField(
            model_name='clinicprofile',
            name='hours_note_en',
            field=models.CharField(blank=True, max_length=200, verbose_name='note on the hours (English)'),
        ),
        migrations.AlterField(
            model_name='clinicprofile',
            name='hours_note_it',
            field=models.CharField(blank=True, help_text='Shown after the opening hours, e.g. "solo su appuntamento".', max_length=200, verbose_name='note on the hours (Italian)'),
        ),
    ]
