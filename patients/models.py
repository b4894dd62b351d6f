"""Accounts, patient profiles and consent records."""

import uuid
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager, Permission
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.identity import login_key
from clinic.phones import phone_can_receive_texts
from triage import rules


class UserManager(BaseUserManager):
    """Email is the login; lookups go through its login key (`clinic.identity.login_key`)."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        """An exact match on the stored key: the database never matches a spelling the lockout
        counter would count apart (as `iexact` on PostgreSQL matches a dotless ı to an i)."""
        return self.get(login_key=login_key(username))

    def doctors(self):
        """The users `is_doctor()` accepts, as one query (no join, so no duplicate rows).

        A permission is held directly, through a group, or by being a
        superuser, as Django's ModelBackend grants it.
        """
        app_label, codename = DOCTOR_PERMISSION.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        own = self.model.user_permissions.through.objects.filter(permission__in=permission)
        by_group = self.model.groups.through.objects.filter(group__permissions__in=permission)
        return self.filter(
            models.Q(is_superuser=True)
            | models.Q(pk__in=own.values("user_id"))
            | models.Q(pk__in=by_group.values("user_id")),
            is_active=True,
            is_staff=True,
        )


def normalize_email(email: str) -> str:
    """Store emails lower-cased so that uniqueness and login ignore case."""
    return (email or "").strip().lower()


# The doctors group grants it (patients.services.doctors_group); superusers hold every permission.
DOCTOR_PERMISSION = "triage.view_queue"


def is_doctor(user) -> bool:
    """Doctors are active staff holding the worklist permission; anyone else, anonymous included, is not.

    `User.objects.doctors()` says the same in SQL: change both together.
    """
    return bool(user.is_active and user.is_staff and user.has_perm(DOCTOR_PERMISSION))


def is_patient(user) -> bool:
    """A patient is a user with a patient profile; anyone else, anonymous or staff, is not. The one
    predicate: `patient_required` and the navigation (`is_patient` in templates) are built on it."""
    return hasattr(user, "patient")


def display_name(first_name: str, last_name: str, email: str) -> str:
    """How the portal names a person: first and last name, or the email when both are blank."""
    return f"{first_name or ''} {last_name or ''}".strip() or email or ""


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    # The email as logins compare it (clinic.identity.login_key), kept by save().
    login_key = models.CharField(_("login key"), max_length=254, unique=True, editable=False)
    # The language of the pages and of every email to this person: chosen at sign-up and with the
    # language switcher, kept here so that emails sent by the task worker use it too.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    # When she proved the email is hers (patients.verification); an unverified account is never
    # given a visit, an invitation or an import, nor a password reset. A new email starts unverified.
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True, editable=False)
    # The address she asked to change to, until she confirms it from the link sent there
    # (patients.services.email_change_request); her login and every email keep the one above.
    pending_email = models.EmailField(_("new email awaiting confirmation"), blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="patients_user_email_ci_unique")]

    def __str__(self):
        return self.display_name

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._stored_login_key = user.__dict__.get("login_key")
        return user

    def save(self, *args, email_proven=False, **kwargs):
        """`email_proven` is for the one write that swaps in an address its owner has just confirmed
        (`patients.services.email_change_confirm`); any other change of address is unverified."""
        self.email = normalize_email(self.email)
        self.login_key = login_key(self.email)
        stored = getattr(self, "_stored_login_key", None)
        changed = stored is not None and stored != self.login_key
        if changed and not email_proven:
            # Whoever changes the address (the admin), the new one is not proven yet.
            self.email_verified_at = None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "login_key", "email_verified_at"}
        super().save(*args, **kwargs)
        self._stored_login_key = self.login_key

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_doctor(self) -> bool:
        """The attribute form of `is_doctor()`, for code that may not import this app (clinic/)."""
        return is_doctor(self)

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name, self.email)


class Patient(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient", verbose_name=_("user")
    )
    date_of_birth = models.DateField(_("date of birth"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Reminders before a visit (triage.visits): she can turn them off in her profile.
    visit_reminders = models.BooleanField(_("visit reminders"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Set when she closes her account: her login is gone, her clinical record stays for its
    # retention period (patients.gdpr).
    closed_at = models.DateTimeField(_("account closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")

    def __str__(self):
        return str(self.user)

    def accepts_texts(self) -> bool:
        """Whether text messages may be sent to her now: she opted in (and has not opted out since),
        her number can take texts, and her account is open. One query for the consent."""
        return bool(
            self.phone
            and self.user.is_active
            and self.closed_at is None
            and phone_can_receive_texts(self.phone)
            and self.text_consents.filter(withdrawn_at__isnull=True).exists()
        )

    def texts_opt_out(self, *, via: str) -> int:
        """Close her open consent to text messages, with the time and the way; 1 if she was in, else 0."""
        return self.text_consents.filter(withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_via=via
        )

    def age_on(self, day: date) -> int:
        """Completed years on `day` (RULES.md section 2)."""
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class Consent(models.Model):
    """An explicit consent to processing of health data, tied to a privacy notice version."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="consents", verbose_name=_("patient")
    )
    notice_version = models.CharField(_("privacy notice version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]

    def __str__(self):
        return f"{self.patient} – {self.notice_version}"


class TextConsent(models.Model):
    """Her consent to text messages at her phone number, given and withdrawn with the time and the way.

    Separate from the consent to processing her data, and from email: one row per opt-in,
    closed by the opt-out; at most one is open at a time.
    """

    class Via(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")
        PROFILE = "profile", _("Profile")
        KEYWORD = "keyword", _("STOP reply")
        ACCOUNT_CLOSED = "account_closed", _("Account closed")

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="text_consents", verbose_name=_("patient")
    )
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    given_via = models.CharField(_("given by"), max_length=16, choices=Via)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_via = models.CharField(_("withdrawn by"), max_length=16, choices=Via, blank=True)

    class Meta:
        verbose_name = _("consent to text messages")
        verbose_name_plural = _("consents to text messages")
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="patients_one_open_text_consent",
            )
        ]

    def __str__(self):
        return f"{self.patient} – {self.given_at:%Y-%m-%d}"


def current_questionnaire_version() -> int:
    return rules.RULES_VERSION


class Submission(models.Model):
    """One pre-visit questionnaire: a draft while the patient edits it, frozen once submitted.

    Answers are kept as a mapping keyed by the RULES.md field names, so that
    the rule engine, the form and the exports share one vocabulary.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("patient")
    )
    key = models.UUIDField(_("form key"), default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # The step of the questionnaire she is on while it is a draft (1 to the number of sections,
    # one more for the review page), so that she comes back where she stopped.
    step = models.PositiveSmallIntegerField(_("step"), default=1)
    age = models.PositiveSmallIntegerField(_("age at submission"), null=True, blank=True)
    # The questionnaire she was shown (its rule set's fields), so her answers read back as asked.
    questionnaire_version = models.PositiveSmallIntegerField(
        _("questionnaire version"), default=current_questionnaire_version
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=models.Q(status="draft"), name="patients_one_draft_per_patient"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", submitted_at__isnull=True)
                | models.Q(status="submitted", submitted_at__isnull=False, age__isnull=False),
                name="patients_submission_status_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "status", "-submitted_at"], name="patients_sub_history_idx")
        ]

    def __str__(self):
        return f"{self.patient} – {self.get_status_display()}"

    def save(self, *args, **kwargs):
        """Refuse to write a submitted questionnaire again: submitted answers are immutable."""
        if self.pk and not self._state.adding:
            stored = Submission.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.SUBMITTED:
                raise ImmutableSubmission(self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.status == self.Status.DRAFT:
            return reverse("patients:submission_edit")
        return reverse("patients:submission_detail", args=[self.pk])

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ImmutableSubmission(Exception):
    """A submitted questionnaire was about to be changed."""


class PasswordResetRequest(models.Model):
    """One asked-for password-reset email, kept for the rate limit's window (patients.services).

    The email is kept only as a keyed digest of its login key, so the table lists
    no addresses; rows older than the window are deleted as new requests come in.
    """

    email_digest = models.CharField(_("email digest"), max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")

    def __str__(self):
        return f"{self.requested_at:%Y-%m-%d %H:%M}"
