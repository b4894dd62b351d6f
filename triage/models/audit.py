"""The staff audit trail's rows: who read or changed which patient's record, and when. Append-only."""

import functools
import operator

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk writes that would rewrite history are refused."""

    def update(self, **kwargs):
        raise AppendOnlyError(_("Audit events cannot be changed."))

    def delete(self):
        raise AppendOnlyError(_("Audit events cannot be deleted."))

    def _prune(self):
        """Delete for the retention command only (`prune_audit`), which checks the age itself."""
        return super().delete()


class AppendOnlyError(Exception):
    pass


# Every column of an audit event but its two links, which only SET NULL may clear.
AUDIT_FIXED_FIELDS = (
    "id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "patient_ref",
    "ip_address",
    "created_at",
)


class AuditEvent(models.Model):
    """Who on the staff read or changed which record, and when. Append-only.

    `patient_ref` is a pseudonym that outlives an erased account, so the
    trail stays complete without keeping the person's identity.
    """

    class Action(models.TextChoices):
        WORKLIST_VIEW = "worklist_view", _("Viewed the worklist")
        CASE_VIEW = "case_view", _("Viewed a case")
        CASE_PRINT = "case_print", _("Printed a case")
        STATUS_CHANGE = "status_change", _("Changed a case status")
        NOTE_ADD = "note_add", _("Added a note")
        ASSIGNMENT = "case_assignment", _("Took or released a case")
        EXPORT_CSV = "export_csv", _("Exported the worklist")
        EXPORT_FHIR = "export_fhir", _("Exported FHIR resources")
        DATA_EXPORT = "data_export", _("Downloaded own data")
        ACCOUNT_DELETE = "account_delete", _("Deleted own account")
        EMAIL_CHANGE = "email_change", _("Changed own email")
        PATIENT_VIEW = "patient_view", _("Viewed a patient")
        VISIT_BOOK = "visit_book", _("Booked a visit")
        VISIT_CHANGE = "visit_change", _("Changed a visit")
        VISIT_IMPORT = "visit_import", _("Imported visits")
        DAY_LIST = "day_list", _("Viewed the visits of a day")
        DAY_PRINT = "day_print", _("Printed the visits of a day")
        CALENDAR_FEED = "calendar_feed", _("Calendar feed read")
        ADMIN_VIEW = "admin_view", _("Opened her account in the administration")
        ADMIN_LIST = "admin_list", _("Listed her account in the administration")
        MATCH_LIST = "match_list", _("Listed her among the visits awaiting confirmation")
        MATCH_CONFIRM = "match_confirm", _("Confirmed that an imported visit is hers")
        MATCH_INVITE = "match_invite", _("Invited the email of an imported visit to sign up")
        MATCH_CANCEL = "match_cancel", _("Cancelled an imported visit that belonged to nobody")
        CONTACT_LOG = "contact_log", _("Logged an attempt to reach her")
        CONVERSATION_READ = "conversation_read", _("Read the messages of a case")
        MESSAGE_SEND = "message_send", _("Wrote a message to the patient")
        SIGN_OFF_LOWER = "sign_off_lower", _("Signed off a lower level after a re-assessment")
        KEEP_HIGHER = "keep_higher", _("Kept the higher level after a re-assessment")
        CONTACT_TASK_DONE = "contact_task_done", _("Closed the task to contact her about new advice")

    # Recorded under the patient's pseudonym by the patient herself (`audit_patient_self`).
    PATIENT_OWN_ACTIONS = frozenset({Action.DATA_EXPORT, Action.ACCOUNT_DELETE, Action.EMAIL_CHANGE})

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("patient"),
        # triage_audit_patient_idx leads with the patient: a second index would only slow the writes.
        db_index=False,
    )
    patient_ref = models.CharField(_("patient pseudonym"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["patient", "-created_at"], name="triage_audit_patient_idx")]
        # The database refuses what the model refuses, whoever writes the SQL (PostgreSQL only):
        # no DELETE (prune_audit ignores this trigger for the expired events), and no UPDATE but
        # the SET NULL of an erased patient or a deleted staff account.
        triggers = [
            pgtrigger.Protect(name="audit_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="audit_no_update",
                operation=pgtrigger.Update,
                condition=functools.reduce(
                    operator.or_,
                    (
                        pgtrigger.Q(**{f"old__{name}__df": pgtrigger.F(f"new__{name}")})
                        for name in AUDIT_FIXED_FIELDS
                    ),
                )
                | pgtrigger.Q(new__patient__isnull=False, old__patient__df=pgtrigger.F("new__patient"))
                | pgtrigger.Q(new__actor__isnull=False, old__actor__df=pgtrigger.F("new__actor")),
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(_("Audit events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("Audit events cannot be deleted."))
