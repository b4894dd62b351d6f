"""Run a file of acceptance vignettes (RULES.md section 9) against a rule set."""

from django.core.management.base import BaseCommand, CommandError

from triage.rules import CURRENT, RULE_SETS
from triage.vignettes import VignetteError, check_vignette, load_vignettes


class Command(BaseCommand):
    help = (
        "Check every case of a vignette JSON file against a rule set (the current one unless --rules "
        "says otherwise); exit 1 on any failure."
    )

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
        rule_set = RULE_SETS[options["rules"]]
        try:
            vignettes = load_vignettes(options["file"], rule_set)
        except VignetteError as exc:
            # CommandError prints the message without a traceback and exits 1.
            raise CommandError(str(exc)) from exc

        passed = failed = 0
        for vignette in vignettes:
            outcome = check_vignette(vignette, rule_set)
            if outcome.passed:
                passed += 1
                self.stdout.write(f"PASS {outcome.id}")
            else:
                failed += 1
                self.stdout.write(f"FAIL {outcome.id}: {'; '.join(outcome.problems)}")
        self.stdout.write(f"{passed} passed, {failed} failed")
        if failed:
            raise CommandError(f"{failed} of {len(vignettes)} vignette(s) failed.")
