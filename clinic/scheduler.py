"""Every periodic job, run by one `manage.py run_scheduler`, each at most once at a time anywhere.

A job is a management command (or a function) with a period: every `every`
from its last success, or, with `at`, at that local time on the day its
period comes round. Jobs are registered here (`register`), the portal's own
below and any app's from its `AppConfig.ready`.

Two schedulers (a failover, a mistake) never run one job twice at once: on
PostgreSQL each run holds an advisory lock named after the job, and the job's
last success is read again once the lock is held, so the second scheduler
finds it done. On SQLite (one machine, the demo) jobs simply run.

The last run of each job is a row of `ScheduledJobRun`: /health/, the admin
and the metrics show it, and a job whose last success is older than its
period plus a margin is reported late; a `heartbeat` job every minute makes a
stopped scheduler show within two.
"""

import hashlib
import logging
import time as monotonic_clock
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from . import metrics
from .models import ScheduledJobRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    # With `at`, the job runs at this local time on the day its period comes round (whole days).
    at: time | None = None
    command: str | None = None
    args: tuple[str, ...] = ()
    function: Callable[[], object] | None = field(default=None, compare=False)

    def next_due(self, last_success: datetime | None) -> datetime | None:
        """When the job is next due after its last success; None: due now (never ran)."""
        if last_success is None:
            return None
        if self.at is None:
            return last_success + self.every
        day = timezone.localtime(last_success).date() + timedelta(days=self.every.days)
        return timezone.make_aware(datetime.combine(day, self.at))

    def is_due(self, last_success: datetime | None, now: datetime) -> bool:
        due = self.next_due(last_success)
        return due is None or now >= due

    def is_late(self, last_success: datetime | None, now: datetime) -> bool:
        """Past its due moment by more than the margin (a minute-period job: by one period)."""
        due = self.next_due(last_success)
        if due is None:
            return True
        margin = min(self.every, timedelta(seconds=settings.SCHEDULER_LATE_MARGIN_SECONDS))
        return now > due + margin

    def run(self) -> None:
        if self.function is not None:
            self.function()
        else:
            call_command(self.command, *self.args, verbosity=0)


_registry: dict[str, Job] = {}
# A job that failed waits this long (at most its period) before this process tries it again.
RETRY_AFTER_FAILURE = timedelta(minutes=5)
_retry_at: dict[str, datetime] = {}


def register(job: Job) -> Job:
    """Add a job (or replace the one of the same name); an app calls this from its `ready()`."""
    if (job.command is None) == (job.function is None):
        raise ValueError(f"Job {job.name} needs a command or a function, not both")
    _registry[job.name] = job
    return job


def jobs() -> list[Job]:
    return sorted(_registry.values(), key=lambda job: job.name)


def _heartbeat() -> None:
    """Nothing: its recorded success says the scheduler is alive."""


DAY = timedelta(days=1)
MONTH = timedelta(days=30)
for _job in (
    Job("heartbeat", timedelta(minutes=1), function=_heartbeat),
    # Reminders are claimed once per visit and kind: running hourly sends each on the right day.
    Job("send_visit_reminders", timedelta(hours=1), command="send_visit_reminders"),
    Job("clearsessions", DAY, at=time(3, 0), command="clearsessions"),
    Job("prune_audit", MONTH, at=time(3, 10), command="prune_audit"),
    Job("prune_records", MONTH, at=time(3, 20), command="prune_records"),
    Job("axes_reset_logs", MONTH, at=time(3, 30), command="axes_reset_logs", args=("--age", "180")),
    Job(
        "prune_db_task_results",
        MONTH,
        at=time(3, 40),
        command="prune_db_task_results",
        args=("--queue-name", "*", "--min-age-days", "30"),
    ),
):
    register(_job)


def _lock_key(name: str) -> int:
    """A stable signed 64-bit key for the job's advisory lock."""
    digest = hashlib.blake2b(f"clinic.scheduler:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def job_lock(name: str):
    """Yield True while this process alone holds the job's lock (always True off PostgreSQL)."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = _lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def last_successes() -> dict[str, datetime | None]:
    return dict(ScheduledJobRun.objects.values_list("name", "last_success_at"))


def job_run_if_due(job: Job, now: datetime | None = None) -> str:
    """Run one job if it is due and no other scheduler is running it; returns what happened."""
    now = now or timezone.now()
    with job_lock(job.name) as held:
        if not held:
            return "locked"
        # Read again under the lock: another scheduler may have just run it.
        last = ScheduledJobRun.objects.filter(name=job.name).values_list("last_success_at", flat=True).first()
        if not job.is_due(last, now):
            return "not_due"
        started = timezone.now()
        clock = monotonic_clock.monotonic()
        ScheduledJobRun.objects.update_or_create(name=job.name, defaults={"last_started_at": started})
        try:
            job.run()
        except Exception as exc:
            ScheduledJobRun.objects.filter(name=job.name).update(
                last_error=type(exc).__name__[:200], last_error_at=timezone.now()
            )
            _retry_at[job.name] = now + min(job.every, RETRY_AFTER_FAILURE)
            metrics.SCHEDULED_RUNS.labels(job=job.name, outcome="failed").inc()
            logger.exception("Scheduled job %s failed (%s)", job.name, type(exc).__name__)
            return "failed"
        with transaction.atomic():
            ScheduledJobRun.objects.filter(name=job.name).update(
                last_success_at=timezone.now(), last_duration_seconds=monotonic_clock.monotonic() - clock
            )
        metrics.SCHEDULED_RUNS.labels(job=job.name, outcome="succeeded").inc()
        # The heartbeat's minute-by-minute success is in /health/ and the metrics, not the log.
        (logger.debug if job.name == "heartbeat" else logger.info)("Scheduled job %s succeeded", job.name)
        return "succeeded"


def run_due(now: datetime | None = None, *, only: set[str] | None = None) -> dict[str, str]:
    """One pass: every due job (or those named in `only`), in name order; returns each job's outcome."""
    now = now or timezone.now()
    last = last_successes()
    return {
        job.name: job_run_if_due(job, now)
        for job in jobs()
        if (only is None or job.name in only)
        and job.is_due(last.get(job.name), now)
        and now >= _retry_at.get(job.name, now)
    }


def seconds_to_next(now: datetime | None = None) -> float:
    """How long the scheduler may sleep before a job is due (one second to a minute)."""
    now = now or timezone.now()
    last = last_successes()
    dues = [max(job.next_due(last.get(job.name)) or now, _retry_at.get(job.name, now)) for job in jobs()]
    return max(1.0, min([60.0, *((due - now).total_seconds() for due in dues)]))


@dataclass(frozen=True)
class JobState:
    name: str
    last_success_at: datetime | None
    late: bool


def scheduler_state(now: datetime | None = None) -> list[JobState]:
    """Each registered job's last success and whether it is late (health check, admin, metrics)."""
    now = now or timezone.now()
    last = last_successes()
    return [JobState(job.name, last.get(job.name), job.is_late(last.get(job.name), now)) for job in jobs()]


class SchedulerCollector:
    """Each job's last success (Unix time, 0: never) and whether it is late, for Prometheus."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        last = GaugeMetricFamily(
            "clinic_scheduled_job_last_success_timestamp_seconds", "Last success of each job", labels=["job"]
        )
        late = GaugeMetricFamily("clinic_scheduled_job_late", "1 when a job is past its time", labels=["job"])
        for state in scheduler_state():
            last.add_metric([state.name], state.last_success_at.timestamp() if state.last_success_at else 0)
            late.add_metric([state.name], int(state.late))
        yield last
        yield late

    def describe(self):
        return []
