"""Text messages: queued in the caller's transaction, sent later by the task worker, once, with retries.

The same outbox as emails (`outbox.services`): the same task queue, the same
claim before the provider is contacted (a worker that stops half-way leaves
the message "may have been sent", never sent twice), the same staff actions
and health report. Each kind of text is one function decorated with
`@outbox_text`: it takes the patient and identifiers and returns the words,
or None when there is nothing to send any more; `that_function.enqueue(
patient=..., key=..., visit_id=...)` queues it. `key` names the message
(e.g. "visit-reminder:12:3"): queuing the same key again queues nothing.

A text goes only to a patient who opted in (`Patient.accepts_texts`),
checked when it is queued and again when it is sent, in her language. It
never holds health data or her name: the clinic's name, what it is about in
general words, a link and the clinic's phone (`compose`), at most 160 GSM-7
characters.

A text to the clinic's own staff (the doctor on duty, the escalation contact) is a kind declared
with `@outbox_clinic_text`: it goes to a number from the clinic profile, read when it is sent,
in the clinic's language, with no patient and no consent to check; it names no patient either.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from clinic.models import clinic_profile
from clinic.phones import phone_display

from .gsm7 import fits_one_message
from .models import OutboundText
from .services import Channel, _claim, _held, message_dismiss, message_send_again, retry_delay, retry_or_fail
from .sms import RecipientOptedOut, SmsError, sms_backend

logger = logging.getLogger(__name__)


class TextNotDelivered(Exception):
    """The text failed for good; it stays in the outbox as failed."""


TEXTS = Channel(OutboundText, "Text message", "text_deliver_task", TextNotDelivered, logger)


def compose(about: str, path: str) -> str:
    """The one shape of every text: "<clinic>: <what it is about> <link> Tel. <clinic's phone>".

    `about` is a sentence in general words (already translated); `path` is the portal page
    the link opens, behind `SMS_LINK_BASE_URL`. A phone too long for one message (a foreign
    number) is left out rather than the text split in two: the link says the rest.
    """
    clinic = clinic_profile()
    values = {
        "name": clinic.text_name,
        "about": about,
        "link": f"{settings.SMS_LINK_BASE_URL}{path}",
        "phone": phone_display(clinic.phone),
    }
    if values["phone"]:
        text = _("%(name)s: %(about)s %(link)s Tel. %(phone)s") % values
        if fits_one_message(text):
            return text
    return _("%(name)s: %(about)s %(link)s") % values


# Every kind declared, by its path: the wording tests hold each one to 160 GSM-7 characters.
KINDS: dict[str, "OutboxText"] = {}


class OutboxText:
    """One kind of text message: how to write it for a patient, and how to queue it."""

    def __init__(self, build: Callable[..., str | None]):
        self.build = build
        self.kind = f"{build.__module__}.{build.__qualname__}"
        self.__doc__ = build.__doc__
        KINDS[self.kind] = self

    def __call__(self, *, patient, **params) -> str | None:
        """The text in her language, or None."""
        with translation.override(patient.user.language or settings.LANGUAGE_CODE):
            return self.build(patient=patient, **params)

    def enqueue(self, *, patient, key: str, **params) -> OutboundText | None:
        return text_enqueue(self, patient=patient, key=key, params=params)


def outbox_text(build: Callable[..., str | None]) -> OutboxText:
    """Declare a kind of text message (see the module docstring)."""
    return OutboxText(build)


def _kind_for(path: str) -> OutboxText:
    kind = import_string(path)
    if not isinstance(kind, OutboxText):
        raise SuspiciousOperation(f"{path} is not an outbox text message")
    return kind


def text_enqueue(kind: OutboxText, *, patient, key: str, params: dict) -> OutboundText | None:
    """Record the text and its delivery task in the caller's transaction; None when nothing is
    queued: she did not opt in, the key was queued before, or messages are held (demo data)."""
    if _held.get() or not patient.accepts_texts():
        return None
    return _enqueue(kind.kind, patient, key, params)


def _enqueue(kind: str, patient, key: str, params: dict) -> OutboundText | None:
    if OutboundText.objects.filter(idempotency_key=key).exists():
        return None
    try:
        with transaction.atomic():
            message = OutboundText.objects.create(
                patient=patient, kind=kind, params=params, idempotency_key=key
            )
            TEXTS.schedule(message.pk)
    except IntegrityError:
        # Queued by a concurrent request between the check and the insert.
        return None
    return message


@dataclass(frozen=True)
class ClinicText:
    """A text to one of the clinic's own numbers: the number, and the words."""

    to: str
    text: str


# Every kind of text to the clinic, by its path: their tests hold each one to 160 GSM-7 characters.
CLINIC_KINDS: dict[str, "OutboxClinicText"] = {}


class OutboxClinicText:
    """One kind of text to the clinic's own staff: how to write it, and how to queue it."""

    def __init__(self, build: Callable[..., ClinicText | None]):
        self.build = build
        self.kind = f"{build.__module__}.{build.__qualname__}"
        self.__doc__ = build.__doc__
        CLINIC_KINDS[self.kind] = self

    def __call__(self, **params) -> ClinicText | None:
        """The text in the clinic's language, or None when there is nothing to send any more."""
        with translation.override(settings.LANGUAGE_CODE):
            return self.build(**params)

    def enqueue(self, *, key: str, **params) -> OutboundText | None:
        """Queue it in the caller's transaction; None when the key was queued before or messages
        are held (demo data)."""
        if _held.get():
            return None
        return _enqueue(self.kind, None, key, params)


def outbox_clinic_text(build: Callable[..., ClinicText | None]) -> OutboxClinicText:
    """Declare a kind of text to the clinic's staff (see the module docstring)."""
    return OutboxClinicText(build)


def compose_for_clinic(about: str, path: str) -> str:
    """The one shape of a text to the clinic's staff: "<clinic>: <what it is about> <link>".

    The link opens `path` behind `SMS_LINK_BASE_URL`, a page that needs a doctor's login.
    """
    values = {
        "name": clinic_profile().text_name,
        "about": about,
        "link": f"{settings.SMS_LINK_BASE_URL}{path}",
    }
    return _("%(name)s: %(about)s %(link)s") % values


def text_deliver(message_id: int) -> str:
    """Send one queued text (the task's body); returns the status it ends in."""
    message = _claim(message_id, TEXTS)
    if message is None:
        status = OutboundText.objects.filter(pk=message_id).values_list("status", flat=True).first()
        return status or "missing"
    if message.patient_id is None:
        return _clinic_text_send(message)
    Patient = OutboundText._meta.get_field("patient").related_model
    patient = Patient.objects.select_related("user").get(pk=message.patient_id)
    try:
        text = _kind_for(message.kind)(patient=patient, **message.params) if patient.accepts_texts() else None
        if text is None:
            return _finish(message, OutboundText.Status.SKIPPED)
        if not fits_one_message(text):
            logger.warning("Text message %s (%s) is longer than one message.", message.pk, message.kind_name)
        provider_id = sms_backend().send(patient.phone, text, clinic_profile().sms_sender)
    except RecipientOptedOut as exc:
        # She sent STOP to the provider: what it blocks, her consent no longer allows.
        patient.texts_opt_out(via="keyword")
        message.last_error = type(exc).__name__
        return _finish(message, OutboundText.Status.SKIPPED, "last_error")
    except Exception as exc:
        return _record_failure(message, exc)
    message.phone = patient.phone
    message.text = text[: OutboundText._meta.get_field("text").max_length]
    message.provider_id = str(provider_id)[:64]
    return _finish(message, OutboundText.Status.SENT, "phone", "text", "provider_id")


def _clinic_text_send(message: OutboundText) -> str:
    """Send a claimed text to the clinic's number, as its kind builds it now."""
    try:
        kind = import_string(message.kind)
        if not isinstance(kind, OutboxClinicText):
            raise SuspiciousOperation(f"{message.kind} is not a text to the clinic")
        built = kind(**message.params)
        if built is None or not built.to:
            return _finish(message, OutboundText.Status.SKIPPED)
        if not fits_one_message(built.text):
            logger.warning("Text message %s (%s) is longer than one message.", message.pk, message.kind_name)
        provider_id = sms_backend().send(built.to, built.text, clinic_profile().sms_sender)
    except Exception as exc:
        return _record_failure(message, exc)
    message.phone = built.to
    message.text = built.text[: OutboundText._meta.get_field("text").max_length]
    message.provider_id = str(provider_id)[:64]
    return _finish(message, OutboundText.Status.SENT, "phone", "text", "provider_id")


def _finish(message: OutboundText, status: str, *fields: str) -> str:
    message.status = status
    message.sent_at = timezone.now()
    message.save(update_fields=["status", "sent_at", *fields])
    return message.status


def _record_failure(message: OutboundText, exc: Exception) -> str:
    """Schedule the next attempt, or end the text as failed: at once for a permanent error (an
    invalid number), after the last attempt for the others, not before the provider's wait. An
    account without credit is logged as an error at once: someone has to top it up."""
    permanent = isinstance(exc, SmsError) and exc.permanent
    delay = None if permanent else retry_delay(message.attempts, settings.SMS_RETRY_DELAYS)
    retry_after = getattr(exc, "retry_after", None)
    if delay is not None and retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    level = logging.ERROR if type(exc).__name__ == "NoCredit" else logging.WARNING
    return retry_or_fail(TEXTS, message, exc, delay, level=level)


def text_send_again(message: OutboundText) -> None:
    """Queue a failed or in-doubt text once more, by a deliberate act of staff."""
    message_send_again(TEXTS, message)


def texts_cancel(patient) -> int:
    """Cancel every text not yet sent to her (her account is closed or erased); how many."""
    return OutboundText.objects.filter(patient=patient, status=OutboundText.Status.PENDING).update(
        status=OutboundText.Status.CANCELLED
    )


text_dismiss = message_dismiss
