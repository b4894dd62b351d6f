"""Queue the reminders due before booked visits (settings.VISIT_REMINDER_DAYS).

Run it from a timer, e.g. hourly; each reminder is sent once however often it runs,
and however many copies run at the same time.
"""

from django.core.management.base import BaseCommand

from triage.visits.services import reminders_send


class Command(BaseCommand):
    help = "Queue the reminders to fill in the questionnaire that are due before booked visits."

    def handle(self, *args, **options):
        queued = reminders_send()
        self.stdout.write(f"{queued} reminders queued.")
