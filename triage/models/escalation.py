"""The escalation of a case nobody has acknowledged or acted on in time (RULES.md 11.2, S8).

Each step is planned as a row when the case is given its level, so that it survives a restart
and is sent once: the sender claims a row by setting `sent_at` in the transaction that queues
its messages (`triage.cases.escalation`).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cases import Assessment, Case, CaseLevel


class Escalation(models.Model):
    """One planned step: sent once when due if the case is still not acknowledged, else cancelled.

    A case's steps for one level are an episode, named by the assessment that gave the case that
    level; working time is counted from `since`, the moment of its first alert.
    """

    class Step(models.TextChoices):
        REMINDER = "reminder", _("Reminder to the doctors")
        CONTACT = "contact", _("Alert to the escalation contact")
        DIGEST = "digest", _("Listed in the daily digest")

    class Channel(models.TextChoices):
        """How a sent step went out, as its timeline event records it."""

        DOCTORS_EMAIL = "doctors_email", _("email to every doctor")
        ON_DUTY_TEXT = "on_duty_text", _("text message to the doctor on duty")
        CONTACT_EMAIL = "contact_email", _("email to the escalation contact")
        CONTACT_TEXT = "contact_text", _("text message to the escalation contact")
        NO_CONTACT = "no_contact", _("email to every doctor, as no escalation contact is set")
        DIGEST = "digest", _("the doctors' daily digest")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("case")
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="+", verbose_name=_("assessment")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=CaseLevel)
    step = models.CharField(_("step"), max_length=10, choices=Step)
    since = models.DateTimeField(_("counted from"))
    due_at = models.DateTimeField(_("due"))
    # Sent: its messages were handed to the outbox (for the digest: first listed).
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Acknowledged (or acted on, for the digest), or no longer at an escalating level, before it was due.
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "assessment", "step"], name="triage_escalation_once")
        ]
        indexes = [
            # The sender's and the health check's one question: what is due and still pending.
            models.Index(
                fields=["due_at"],
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
                name="triage_escalation_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_step_display()} #{self.case_id}"


class EscalationDigest(models.Model):
    """One day's digest of priority cases not acted on: one row per local day, so it goes once."""

    day = models.DateField(_("day"), unique=True)
    cases = models.PositiveIntegerField(_("cases listed"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation digest")
        verbose_name_plural = _("escalation digests")
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day} ({self.cases})"
