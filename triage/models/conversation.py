"""The conversation of a case: messages between the doctors and the patient, and the clinic's
saved replies.

A message belongs to its case and goes with it: kept and pruned with the record, part of her data
export, and read-only once the case is closed (`triage.conversation.services`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cases import Case

# A message, and a saved reply in each language, is at most this long.
MESSAGE_MAX_LENGTH = 2000


class SavedReply(models.Model):
    """A reply the clinic uses often, in Italian and English, offered on the case page."""

    title = models.CharField(_("title"), max_length=80)
    text_it = models.TextField(_("text in Italian"), max_length=MESSAGE_MAX_LENGTH)
    text_en = models.TextField(_("text in English"), max_length=MESSAGE_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title

    def text_in(self, language: str) -> str:
        """The reply in `language` (Italian unless it is English)."""
        return self.text_en if (language or "").startswith("en") else self.text_it


class CaseMessage(models.Model):
    """One message of a case's conversation, written by a doctor or by the patient."""

    class Author(models.TextChoices):
        DOCTOR = "doctor", _("Doctor")
        PATIENT = "patient", _("Patient")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case"))
    author_kind = models.CharField(_("written by"), max_length=8, choices=Author)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"), max_length=MESSAGE_MAX_LENGTH)
    # The form's key: the same form posted twice makes one message.
    key = models.CharField(_("form key"), max_length=64)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    # Her message: when a doctor's message answered it (it then counts as a contact).
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="triage_message_case_idx")]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="triage_message_key_once")]

    def __str__(self):
        return f"{self.get_author_kind_display()} #{self.case_id}"

    @property
    def from_patient(self) -> bool:
        return self.author_kind == self.Author.PATIENT
