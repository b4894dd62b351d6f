"""Delete audit events past the retention period (24 months at least).

    python manage.py prune_audit                      # older than 24 months
    python manage.py prune_audit --older-than-months 36
    python manage.py prune_audit --dry-run            # count only

Run it from cron, e.g. monthly. Events younger than the cut-off are never touched.
"""

import calendar
from datetime import datetime

import pgtrigger
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from triage.models import AuditEvent

MINIMUM_MONTHS = 24


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` earlier, on the last day of the month where that day is missing."""
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


class Command(BaseCommand):
    help = "Delete audit events older than the retention period (default and minimum: 24 months)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-months",
            type=int,
            default=MINIMUM_MONTHS,
            help=f"Retention in months; at least {MINIMUM_MONTHS}.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, older_than_months, dry_run, **options):
        if older_than_months < MINIMUM_MONTHS:
            raise CommandError(
                f"Audit events are kept at least {MINIMUM_MONTHS} months; got {older_than_months}."
            )
        cutoff = months_before(timezone.now(), older_than_months)
        with transaction.atomic():
            expired = AuditEvent.objects.filter(created_at__lt=cutoff)
            if dry_run:
                count = expired.count()
                verb = "Would delete"
            else:
                # The one exception to the database's append-only trigger (PostgreSQL).
                with pgtrigger.ignore("triage.AuditEvent:audit_no_delete"):
                    count, _ = expired._prune()
                verb = "Deleted"
        self.stdout.write(f"{verb} {count} audit events from before {cutoff:%Y-%m-%d %H:%M %Z}.")
