"""Run a file of acceptance vignettes (RULES.md section 9) against the rule engine."""

from django.core.management.base import BaseCommand, CommandError

from triage.vignettes import VignetteError, check_vignette, load_vignettes


class Command(BaseCommand):
    help = "Check every case of a vignette JSON file against the triage rules; exit 1 on any failure."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the vignette JSON file.")

    def handle(self, *args, **options):
        try:
            vignettes = load_vignettes(options["file"])
        except VignetteError as exc:
            # CommandError prints the message without a traceback and exits 1.
            raise CommandError(str(exc)) from exc

        passed = failed = 0
        for vignette in vignettes:
            outcome = check_vignette(vignette)
            if outcome.passed:
                passed += 1
                self.stdout.write(f"PASS {outcome.id}")
            else:
                failed += 1
                self.stdout.write(f"FAIL {outcome.id}: {'; '.join(outcome.problems)}")
        self.stdout.write(f"{passed} passed, {failed} failed")
        if failed:
            raise CommandError(f"{failed} of {len(vignettes)} vignette(s) failed.")
