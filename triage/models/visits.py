"""Visits: the appointments the questionnaire prepares, their emails, invitations and calendar feeds."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A questionnaire submitted up to this long before a visit is the one for that visit.
QUESTIONNAIRE_WINDOW = timedelta(days=14)
# A visit booked without a length lasts this long.
DEFAULT_VISIT_MINUTES = 30
# A visit lasts from 5 minutes to 4 hours.
MIN_DURATION = 5
MAX_DURATION = 240


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
        """Why an imported visit waits for the doctor to say whose it is (`triage.visits.matching`)."""

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
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=DEFAULT_VISIT_MINUTES
    )
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
