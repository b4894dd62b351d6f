"""The doctor's side of a submission: its assessments, its case, its timeline, the audit log."""

import functools
import operator
from datetime import date, datetime, timedelta

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .rules import ALL_FLAG_CODES, Level


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

    @property
    def follow_up_on(self) -> date | None:
        """The follow-up date: the local date of the booked visit the case is waiting for, if any.

        The visit is the one source of the date, so moving or cancelling it moves or clears it here.
        """
        visit = self.follow_up_visit
        if self.status != self.Status.FOLLOW_UP or visit is None or visit.state != Visit.State.BOOKED:
            return None
        return visit.local_date


class CaseEvent(models.Model):
    """The case timeline: status changes and notes, append-only."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        NOTE = "note", _("Note")
        RETRIAGE = "retriage", _("Re-assessment")
        ASSIGNMENT = "assignment", _("Assignment")
        VISIT = "visit", _("Visit")

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

    # Recorded under the patient's pseudonym by the patient herself (`audit_patient_self`).
    PATIENT_OWN_ACTIONS = frozenset({Action.DATA_EXPORT, Action.ACCOUNT_DELETE})

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


# --- Visits: the appointments the questionnaire prepares ---

# A questionnaire submitted up to this long before a visit is the one for that visit.
QUESTIONNAIRE_WINDOW = timedelta(days=14)


class Visit(models.Model):
    """A booked appointment with the gynaecologist.

    Its start is stored in UTC and shown in the clinic's time zone. A visit
    belongs to a patient, or, until she signs up, to the invitation sent to
    her email (`invitation`).
    """

    class Kind(models.TextChoices):
        FIRST = "first", _("First visit")
        FOLLOW_UP = "follow_up", _("Follow-up visit")
        RESULTS = "results", _("Result review")

    class State(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ATTENDED = "attended", _("Attended")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    class Match(models.TextChoices):
        """Why an imported visit waits for the doctor to say whose it is (`triage.visits.services`)."""

        DETAILS_DIFFER = "details_differ", _("the account with this email has another name or date of birth")
        NAME_ONLY = "name_only", _("no account has this email; one patient has this name and date of birth")
        SEVERAL = "several", _("several patients have this name and date of birth")
        SIGNUP_DIFFERS = (
            "signup_differs",
            _("she signed up with the invited email but another name or date of birth"),
        )

    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("patient"),
    )
    invitation = models.ForeignKey(
        "VisitInvitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("invitation"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.FIRST)
    note = models.CharField(_("note"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State, default=State.BOOKED)
    # The booking system's event UID for imported visits, the booking form's key for the others: a
    # second import of the same event, or a second post of the same form, finds this visit.
    uid = models.CharField(_("unique identifier"), max_length=255, unique=True)
    # Questionnaires submitted from this moment (the later of booking and 14 days before the start)
    # up to the start are the ones for this visit.
    questionnaire_since = models.DateTimeField(_("questionnaire counted from"))
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # An import that could not tell whose visit it is: it belongs to nobody, sends nothing and waits
    # for the doctor on the import page; `match_patient` is the patient it may be.
    match_reason = models.CharField(_("needs confirmation"), max_length=20, choices=Match, blank=True)
    match_patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("may be the visit of"),
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["starts_at"], name="triage_visit_start_idx"),
            models.Index(fields=["patient", "starts_at"], name="triage_visit_patient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(patient__isnull=False)
                | models.Q(invitation__isnull=False)
                | ~models.Q(match_reason="")
                | models.Q(state="cancelled"),
                name="triage_visit_has_patient_or_invitation",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at)

    @property
    def local_date(self) -> date:
        return timezone.localdate(self.starts_at)

    @staticmethod
    def questionnaire_window_start(starts_at, booked_at):
        """From when a questionnaire counts for a visit starting at `starts_at`, booked at `booked_at`."""
        return max(starts_at - QUESTIONNAIRE_WINDOW, booked_at)


class VisitMessage(models.Model):
    """One email about a visit (the invitation, each reminder), claimed once.

    The row is created in the transaction that queues the email; the unique
    pair (visit, kind) makes a second worker or a rerun find it taken.
    """

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="messages", verbose_name=_("visit")
    )
    kind = models.CharField(_("kind"), max_length=20)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        verbose_name = _("visit email")
        verbose_name_plural = _("visit emails")
        constraints = [models.UniqueConstraint(fields=["visit", "kind"], name="triage_visit_message_once")]

    def __str__(self):
        return f"{self.kind} #{self.visit_id}"


class VisitInvitation(models.Model):
    """An invitation to sign up, for a patient the clinic booked who has no account yet.

    The link's token is made when the email is sent; only its digest is
    stored. It is valid for `INVITATION_VALID_DAYS` and used at most once:
    signing up with it attaches the visits to the new account.
    """

    email = models.EmailField(_("email"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    # From the booking system, when it had one: signing up with another one binds nothing.
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    token_digest = models.CharField(_("token digest"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("patient"),
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"#{self.pk}"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


class CalendarFeed(models.Model):
    """A doctor's secret calendar address; only the digest of its token is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"#{self.pk}"


class CalendarSync(models.Model):
    """The last sync of the booking system's published calendar (one row): what it brought, what failed.

    The validators (`etag`, `last_modified`) belong to the address whose digest is `url_digest`; a
    new address starts without them. The address itself is in the clinic profile, never here.
    """

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("imported")
        NOT_MODIFIED = "not_modified", _("no change since the previous sync")
        FAILED = "failed", _("failed")

    class Error(models.TextChoices):
        INVALID_URL = "invalid_url", _("The calendar address is not a valid web address.")
        SCHEME_REFUSED = "scheme_refused", _("The calendar address must start with https://.")
        ADDRESS_REFUSED = (
            "address_refused",
            _("The calendar address leads to a private or local network address, which is not allowed."),
        )
        DNS_FAILED = "dns_failed", _("The calendar's server name could not be found.")
        CONNECTION_FAILED = "connection_failed", _("The calendar's server could not be reached.")
        TLS_FAILED = "tls_failed", _("The calendar's server has no valid certificate for its name.")
        TIMEOUT = "timeout", _("The calendar's server did not answer in time.")
        HTTP_STATUS = "http_status", _("The calendar's server answered with an error.")
        TOO_MANY_REDIRECTS = "too_many_redirects", _("The calendar's server redirected too many times.")
        TOO_LARGE = "too_large", _("The calendar is larger than 2 MB.")
        INVALID_FILE = "invalid_file", _("The calendar could not be read; nothing was imported.")

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    url_digest = models.CharField(_("address digest"), max_length=64, blank=True)
    etag = models.CharField(_("ETag"), max_length=500, blank=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_outcome = models.CharField(_("last outcome"), max_length=20, choices=Outcome.choices, blank=True)
    # Counts of the last sync that imported the calendar (a 304 leaves them as they were).
    last_import_at = models.DateTimeField(_("last import"), null=True, blank=True)
    created = models.PositiveIntegerField(_("new visits"), default=0)
    updated = models.PositiveIntegerField(_("changed visits"), default=0)
    unchanged = models.PositiveIntegerField(_("visits up to date"), default=0)
    invited = models.PositiveIntegerField(_("patients invited"), default=0)
    pending = models.PositiveIntegerField(_("visits needing confirmation"), default=0)
    # (line, reason) of the events that were not imported, or that made the calendar unreadable.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    last_error = models.CharField(_("last error"), max_length=30, choices=Error.choices, blank=True)
    last_error_status = models.PositiveSmallIntegerField(
        _("HTTP status of the last error"), null=True, blank=True
    )
    last_error_at = models.DateTimeField(_("last failed"), null=True, blank=True)
    # The first failure since the last success: set while the sync keeps failing.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar sync")
        verbose_name_plural = _("calendar sync")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="triage_calendar_sync_single_row")
        ]

    def __str__(self):
        return str(self.get_last_outcome_display() or "-")
