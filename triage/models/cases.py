"""The doctor's side of a submission: its assessments, its case and its timeline."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..rules import ALL_FLAG_CODES, Level
from .visits import Visit


class CaseLevel(models.IntegerChoices):
    """The engine's levels (`triage.rules.Level`) as stored, sorted and labelled.

    `REVIEW` sits above emergency: a submission the engine could not assess
    must be looked at by a person before anything else.
    """

    ROUTINE = Level.ROUTINE, _("Routine")
    FOLLOW_UP = Level.FOLLOW_UP, _("Follow-up")
    PRIORITY = Level.PRIORITY, _("Priority")
    URGENT = Level.URGENT, _("Urgent")
    EMERGENCY = Level.EMERGENCY, _("Emergency")
    REVIEW = Level.EMERGENCY + 1, _("Manual review")


# The order the worklist shows levels in (its level chips and checkboxes): most urgent first.
LEVEL_ORDER = tuple(sorted(CaseLevel, reverse=True))

# Levels that need the doctor within days or sooner: a new case at one of them alerts the
# doctors, and closing it must be explained.
PROMPT_LEVELS = frozenset(level for level in CaseLevel if level >= CaseLevel.PRIORITY)

# Levels whose open cases the worklist may close together, with one reason for all.
BULK_CLOSABLE_LEVELS = frozenset({CaseLevel.ROUTINE})

# A score stays below this (the weights of rule set 2 add up to 122), so `level * SCORE_SPAN +
# score` keeps levels apart.
SCORE_SPAN = 1000

# One ascending column that orders by level, then score, both highest first: one ascending
# index then serves the worklist order and its keyset pagination.
SORT_KEY = -(models.F("level") * SCORE_SPAN + models.F("score"))


def sort_key_of(level: int, score: int) -> int:
    """`SORT_KEY` computed in Python, for a row already read."""
    return -(level * SCORE_SPAN + score)


def sort_key_range(levels) -> tuple[int, int]:
    """The lowest and highest `sort_key` of cases at these levels, so the queue index can seek to them."""
    return sort_key_of(max(levels), SCORE_SPAN - 1), sort_key_of(min(levels), 0)


# How far each level's advice sends her, for the direction of a re-assessment (RULES.md 11.2, S4,
# S5). Manual review (the engine failed) sorts above emergency on the worklist, but its advice
# ("the doctor will review your answers") is no alarm: from urgent or emergency it is a move down,
# held for a doctor's sign-off, never one that silently replaces her alarm.
RETRIAGE_RANK = {
    CaseLevel.ROUTINE: 0,
    CaseLevel.FOLLOW_UP: 1,
    CaseLevel.PRIORITY: 2,
    CaseLevel.REVIEW: 3,
    CaseLevel.URGENT: 4,
    CaseLevel.EMERGENCY: 5,
}


def retriage_direction(level: int, new_level: int) -> int:
    """1 if a re-assessment from `level` to `new_level` moves the case up, -1 down, 0 for the same level."""
    before, after = RETRIAGE_RANK[CaseLevel(level)], RETRIAGE_RANK[CaseLevel(new_level)]
    return (after > before) - (after < before)


def flag_bit(code: str) -> int:
    """The bit that stands for a flag in `Case.flag_bits`: its fixed place in `rules.ALL_FLAG_CODES`."""
    return 1 << ALL_FLAG_CODES.index(code)


def flag_bits_for(codes) -> int:
    bits = 0
    for code in codes:
        if code in ALL_FLAG_CODES:
            bits |= flag_bit(code)
    return bits


class Assessment(models.Model):
    """One run of the rule engine on a submission. Never updated: re-triage adds a new one."""

    submission = models.ForeignKey(
        "patients.Submission",
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("questionnaire"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=CaseLevel)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    rules_version = models.PositiveSmallIntegerField(_("rules version"), null=True, blank=True)
    error = models.CharField(_("engine error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("assessed at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_level_display()} ({self.score})"


class Case(models.Model):
    """A submitted questionnaire on the doctor's worklist.

    It shares its primary key with the submission and carries every sort and
    filter key of the worklist on one table, copied from the latest assessment.
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        FOLLOW_UP = "follow_up", _("Follow-up booked")
        CLOSED = "closed", _("Closed")

    submission = models.OneToOneField(
        "patients.Submission",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="case",
        verbose_name=_("questionnaire"),
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="cases", verbose_name=_("patient")
    )
    submitted_at = models.DateTimeField(_("submitted"))
    level = models.PositiveSmallIntegerField(_("level"), choices=CaseLevel)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    # The rule set that explains `flags` (None when no rule set could assess the answers).
    rules_version = models.PositiveSmallIntegerField(_("rules version"), null=True, blank=True)
    flag_bits = models.BigIntegerField(_("flag bits"), default=0, editable=False)
    sort_key = models.GeneratedField(
        expression=SORT_KEY,
        output_field=models.SmallIntegerField(),
        db_persist=True,
        verbose_name=_("sort key"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.NEW)
    # The visit booked when the case was moved to "follow-up booked": its date is the follow-up date.
    follow_up_visit = models.ForeignKey(
        "Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_cases",
        verbose_name=_("follow-up visit"),
    )
    last_actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last acted on by"),
    )
    last_acted_at = models.DateTimeField(_("last acted on"), null=True, blank=True)
    # The doctor who took the case, for practices with more than one gynaecologist.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # When the case was given its level, and so by when the clinic should act on it
    # (`triage.cases.deadlines`); no deadline for routine cases.
    level_since = models.DateTimeField(_("level given at"), null=True, blank=True)
    act_by = models.DateTimeField(_("act by"), null=True, blank=True)
    # When the clinic first acted on it, as `triage.cases.acted_on` defines it, stored by the
    # services that act so that lists can filter and sort on it (see `acted_on_store`).
    acted_on_at = models.DateTimeField(_("acted on"), null=True, blank=True)
    # The next five links point at rows deleted only with the case's questionnaire, in the same
    # transaction (the constraints are checked at commit), so none needs an index or SET NULL.
    # The assessment its level, score, flags and rule set come from: the latest one, unless a later
    # one is pending sign-off or was set aside by a doctor (RULES.md 11.2, S5).
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessment in force"),
        db_index=False,
    )
    # What she is shown (`triage.advice.advice_shown`): the advice of this assessment, given at
    # `advised_at`. Set when the case is created, moved up, or a lower level is signed off; a
    # re-assessment at the same level or one waiting for sign-off leaves it as she was given it.
    advice = models.ForeignKey(
        Assessment,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("advice given"),
        db_index=False,
    )
    advised_at = models.DateTimeField(_("advice given at"), null=True, blank=True)
    # The advice she had before it, kept on her pages as a dated record (S4).
    earlier_advice = models.ForeignKey(
        Assessment,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("earlier advice"),
        db_index=False,
    )
    earlier_advised_at = models.DateTimeField(_("earlier advice given at"), null=True, blank=True)
    # A re-assessment at a lower level, waiting for a doctor to sign it off or keep the higher one (S5).
    pending_sign_off = models.ForeignKey(
        Assessment,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lower assessment pending sign-off"),
        db_index=False,
    )
    # The open task "contact the patient about the new advice" (S4 d): the re-assessment's timeline
    # event that opened it; None when there is no open task.
    contact_task = models.ForeignKey(
        "CaseEvent",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact task opened by"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [("view_queue", _("Can use the triage worklist"))]
        indexes = [
            models.Index(fields=["sort_key", "submitted_at", "submission"], name="triage_case_queue_idx"),
            models.Index(
                fields=["sort_key", "submitted_at", "submission"],
                condition=models.Q(level__gt=0) & ~models.Q(status="closed"),
                name="triage_case_open_queue_idx",
            ),
            models.Index(fields=["patient", "-submitted_at"], name="triage_case_patient_idx"),
            # Worklist filters: by status in queue order, and by submission date range.
            models.Index(
                fields=["status", "sort_key", "submitted_at", "submission"],
                name="triage_case_status_queue_idx",
            ),
            models.Index(fields=["submitted_at"], name="triage_case_submitted_idx"),
            # The worklist's per-level counts (optionally by flag) over open cases, read from
            # the index alone instead of scanning the table.
            models.Index(
                fields=["level", "flag_bits"],
                condition=~models.Q(status="closed"),
                name="triage_case_open_counts_idx",
            ),
            # What re-assessments left the doctors to do, counted on the worklist: two small sets.
            models.Index(
                fields=["pending_sign_off"],
                condition=models.Q(pending_sign_off__isnull=False) & ~models.Q(status="closed"),
                name="triage_case_sign_off_idx",
            ),
            # A task to contact her stays until closed with a note, whatever the case's status.
            models.Index(
                fields=["contact_task"],
                condition=models.Q(contact_task__isnull=False),
                name="triage_case_contact_task_idx",
            ),
            # The open cases nobody has acted on yet, in queue order with their deadline: the
            # worklist's overdue cases (first within their level), their count and filter.
            models.Index(
                fields=["sort_key", "submitted_at", "submission", "act_by"],
                condition=models.Q(acted_on_at__isnull=True, act_by__isnull=False)
                & ~models.Q(status="closed"),
                name="triage_case_pending_idx",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_level_display()}"

    def save(self, *args, **kwargs):
        self.flag_bits = flag_bits_for(self.flags)
        super().save(*args, **kwargs)

    @property
    def needs_manual_review(self) -> bool:
        """No rule set could assess the answers: the doctor reads them herself."""
        return self.level == CaseLevel.REVIEW


# A reason given for a status change, and a note, are at most this long.
REASON_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 4000


class CaseEvent(models.Model):
    """The case timeline: status changes and notes, append-only."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        NOTE = "note", _("Note")
        RETRIAGE = "retriage", _("Re-assessment")
        ASSIGNMENT = "assignment", _("Assignment")
        VISIT = "visit", _("Visit")
        CONTACT = "contact", _("Contact attempt")
        # A doctor's decision on a lower re-assessment (RULES.md 11.2, S5): `detail["decision"]`.
        SIGN_OFF = "sign_off", _("Decision on a lower level")
        # The task "contact the patient about the new advice" closed, with its note (S4 d).
        TASK_DONE = "task_done", _("Patient contacted about the new advice")
        # An escalation step sent (RULES.md 11.2, S8): `detail` names the step, level and channels.
        ESCALATION = "escalation", _("Escalation")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    from_status = models.CharField(_("from"), max_length=12, choices=Case.Status, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Case.Status, blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    # Re-assessments keep the levels and scores, not words, so each reader sees them in her language.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="triage_event_case_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.case_id}"

    class Decision:
        """A doctor's decision on a lower re-assessment (`detail["decision"]` of a sign-off event)."""

        # Signed off: the case and her advice moved to the lower assessment.
        LOWER = "lower"
        # Kept the higher level: the lower assessment was set aside.
        HIGHER = "higher"

    class Cause:
        """Why the portal itself changed a case's status (`detail["cause"]`), worded by `reason_text`."""

        VISIT_CANCELLED = "visit_cancelled"

    def reason_text(self) -> str:
        """The reason given for a status change, or the portal's own reason in the active language."""
        if self.text:
            return self.text
        cause = self.detail.get("cause") if isinstance(self.detail, dict) else None
        if cause == self.Cause.VISIT_CANCELLED:
            return gettext("The follow-up visit was cancelled.")
        return ""

    def visit_summary(self) -> str:
        """ "Visit moved: 02/04/2026 09:00 → 03/04/2026 10:30" in the active language, for a visit event."""
        from django.utils import formats

        def when(value):
            try:
                moment = timezone.localtime(datetime.fromisoformat(value))
            except (TypeError, ValueError):
                return ""
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")

        action = self.detail.get("action") if isinstance(self.detail, dict) else None
        starts = when(self.detail.get("starts_at")) if action else ""
        texts = {
            "booked": gettext("Visit booked for %(when)s"),
            "moved": gettext("Visit moved: %(before)s → %(when)s"),
            Visit.State.CANCELLED: gettext("Visit of %(when)s cancelled"),
            Visit.State.ATTENDED: gettext("Visit of %(when)s attended"),
            Visit.State.NO_SHOW: gettext("Visit of %(when)s: the patient did not come"),
            Visit.State.BOOKED: gettext("Visit of %(when)s booked again"),
        }
        text = texts.get(action)
        if text is None:
            return self.text
        return text % {"when": starts, "before": when(self.detail.get("from"))}

    def contact_summary(self) -> str:
        """ "Called, no answer · Phone" in the active language, for a contact attempt: the outcome
        and the channel it went by (a phone call for attempts logged before channels were kept)."""
        detail = self.detail if isinstance(self.detail, dict) else {}
        outcome = detail.get("outcome")
        if outcome not in ContactAttempt.Outcome.values:
            return self.text
        channel = detail.get("channel")
        if channel not in ContactAttempt.Channel.values:
            channel = ContactAttempt.Channel.PHONE
        return gettext("%(outcome)s · %(channel)s") % {
            "outcome": ContactAttempt.Outcome(outcome).label,
            "channel": ContactAttempt.Channel(channel).label,
        }

    def escalation_summary(self) -> str:
        """ "Escalation, Emergency: Reminder to the doctors (email to every doctor)" in the active
        language, for an escalation step sent (RULES.md 11.2, S8)."""
        from .escalation import Escalation

        detail = self.detail if isinstance(self.detail, dict) else {}
        try:
            step = Escalation.Step(detail.get("step")).label
            level = CaseLevel(detail.get("level")).label
        except ValueError:
            return self.text
        channels = ", ".join(
            str(Escalation.Channel(channel).label)
            for channel in detail.get("channels") or ()
            if channel in Escalation.Channel.values
        )
        return gettext("Escalation, %(level)s: %(step)s (%(channels)s)") % {
            "level": level,
            "step": step,
            "channels": channels,
        }

    def retriage_summary(self) -> str:
        """ "Follow-up (2) → Urgent (7), rule set 2" in the active language, for a re-assessment."""
        try:
            before, after = self.detail["from"], self.detail["to"]
            summary = (
                f"{CaseLevel(before['level']).label} ({before['score']}) → "
                f"{CaseLevel(after['level']).label} ({after['score']})"
            )
        except (KeyError, TypeError, ValueError):
            return self.text
        version = after.get("rules_version")
        if version is not None and version != before.get("rules_version"):
            summary += ", " + gettext("rule set %(version)s") % {"version": version}
        return summary

    def sign_off_summary(self) -> str:
        """ "Signed off the lower level: Urgent (7) → Routine (0)" in the active language, for a decision."""
        decision = self.detail.get("decision") if isinstance(self.detail, dict) else None
        texts = {
            self.Decision.LOWER: gettext("Signed off the lower level: %(change)s"),
            self.Decision.HIGHER: gettext("Kept the higher level; the lower one was set aside: %(change)s"),
        }
        if decision not in texts:
            return self.text
        return texts[decision] % {"change": self.retriage_summary()}


class ContactAttempt(models.Model):
    """One attempt to reach the patient about a case: the contact log.

    Append-only. A doctor logs a call with one click (`BUTTONS`); "spoke with her" makes the case
    acted on (RULES.md 11.2), the other outcomes count as attempts on the worklist row. Her reply
    in the case's conversation, once a doctor's message answers it, is logged by the conversation
    as "answered her message" by portal message: an attempt, never "spoke with her" (see
    `triage.conversation.services.reply_contact_record` for why).
    """

    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer", _("Called, no answer")
        LEFT_MESSAGE = "left_message", _("Left a message")
        SPOKE = "spoke", _("Spoke with her")
        ANSWERED = "answered", _("Answered her message")

    class Channel(models.TextChoices):
        # More channels (a text message, an email) are added here as the clinic gains them.
        PHONE = "phone", _("Phone")
        MESSAGE = "message", _("Portal message")

    # The outcomes a doctor logs by hand, a button each (the case page, the worklist row).
    BUTTONS = (Outcome.NO_ANSWER, Outcome.LEFT_MESSAGE, Outcome.SPOKE)

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="contact_attempts", verbose_name=_("case")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel, default=Channel.PHONE)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["created_at", "pk"]
        indexes = [
            # The worklist row's count and last attempt, and when the clinic first spoke with her.
            models.Index(fields=["case", "outcome", "created_at"], name="triage_contact_case_idx"),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} #{self.case_id}"

    @classmethod
    def button_choices(cls) -> list[tuple[str, str]]:
        """The one-click buttons' values and labels, in the order they are shown."""
        return [(outcome.value, outcome.label) for outcome in cls.BUTTONS]
