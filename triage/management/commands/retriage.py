"""Re-assess open submissions with the current rules, keeping every earlier assessment (RULES.md 11)."""

from django.core.management.base import BaseCommand

from triage.cases.assessments import open_submissions_retriage, open_submissions_retriage_preview
from triage.models import CaseLevel
from triage.rules import RULES_VERSION

# Most urgent first, as on the worklist.
LEVELS = sorted(CaseLevel, reverse=True)


class Command(BaseCommand):
    help = (
        "Re-assess every open case with the current rule set; earlier assessments are kept. "
        "With --dry-run, print how many open cases would move from each level to each other level, "
        "and which would move up, without writing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report the moves without recording anything."
        )

    def handle(self, *args, **options):
        if options["dry_run"]:
            self._report(open_submissions_retriage_preview())
            return
        assessed, changed = open_submissions_retriage()
        self.stdout.write(
            f"Re-assessed {assessed} open case(s) with rule set {RULES_VERSION}; "
            f"{changed} changed level, score or flags."
        )

    def _report(self, preview):
        names = {level: level.name.lower() for level in LEVELS}
        width = max(len(name) for name in names.values()) + 2
        self.stdout.write(
            f"Dry run: {preview.assessed} open case(s) assessed with rule set {RULES_VERSION}; nothing was written."
        )
        self.stdout.write("Rows: level now; columns: level under the current rules.")
        self.stdout.write("from \\ to".ljust(width) + "".join(names[level].rjust(width) for level in LEVELS))
        for before in LEVELS:
            cells = "".join(str(preview.moves.get((before, after), 0)).rjust(width) for after in LEVELS)
            self.stdout.write(names[before].ljust(width) + cells)
        moved = sum(n for (before, after), n in preview.moves.items() if before != after)
        self.stdout.write(f"{moved} case(s) would change level; {len(preview.moved_up)} would move up.")
        if preview.moved_up:
            self.stdout.write("Moving up: " + ", ".join(f"#{pk}" for pk in preview.moved_up))
