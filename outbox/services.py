"""Queue an email in the caller's transaction; send it later, once, with retries.

Each kind of email is one function decorated with `@outbox_email`: it takes
identifiers (JSON values, never health data) and returns the `Message` to
send, or None when there is nothing to send any more. Queuing one is
`that_function.enqueue(case_id=...)`.

Delivery guarantee: at most once per queued message. The row is marked
"sending" and committed before the mail server is contacted, and "sent"
after; a worker that dies in between leaves it "sending", and it is then
reported (health check, admin, error log) as "may have been sent" instead
of being sent a second time. A failure that the mail server reports is
retried with back-off (`EMAIL_RETRY_DELAYS`), then the message ends
"failed", visible in the same places.
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from clinic import metrics

from .models import OutboundEmail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    to: list[str]
    subject: str
    body: str


class EmailNotDelivered(Exception):
    """The last attempt failed; the message stays in the outbox as failed."""


@dataclass(frozen=True)
class Channel:
    """One way the outbox reaches people (emails here, text messages in `outbox.texts`): what the
    steps every channel shares (`_claim`, `retry_or_fail`, `message_send_again`) read of it."""

    model: type  # its outbox table
    noun: str  # how the logs name one message
    task_name: str  # its delivery task in `outbox.tasks`
    not_delivered: type[Exception]  # raised when a message fails for good
    logger: logging.Logger

    def schedule(self, message_id: int, run_after=None) -> None:
        """Queue the delivery task of a message, now or at `run_after`."""
        from . import tasks

        task = getattr(tasks, self.task_name)
        (task if run_after is None else task.using(run_after=run_after)).enqueue(message_id)


EMAILS = Channel(OutboundEmail, "Email", "email_deliver_task", EmailNotDelivered, logger)


class OutboxEmail:
    """One kind of email: how to build it from its identifiers, and how to queue it."""

    def __init__(self, build: Callable[..., Message | None]):
        self.build = build
        self.kind = f"{build.__module__}.{build.__qualname__}"
        self.__doc__ = build.__doc__

    def __call__(self, **params) -> Message | None:
        return self.build(**params)

    def enqueue(self, **params) -> OutboundEmail | None:
        return email_enqueue(self, params)


def outbox_email(build: Callable[..., Message | None]) -> OutboxEmail:
    """Declare a kind of email (see the module docstring)."""
    return OutboxEmail(build)


def _kind_for(path: str) -> OutboxEmail:
    """The email kind stored in a row; only functions declared with `@outbox_email` are accepted."""
    kind = import_string(path)
    if not isinstance(kind, OutboxEmail):
        raise SuspiciousOperation(f"{path} is not an outbox email")
    return kind


_held: ContextVar[bool] = ContextVar("outbox_emails_held", default=False)


@contextmanager
def emails_held():
    """Queue nothing within this block: demo data creates urgent cases that must email no one."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def messages_held() -> bool:
    """Whether messages are held here (`emails_held`): what would plan messages for later plans none."""
    return _held.get()


def email_enqueue(kind: OutboxEmail, params: dict) -> OutboundEmail | None:
    """Record the message and its delivery task in the caller's transaction.

    Both are rows of the same database, so a rolled-back transaction leaves
    neither, and a committed one always has its task.
    """
    if _held.get():
        return None
    with transaction.atomic():
        message = OutboundEmail.objects.create(kind=kind.kind, params=params)
        EMAILS.schedule(message.pk)
    return message


def retry_delay(attempts: int, delays=None) -> timedelta | None:
    """The wait before the next attempt after `attempts` failed ones; None once they are used up."""
    delays = settings.EMAIL_RETRY_DELAYS if delays is None else delays
    if attempts > len(delays):
        return None
    return timedelta(seconds=delays[attempts - 1])


def _claim(message_id: int, channel: Channel = EMAILS):
    """Mark the message as being sent, in a committed transaction of its own, or say why not.

    Shared by every channel.
    """
    model, noun = channel.model, channel.noun
    with transaction.atomic():
        message = model.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return None
        if message.status == model.Status.SENDING:
            # An earlier attempt stopped after it may have reached the mail server or the provider.
            message.status = model.Status.IN_DOUBT
            message.save(update_fields=["status"])
            logger.error(
                "%s %s (%s) may have been sent by a worker that stopped; not sending it again.",
                noun,
                message.pk,
                message.kind_name,
            )
            return None
        if message.status != model.Status.PENDING:
            return None
        message.status = model.Status.SENDING
        message.attempts += 1
        message.claimed_at = timezone.now()
        message.save(update_fields=["status", "attempts", "claimed_at"])
        return message


def email_deliver(message_id: int) -> str:
    """Send one queued message (the task's body); returns the status it ends in."""
    message = _claim(message_id)
    if message is None:
        status = OutboundEmail.objects.filter(pk=message_id).values_list("status", flat=True).first()
        return status or "missing"
    try:
        built = _kind_for(message.kind)(**message.params)
        if built is not None and built.to:
            EmailMessage(built.subject, built.body, None, built.to).send()
    except Exception as exc:
        return _record_failure(message, exc)
    message.status = OutboundEmail.Status.SENT if built and built.to else OutboundEmail.Status.SKIPPED
    message.sent_at = timezone.now()
    message.save(update_fields=["status", "sent_at"])
    if message.status == OutboundEmail.Status.SENT:
        metrics.EMAILS_SENT.labels(kind=message.kind_name).inc()
        delay = (message.sent_at - message.created_at).total_seconds()
        metrics.EMAIL_DELAY.labels(kind=message.kind_name).observe(max(delay, 0))
    return message.status


def _record_failure(message: OutboundEmail, exc: Exception) -> str:
    return retry_or_fail(EMAILS, message, exc, retry_delay(message.attempts))


def retry_or_fail(
    channel: Channel, message, exc: Exception, delay: timedelta | None, *, level=logging.WARNING
) -> str:
    """After a failed attempt: schedule the next one after `delay`, or, with none left, end the
    message as failed and raise the channel's `not_delivered`; a retry is logged at `level`.

    Only the exception's type is kept and logged: its text may quote the message or its address.
    """
    error = type(exc).__name__
    with transaction.atomic():
        message.last_error = error[:200]
        if delay is None:
            message.status = channel.model.Status.FAILED
        else:
            message.status = channel.model.Status.PENDING
            channel.schedule(message.pk, run_after=timezone.now() + delay)
        message.save(update_fields=["status", "last_error"])
    if delay is None:
        channel.logger.error(
            "%s %s (%s) failed after %d attempts: %s",
            channel.noun,
            message.pk,
            message.kind_name,
            message.attempts,
            error,
        )
        # Not chained: the stored traceback must not carry the server's text (it may quote addresses).
        raise channel.not_delivered(
            f"{channel.noun.lower()} {message.pk} failed after {message.attempts} attempts: {error}"
        ) from None
    channel.logger.log(
        level,
        "%s %s (%s) attempt %d failed (%s); retrying in %d s",
        channel.noun,
        message.pk,
        message.kind_name,
        message.attempts,
        error,
        delay.total_seconds(),
    )
    return message.status


@transaction.atomic
def message_send_again(channel: Channel, message) -> None:
    """Queue a failed or in-doubt message once more, by a deliberate act of staff."""
    message.status = channel.model.Status.PENDING
    message.attempts = 0
    message.save(update_fields=["status", "attempts"])
    channel.schedule(message.pk)


def email_send_again(message: OutboundEmail) -> None:
    message_send_again(EMAILS, message)


def emails_cancel(*, user_ids=(), visit_ids=(), submission_ids=()) -> int:
    """Cancel every message not yet sent that is about these accounts, visits or questionnaires.

    Used when a patient closes or erases her account: nothing more may reach her, whatever was
    queued before. Returns how many were cancelled.
    """
    from django.db.models import Q

    about = Q(pk__in=[])
    if user_ids:
        about |= Q(params__user_id__in=list(user_ids))
    if visit_ids:
        about |= Q(params__visit_id__in=list(visit_ids))
    if submission_ids:
        about |= Q(params__submission_id__in=list(submission_ids))
    return OutboundEmail.objects.filter(about, status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.CANCELLED
    )


def message_dismiss(message) -> None:
    """Settle a failed or in-doubt message of any channel without sending it, by staff."""
    message.status = message.Status.DISMISSED
    message.save(update_fields=["status"])


email_dismiss = message_dismiss
