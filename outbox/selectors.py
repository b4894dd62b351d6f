"""Reads for the health check and the admin: how far behind the queue is, what failed."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import OutboundEmail, OutboundText


@dataclass(frozen=True)
class QueueState:
    oldest_pending_seconds: int | None
    failed_tasks: int
    failed_emails: int
    emails_in_doubt: int
    emails_retrying: int
    failed_texts: int = 0
    texts_in_doubt: int = 0
    texts_retrying: int = 0

    def problems(self) -> list[str]:
        """Short names of what is wrong, for the health check's 503 (empty when all is well)."""
        problems = []
        if (
            self.oldest_pending_seconds is not None
            and self.oldest_pending_seconds > settings.HEALTH_TASK_MAX_WAIT_SECONDS
        ):
            problems.append("task_queue_stalled")
        if self.failed_tasks:
            problems.append("tasks_failed")
        if self.failed_emails:
            problems.append("emails_failed")
        if self.emails_in_doubt:
            problems.append("emails_in_doubt")
        if self.failed_texts:
            problems.append("texts_failed")
        if self.texts_in_doubt:
            problems.append("texts_in_doubt")
        return problems


def _oldest_due(now) -> timedelta | None:
    """How long the longest-waiting task that is due has been waiting."""
    ready = DBTaskResult.objects.filter(status="READY")
    never_deferred = ready.filter(run_after=get_date_max()).order_by("enqueued_at").first()
    deferred = ready.filter(run_after__lte=now).order_by("run_after").first()
    waits = []
    if never_deferred is not None:
        waits.append(now - never_deferred.enqueued_at)
    if deferred is not None:
        waits.append(now - max(deferred.run_after, deferred.enqueued_at))
    return max(waits, default=None)


def queue_state() -> QueueState:
    now = timezone.now()
    oldest = _oldest_due(now)
    stale_sending = now - timedelta(seconds=settings.EMAIL_SEND_TIMEOUT_SECONDS)
    emails = OutboundEmail.objects
    return QueueState(
        oldest_pending_seconds=None if oldest is None else max(int(oldest.total_seconds()), 0),
        failed_tasks=DBTaskResult.objects.filter(
            status="FAILED",
            finished_at__gte=now - timedelta(seconds=settings.HEALTH_FAILED_TASK_WINDOW_SECONDS),
        ).count(),
        failed_emails=emails.filter(status=OutboundEmail.Status.FAILED).count(),
        emails_in_doubt=emails.filter(
            Q(status=OutboundEmail.Status.IN_DOUBT)
            | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=stale_sending)
        ).count(),
        emails_retrying=emails.filter(status=OutboundEmail.Status.PENDING, attempts__gt=0).count(),
        **_text_counts(stale_sending),
    )


def _text_counts(stale_sending) -> dict[str, int]:
    """The same three counts for text messages, in one query."""
    Status = OutboundText.Status
    return OutboundText.objects.aggregate(
        failed_texts=Count("pk", filter=Q(status=Status.FAILED)),
        texts_in_doubt=Count(
            "pk", filter=Q(status=Status.IN_DOUBT) | Q(status=Status.SENDING, claimed_at__lt=stale_sending)
        ),
        texts_retrying=Count("pk", filter=Q(status=Status.PENDING, attempts__gt=0)),
    )
