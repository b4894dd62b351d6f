"""Fetch the booking system's published calendar now and import it, as the scheduler does every
few minutes (`triage/visits/sync.py`): for a first try, for cron and for tests."""

from django.core.management.base import BaseCommand, CommandError

from clinic.models import masked_url
from clinic.scheduler import job_lock
from triage.models import CalendarSync
from triage.visits.presenters import sync_summary
from triage.visits.sync import SYNC_JOB, NoCalendarAddress, calendar_sync, configured_url


class Command(BaseCommand):
    help = "Fetch the booking calendar (the clinic profile's address, or --url) and import its visits."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="fetch this address instead of the clinic profile's")
        parser.add_argument(
            "--allow-private",
            action="store_true",
            help="allow a plain http address or one on a private or local network",
        )

    def handle(self, *args, url, allow_private, **options):
        with job_lock(SYNC_JOB) as held:
            if not held:
                raise CommandError("A calendar sync is running already; try again in a moment.")
            try:
                state = calendar_sync(url, allow_private=True if allow_private else None)
            except NoCalendarAddress:
                raise CommandError(
                    "No calendar address: set it in the clinic profile (admin) or give --url."
                ) from None
        where = masked_url(url or configured_url())
        for line in sync_summary(state):
            self.stdout.write(line)
        if state.last_outcome == CalendarSync.Outcome.FAILED:
            raise CommandError(f"The calendar sync from {where} failed.")
        self.stdout.write(f"Calendar synced from {where}.")
