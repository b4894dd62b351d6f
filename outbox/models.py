"""Every email the portal sends, one row each, written in the transaction that caused it.

A row holds what to build (its kind and a few identifiers), never the
rendered text or the address: the message is built when it is sent, so the
table carries no health data and no name, and a message for an account that
is gone builds to nothing.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Nothing to send")
        FAILED = "failed", _("Failed")
        # A worker stopped after handing the message to the mail server and before recording it:
        # it may or may not have gone out, and it is never sent again on its own.
        IN_DOUBT = "in_doubt", _("May have been sent")
        DISMISSED = "dismissed", _("Dismissed by staff")
        # Its person closed or erased her account before it went out: it is never sent.
        CANCELLED = "cancelled", _("Cancelled: the account was closed")

    kind = models.CharField(_("kind"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(_("last attempt started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_status_idx")]

    def __str__(self):
        return f"#{self.pk} {self.kind_name} ({self.get_status_display()})"

    @property
    def kind_name(self) -> str:
        return self.kind.rsplit(".", 1)[-1]


class OutboundText(models.Model):
    """One text message to a patient, or to one of the clinic's own numbers, queued and sent like an
    email (`outbox.texts`).

    Unlike an email row it names its patient: a text goes only to a patient who opted in, and is
    checked again when it is sent. What went out (the number and the text) is written once it is
    sent, and goes with her when her data is erased (the rows cascade with the patient). A text to
    the clinic (the doctor on duty, the escalation contact) has no patient: its number is the
    clinic profile's when it is sent.
    """

    Status = OutboundEmail.Status

    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbound_texts",
        verbose_name=_("patient"),
    )
    kind = models.CharField(_("kind"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # What makes the message one of a kind (e.g. "visit-reminder:12:3"): queuing it again finds it.
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(_("last attempt started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Personal data, written when the provider took the message: her number and the words sent.
    phone = models.CharField(_("sent to"), max_length=32, blank=True)
    text = models.CharField(_("text sent"), max_length=480, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("outgoing text message")
        verbose_name_plural = _("outgoing text messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_text_status_idx")]

    def __str__(self):
        return f"#{self.pk} {self.kind_name} ({self.get_status_display()})"

    @property
    def kind_name(self) -> str:
        return self.kind.rsplit(".", 1)[-1]
