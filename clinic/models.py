"""The clinic's own details: one row, edited by a superuser in the admin, shown wherever a patient is told
to call, in the footer, the emails and the privacy notice."""

from datetime import datetime, time
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from . import hours
from .phones import (
    InvalidPhone,
    dial_href,
    phone_can_receive_texts,
    phone_display,
    phone_href,
    phone_normalise,
)

# Every page's footer reads the profile: it is cached, and a save clears the cache (a shared cache
# clears it for every worker; a per-process one picks the change up within this many seconds).
CACHE_KEY = "clinic.profile.v2"
CACHE_SECONDS = 60
SINGLE_ROW_ID = 1
# The name a text message comes from (an alphanumeric sender ID): at most 11 letters, digits or
# spaces, with at least one letter, as the phone networks accept it.
SMS_SENDER_MAX_LENGTH = 11
validate_sms_sender = RegexValidator(
    rf"^(?=.*[A-Za-z])[A-Za-z0-9 ]{{1,{SMS_SENDER_MAX_LENGTH}}}$",
    _("At most 11 letters, digits or spaces, with at least one letter (no accents), e.g. StudioRossi."),
    code="invalid_sms_sender",
)

# What a new installation starts with (the first migration) and the demo data load: a superuser
# replaces them in the admin, and is reminded to while they are still these.
DEMO_PROFILE = {
    "name": "Studio ginecologico (demo)",
    "address": "Via dell'Esempio 1, 00100 Roma",
    "phone": "+39 06 0000 0000",
    "email": "studio@example.com",
    "booking_url": "",
    "data_controller": "Studio ginecologico (demo), Via dell'Esempio 1, 00100 Roma, studio@example.com",
}

# The demo week: Monday to Friday 9:00-13:00 and 14:30-18:30 (weekday, opens, closes).
DEMO_HOURS = tuple(
    (weekday, opens, closes)
    for weekday in range(5)
    for opens, closes in ((time(9), time(13)), (time(14, 30), time(18, 30)))
)

# RULES.md 11.2 S9: the emergency numbers on the call buttons, the footer and the pre-form banner.
DEFAULT_EMERGENCY_NUMBER = "112"
DEFAULT_SECOND_EMERGENCY_NUMBER = "118"

# RULES.md 11.2 S8: by when the clinic should act on a case of each level, in working time.
DEFAULT_ACT_WITHIN_EMERGENCY_MINUTES = 30
DEFAULT_ACT_WITHIN_URGENT_HOURS = 2
DEFAULT_ACT_WITHIN_PRIORITY_DAYS = 2
DEFAULT_ACT_WITHIN_FOLLOW_UP_DAYS = 10


class ClinicProfile(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLE_ROW_ID, editable=False)
    name = models.CharField(_("clinic name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=32,
        blank=True,
        help_text=_("As patients should dial it, e.g. +39 06 1234 5678."),
    )
    # The weekly hours are the `OpeningInterval` rows; these notes follow their generated text.
    hours_note_it = models.CharField(
        _("note on the hours (Italian)"),
        max_length=200,
        blank=True,
        help_text=_('Shown after the opening hours, e.g. "solo su appuntamento".'),
    )
    hours_note_en = models.CharField(_("note on the hours (English)"), max_length=200, blank=True)
    closed_on_public_holidays = models.BooleanField(
        _("closed on Italy's public holidays"),
        default=True,
        help_text=_("National holidays and Easter Monday. Enter a local patron saint's day as a closure."),
    )
    emergency_number = models.CharField(
        _("emergency number"),
        max_length=8,
        default=DEFAULT_EMERGENCY_NUMBER,
        help_text=_("The number on the emergency call buttons; 112 in most of Italy."),
    )
    second_emergency_number = models.CharField(
        _("second emergency number"),
        max_length=8,
        blank=True,
        default=DEFAULT_SECOND_EMERGENCY_NUMBER,
        help_text=_('Shown beside the first one in the footer and the banners ("112 or 118").'),
    )
    out_of_hours_phone = models.CharField(
        _("out-of-hours medical line"),
        max_length=32,
        blank=True,
        help_text=_(
            "Continuità assistenziale (116117 where it is active, otherwise the local ASL number). "
            "Offered only with non-urgent advice while the clinic is closed; leave empty if unsure."
        ),
    )
    escalation_email = models.EmailField(
        _("escalation contact email"),
        blank=True,
        help_text=_(
            "Alerted when an emergency or urgent case is not acknowledged in time, e.g. the front desk."
        ),
    )
    escalation_phone = models.CharField(_("escalation contact phone"), max_length=32, blank=True)
    # RULES.md 11.2 S8: the "second channel" of the reminder to the doctors.
    on_duty_mobile = models.CharField(
        _("on-duty doctor's mobile"),
        max_length=32,
        blank=True,
        help_text=_(
            "The reminder about an emergency or urgent case not yet opened goes to this number by text "
            "message; left empty, it goes to every doctor by email."
        ),
    )
    act_within_emergency_minutes = models.PositiveSmallIntegerField(
        _("emergency: act within (working minutes)"),
        null=True,
        blank=True,
        default=DEFAULT_ACT_WITHIN_EMERGENCY_MINUTES,
        validators=[MinValueValidator(1)],
    )
    act_within_urgent_hours = models.PositiveSmallIntegerField(
        _("urgent: act within (working hours)"),
        null=True,
        blank=True,
        default=DEFAULT_ACT_WITHIN_URGENT_HOURS,
        validators=[MinValueValidator(1)],
    )
    act_within_priority_days = models.PositiveSmallIntegerField(
        _("priority: act within (working days)"),
        null=True,
        blank=True,
        default=DEFAULT_ACT_WITHIN_PRIORITY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    act_within_follow_up_days = models.PositiveSmallIntegerField(
        _("follow-up: act within (working days)"),
        null=True,
        blank=True,
        default=DEFAULT_ACT_WITHIN_FOLLOW_UP_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    email = models.EmailField(_("email"), blank=True)
    booking_url = models.URLField(_("online booking link"), blank=True)
    # The booking system's published calendar (iCal); it often carries a secret token, so it is
    # never logged or shown in full (`masked_url`).
    booking_calendar_url = models.URLField(
        _("booking calendar address"),
        max_length=2000,
        blank=True,
        help_text=_(
            "The iCal address the booking system publishes; its visits are imported every few minutes."
        ),
    )
    sms_sender = models.CharField(
        _("text message sender"),
        max_length=SMS_SENDER_MAX_LENGTH,
        blank=True,
        validators=[validate_sms_sender],
        help_text=_(
            "The name text messages come from and start with, e.g. StudioRossi (at most 11 characters). "
            "Registered with the provider; patients cannot reply to a name."
        ),
    )
    data_controller = models.TextField(
        _("data controller"),
        blank=True,
        help_text=_("Who is named as data controller in the privacy notice: name, address, contact."),
    )

    class Meta:
        verbose_name = _("clinic profile")
        verbose_name_plural = _("clinic profile")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=SINGLE_ROW_ID), name="clinic_profile_single_row")
        ]

    def __str__(self):
        return self.name

    @property
    def phone_display(self) -> str:
        """The phone as patients read it, formatted as any patient's number is."""
        return phone_display(self.phone)

    @property
    def phone_href(self) -> str:
        """The `tel:` link of the phone, read as any patient's number is (Italian unless it says +)."""
        return phone_href(self.phone)

    def clean(self):
        errors = {}
        if self.phone and not phone_href(self.phone):
            errors["phone"] = _("Enter a phone number patients can call, e.g. +39 06 1234 5678.")
        for field in ("out_of_hours_phone", "escalation_phone"):
            if getattr(self, field) and not dial_href(getattr(self, field)):
                errors[field] = _("Enter a phone number that can be called, e.g. 116117 or +39 06 1234 5678.")
        if self.on_duty_mobile:
            try:
                self.on_duty_mobile = phone_normalise(self.on_duty_mobile)
            except InvalidPhone:
                errors["on_duty_mobile"] = _("Enter a mobile number, e.g. +39 333 123 4567.")
            else:
                if not phone_can_receive_texts(self.on_duty_mobile):
                    errors["on_duty_mobile"] = _(
                        "This number cannot receive text messages (it is a landline). Enter a mobile number."
                    )
        for field in ("emergency_number", "second_emergency_number"):
            value = getattr(self, field)
            if value and not (value.isdigit() and 3 <= len(value) <= 6):
                errors[field] = _("Enter the short number as it is dialled, e.g. 112.")
        if errors:
            raise ValidationError(errors)

    @property
    def out_of_hours_href(self) -> str:
        return dial_href(self.out_of_hours_phone)

    @property
    def text_name(self) -> str:
        """How a text message names the clinic: its sender name, or the start of its name."""
        return self.sms_sender or self.name[:SMS_SENDER_MAX_LENGTH].strip()

    @property
    def needs_setup(self) -> bool:
        """No phone yet, or still the demo details: superusers are asked to complete the profile."""
        return not self.phone or self.phone == DEMO_PROFILE["phone"]

    @cached_property
    def schedule(self) -> hours.Schedule:
        """The opening hours and closures (`clinic.hours`), read once and cached with the profile."""
        if self._state.adding:
            return hours.Schedule()
        return hours.Schedule(
            intervals=tuple(
                hours.Interval(row.weekday, row.opens, row.closes) for row in self.opening_intervals.all()
            ),
            closures=tuple(
                hours.Closure(row.first_day, row.last_day, row.reason) for row in self.closures.all()
            ),
            public_holidays=self.closed_on_public_holidays,
        )

    def is_open(self, moment: datetime | None = None) -> bool:
        return self.schedule.is_open(moment or timezone.now())

    def next_opening(self, moment: datetime | None = None) -> datetime | None:
        return self.schedule.next_opening(moment or timezone.now())

    @property
    def emergency_numbers(self) -> tuple[str, ...]:
        """The emergency numbers in the order she is told them ("112 or 118")."""
        first = self.emergency_number or DEFAULT_EMERGENCY_NUMBER
        return tuple(number for number in (first, self.second_emergency_number) if number)

    @property
    def emergency_numbers_text(self) -> str:
        """ "112 or 118" (or the one number) in the active language, for the footer and the banners."""
        numbers = self.emergency_numbers
        if len(numbers) == 1:
            return numbers[0]
        return gettext("%(first)s or %(second)s") % {"first": numbers[0], "second": numbers[1]}

    @property
    def emergency_href(self) -> str:
        return "tel:" + self.emergency_numbers[0]

    def opening_hours(self, language: str | None = None) -> str:
        """The hours in the given language (the active one by default), written from the weekly
        hours, followed by the clinic's note in that language (the Italian one if none)."""
        language = language or get_language() or "it"
        note = self.hours_note_en if language.startswith("en") and self.hours_note_en else self.hours_note_it
        return ", ".join(part for part in (hours.describe(self.schedule, language), note) if part)

    @property
    def hours(self) -> str:
        """The hours in the active language, for templates."""
        return self.opening_hours()


def masked_url(url: str) -> str:
    """The scheme and host of an address, the rest hidden: what may be shown or logged of a secret URL."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not parts.scheme or not host:
        return "…"
    return f"{parts.scheme}://{host}/…"


def clinic_profile() -> ClinicProfile:
    """The clinic's profile; an empty, unsaved one when none was entered, so pages still render."""
    profile = cache.get(CACHE_KEY)
    if profile is None:
        profile = ClinicProfile.objects.filter(id=SINGLE_ROW_ID).first() or ClinicProfile(name="")
        profile.schedule  # noqa: B018 - read now, so that the cached profile carries it
        cache.set(CACHE_KEY, profile, CACHE_SECONDS)
    return profile


class OpeningInterval(models.Model):
    """One opening period on a weekday, in the clinic's local time (Europe/Rome)."""

    profile = models.ForeignKey(
        ClinicProfile, on_delete=models.CASCADE, related_name="opening_intervals", verbose_name=_("clinic")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=list(WEEKDAYS.items()))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="clinic_interval_closes_after_opens"
            )
        ]

    def __str__(self):
        return f"{WEEKDAYS[self.weekday]} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self):
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("The closing time must be after the opening time.")})


class Closure(models.Model):
    """Days on which the clinic is closed although its week says open: holidays, leave."""

    profile = models.ForeignKey(
        ClinicProfile, on_delete=models.CASCADE, related_name="closures", verbose_name=_("clinic")
    )
    first_day = models.DateField(_("first day closed"))
    last_day = models.DateField(_("last day closed"))
    reason = models.CharField(_("reason"), max_length=100, blank=True, help_text=_("For the staff only."))

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="clinic_closure_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.first_day:%Y-%m-%d} - {self.last_day:%Y-%m-%d}"

    def clean(self):
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("The last day cannot be before the first day.")})


def cached_clinic_profile() -> ClinicProfile | None:
    """The profile if the cache holds it, else None; never the database (for the failure page)."""
    try:
        return cache.get(CACHE_KEY)
    except Exception:  # a failing cache must not fail the failure page
        return None


def _forget_profile(**kwargs):
    cache.delete(CACHE_KEY)


for _model in (ClinicProfile, OpeningInterval, Closure):
    post_save.connect(
        _forget_profile, sender=_model, dispatch_uid=f"clinic.forget_profile.{_model.__name__}.saved"
    )
    post_delete.connect(
        _forget_profile, sender=_model, dispatch_uid=f"clinic.forget_profile.{_model.__name__}.deleted"
    )


class ScheduledJobRun(models.Model):
    """The latest run of one periodic job (clinic/scheduler.py), written by the scheduler, read by /health/."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last succeeded"), null=True, blank=True)
    last_duration_seconds = models.FloatField(_("last duration (seconds)"), null=True, blank=True)
    # The exception's type only: its text may quote a record.
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    last_error_at = models.DateTimeField(_("last failed"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["name"]

    def __str__(self):
        return self.name
