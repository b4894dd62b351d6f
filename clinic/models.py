"""The clinic's own details: one row, edited by a superuser in the admin, shown wherever a patient is told
to call, in the footer, the emails and the privacy notice."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .phones import phone_display, phone_href

# Every page's footer reads the profile: it is cached, and a save clears the cache (a shared cache
# clears it for every worker; a per-process one picks the change up within this many seconds).
CACHE_KEY = "clinic.profile.v1"
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
    "opening_hours_it": "lunedì-venerdì 9:00-13:00 e 14:30-18:30",
    "opening_hours_en": "Monday to Friday 9:00-13:00 and 14:30-18:30",
    "email": "studio@example.com",
    "booking_url": "",
    "data_controller": "Studio ginecologico (demo), Via dell'Esempio 1, 00100 Roma, studio@example.com",
}


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
    opening_hours_it = models.CharField(_("opening hours (Italian)"), max_length=200, blank=True)
    opening_hours_en = models.CharField(_("opening hours (English)"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    booking_url = models.URLField(_("online booking link"), blank=True)
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
        if self.phone and not phone_href(self.phone):
            raise ValidationError(
                {"phone": _("Enter a phone number patients can call, e.g. +39 06 1234 5678.")}
            )

    @property
    def text_name(self) -> str:
        """How a text message names the clinic: its sender name, or the start of its name."""
        return self.sms_sender or self.name[:SMS_SENDER_MAX_LENGTH].strip()

    @property
    def needs_setup(self) -> bool:
        """No phone yet, or still the demo details: superusers are asked to complete the profile."""
        return not self.phone or self.phone == DEMO_PROFILE["phone"]

    def opening_hours(self, language: str | None = None) -> str:
        """The hours in the given language (the active one by default), falling back to the Italian text."""
        if (language or get_language() or "").startswith("en") and self.opening_hours_en:
            return self.opening_hours_en
        return self.opening_hours_it

    @property
    def hours(self) -> str:
        """The hours in the active language, for templates."""
        return self.opening_hours()


def clinic_profile() -> ClinicProfile:
    """The clinic's profile; an empty, unsaved one when none was entered, so pages still render."""
    profile = cache.get(CACHE_KEY)
    if profile is None:
        profile = ClinicProfile.objects.filter(id=SINGLE_ROW_ID).first() or ClinicProfile(name="")
        cache.set(CACHE_KEY, profile, CACHE_SECONDS)
    return profile


def _forget_profile(**kwargs):
    cache.delete(CACHE_KEY)


post_save.connect(_forget_profile, sender=ClinicProfile, dispatch_uid="clinic.models.forget_profile_saved")
post_delete.connect(
    _forget_profile, sender=ClinicProfile, dispatch_uid="clinic.models.forget_profile_deleted"
)
