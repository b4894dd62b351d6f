"""Re-assess open submissions with the current rules, keeping every earlier assessment."""

from django.core.management.base import BaseCommand

from triage.rules import RULES_VERSION
from triage.services import open_submissions_retriage


class Command(BaseCommand):
    help = "Re-assess every open case with the current rule set; earlier assessments are kept."

    def handle(self, *args, **options):
        assessed, changed = open_submissions_retriage()
        self.stdout.write(
            f"Re-assessed {assessed} open case(s) with rule set version {RULES_VERSION}; {changed} changed level or flags."
        )
