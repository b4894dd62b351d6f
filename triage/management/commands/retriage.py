"""Re-assess open submissions with the current rules, keeping every earlier assessment (RULES.md 11)."""

from django.core.management.base import BaseCommand

from triage.cases.assessments import open_submissions_retriage, open_submissions_retriage_preview
from triage.models import CaseLevel
from triage.rules import RULES_VERSION

# Most urgent first, as on the worklist.
LEVELS = sorted(CaseLevel, reverse=True)


class Command(BaseCommand):
    help = (
        "Re-assess every open case with the current rule set; earlier assessments are kept. A move up "
        "applies at once (she is notified and a contact task opens for urgent and emergency); a move "
        "down waits for a doctor's sign-off on the case page. "
        "With --dry-run, print how many open cases would move from each level to each other level, "
        "and, in two separate lists, which would move up and which down with the flags each would gain "
        "or lose, without writing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report the moves without recording anything."
        )

    def handle(self, *args, **options):
        if options["dry_run"]:
            self._report(open_submissions_retriage_preview())
            return
        run = open_submissions_retriage()
        changed = len(run.moved_up) + len(run.pending_sign_off) + len(run.same_level)
        self.stdout.write(
            f"Re-assessed {run.assessed} open case(s) with rule set {RULES_VERSION}; "
            f"{changed} changed level, score or flags."
        )
        # RULES.md 11.2 S6: what the release procedure does next, case by case.
        self._ids(f"Moved up: {len(run.moved_up)} case(s)", run.moved_up)
        self._ids(
            f"Moved up into urgent or emergency, to contact (worklist task): {len(run.to_contact)} case(s)",
            run.to_contact,
        )
        self._ids(
            f"Lower level pending sign-off on the case page: {len(run.pending_sign_off)} case(s)",
            run.pending_sign_off,
        )
        self._ids(f"Same level, score or flags updated: {len(run.same_level)} case(s)", run.same_level)

    def _ids(self, title, ids):
        self.stdout.write(title)
        if ids:
            self.stdout.write("  " + " ".join(f"#{pk}" for pk in ids))

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
        self.stdout.write(
            f"{moved} case(s) would change level; {len(preview.moved_up)} would move up, "
            f"{len(preview.moved_down)} would move down."
        )
        # RULES.md 11.2 S6: the moves up and the moves down are separate lists, each case by its id.
        self._moves("Moving up", preview.moved_up, names)
        self._moves("Moving down", preview.moved_down, names)

    def _moves(self, title, moves, names):
        self.stdout.write("")
        self.stdout.write(f"{title}: {len(moves)} case(s)")
        if not moves:
            return
        rows = [("case", "from", "to", "flags gained", "flags lost")]
        for move in moves:
            rows.append(
                (
                    f"#{move.pk}",
                    names[CaseLevel(move.level)],
                    names[CaseLevel(move.new_level)],
                    " ".join(f"+{code}" for code in move.gained) or "-",
                    " ".join(f"-{code}" for code in move.lost) or "-",
                )
            )
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
            self.stdout.write("  ".join([*cells, row[4]]).rstrip())
