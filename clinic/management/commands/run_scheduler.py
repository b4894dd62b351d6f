"""Run every periodic job on its schedule (clinic/scheduler.py), until stopped (SIGTERM, Ctrl-C)."""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from clinic import scheduler


class Command(BaseCommand):
    help = "Run every periodic job on its schedule; --once runs the due ones and exits."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run the jobs that are due, then exit")
        parser.add_argument(
            "--job",
            action="append",
            default=[],
            choices=[job.name for job in scheduler.jobs()],
            help="with --once: only this job (repeatable)",
        )

    def handle(self, *, once: bool, job: list[str], **options):
        if job and not once:
            raise CommandError("--job goes with --once: the scheduler itself runs every job.")
        if once:
            self._report(scheduler.run_due(only=set(job) or None))
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(f"Scheduler started: {', '.join(job.name for job in scheduler.jobs())}")
        while not stop.is_set():
            close_old_connections()
            self._report(scheduler.run_due())
            stop.wait(scheduler.seconds_to_next())
        self.stdout.write("Scheduler stopped.")

    def _report(self, outcomes: dict[str, str]) -> None:
        for name, outcome in outcomes.items():
            if outcome != "not_due" and (name, outcome) != ("heartbeat", "succeeded"):
                self.stdout.write(f"{name}: {outcome}")
        self.stdout.flush()
