"""Run a file of acceptance vignettes (RULES.md section 9) against a rule set."""

from django.core.management.base import BaseCommand, CommandError

from triage.rules import CURRENT, RULE_SETS, RuleSet
from triage.rules.vignettes import VignetteError, check_vignette, cyclic_gc_paused, load_vignettes


class Command(BaseCommand):
    help = (
        "Check every case of a vignette JSON file against a rule set (the current one unless --rules "
        "says otherwise); exit 1 on any failure."
    )
    # The rule engine and a file only: no model, URL or setting is used, so the project's system
    # checks, a fifth of the start-up, are skipped.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the vignette JSON file.")
        parser.add_argument(
            "--rules",
            type=int,
            choices=sorted(RULE_SETS),
            default=CURRENT.version,
            help=f"Rule set to check against (default {CURRENT.version}).",
        )

    def handle(self, *args, **options):
        # The cases are freed when check_file returns, before the collector runs again, so it
        # never walks them (cyclic_gc_paused says why that matters).
        with cyclic_gc_paused():
            try:
                lines, failed, total = check_file(options["file"], RULE_SETS[options["rules"]])
            except VignetteError as exc:
                # CommandError prints the message without a traceback and exits 1.
                raise CommandError(str(exc)) from exc
        # One write: a line at a time through the command's output wrapper cost more than the checks.
        self.stdout.write("\n".join(lines))
        if failed:
            raise CommandError(f"{failed} of {total} vignette(s) failed.")


def check_file(path: str, rule_set: RuleSet) -> tuple[list[str], int, int]:
    """One PASS or FAIL line per case and the totals line; the number failed; the number of cases."""
    vignettes = load_vignettes(path, rule_set)
    lines = []
    failed = 0
    for vignette in vignettes:
        outcome = check_vignette(vignette, rule_set)
        if outcome.passed:
            lines.append(f"PASS {outcome.id}")
        else:
            failed += 1
            lines.append(f"FAIL {outcome.id}: {'; '.join(outcome.problems)}")
    lines.append(f"{len(vignettes) - failed} passed, {failed} failed")
    return lines, failed, len(vignettes)
