"""Delete the records of closed accounts whose retention period is over.

    python manage.py prune_records            # delete
    python manage.py prune_records --dry-run  # count only

The period (`CLINICAL_RECORD_RETENTION_YEARS`, default 10) runs from the
last clinical entry: the newest questionnaire, assessment or case event.
Running it again deletes nothing more; run it from cron, e.g. monthly.
"""

from django.core.management.base import BaseCommand

from patients.gdpr import patient_erase, records_past_retention


class Command(BaseCommand):
    help = "Delete closed accounts' clinical records once their retention period is over."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, dry_run, **options):
        expired = records_past_retention()
        if not dry_run:
            for patient in expired:
                patient_erase(patient)
        verb = "Would delete" if dry_run else "Deleted"
        # Counts only: the output may end up in a mail from cron.
        self.stdout.write(
            f"{verb} the records of {len(expired)} closed accounts past their retention period."
        )
