from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .auth import SuperuserOnlyAdmin
from .models import SINGLE_ROW_ID, ClinicProfile, Closure, OpeningInterval, ScheduledJobRun, masked_url
from .scheduler import jobs


class SecretUrlField(forms.URLField):
    """A URL that may hold a secret token: `webcal://` is read as https."""

    def to_python(self, value):
        value = (value or "").strip()
        if value.lower().startswith("webcal://"):
            value = "https://" + value[len("webcal://") :]
        return super().to_python(value)


def _https_by_default(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ClinicProfileForm(forms.ModelForm):
    """The booking calendar's address is never shown again once saved (it may hold a secret token):
    the field starts empty, left empty it keeps the saved address, and a tick removes it."""

    booking_calendar_url = SecretUrlField(
        label=_("booking calendar address"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    booking_calendar_url_clear = forms.BooleanField(
        label=_("Remove the booking calendar address"), required=False
    )

    class Meta:
        model = ClinicProfile
        formfield_callback = _https_by_default
        fields = [
            "name",
            "address",
            "phone",
            "email",
            "booking_url",
            "data_controller",
            "booking_calendar_url",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["booking_calendar_url"] = ""
        saved = self.instance.booking_calendar_url if self.instance.pk else ""
        help_text = ClinicProfile._meta.get_field("booking_calendar_url").help_text
        if saved:
            help_text = _("Saved: %(address)s (hidden). Leave empty to keep it, or enter a new address.") % {
                "address": masked_url(saved)
            }
        self.fields["booking_calendar_url"].help_text = help_text

    def clean_booking_calendar_url(self):
        url = self.cleaned_data.get("booking_calendar_url", "")
        if self.data.get(self.add_prefix("booking_calendar_url_clear")):
            return ""
        if not url:
            return self.instance.booking_calendar_url if self.instance.pk else ""
        if not url.lower().startswith("https://") and not settings.CALENDAR_SYNC_ALLOW_PRIVATE:
            raise forms.ValidationError(_("The calendar address must start with https://."))
        return url


class OpeningIntervalInline(admin.TabularInline):
    """The weekly hours: one row per opening period (a day with a lunch break has two)."""

    model = OpeningInterval
    extra = 1
    verbose_name_plural = _(
        "Opening hours (Europe/Rome time; until some are entered, every hour counts as working time)"
    )


class ClosureInline(admin.TabularInline):
    """Holidays and leave: whole days closed although the week says open."""

    model = Closure
    extra = 1


@admin.register(ClinicProfile)
class ClinicProfileAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    """One row, which only a superuser edits: it is what every patient is told to call."""

    form = ClinicProfileForm

    list_display = ["name", "phone", "email"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [OpeningIntervalInline, ClosureInline]
    fieldsets = [
        (None, {"fields": ["name", "address", "phone", "email", "booking_url"]}),
        (None, {"fields": ["hours_note_it", "hours_note_en", "closed_on_public_holidays"]}),
        (None, {"fields": ["emergency_number", "second_emergency_number", "out_of_hours_phone"]}),
        (None, {"fields": ["escalation_email", "escalation_phone", "on_duty_mobile"]}),
        (
            None,
            {
                "fields": [
                    "act_within_emergency_minutes",
                    "act_within_urgent_hours",
                    "act_within_priority_days",
                    "act_within_follow_up_days",
                ]
            },
        ),
        (None, {"fields": ["sms_sender"]}),
        (None, {"fields": ["data_controller"]}),
        (_("Booking calendar"), {"fields": ["booking_calendar_url", "booking_calendar_url_clear"]}),
    ]

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return (
            self.has_module_permission(request)
            and not ClinicProfile.objects.filter(id=SINGLE_ROW_ID).exists()
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScheduledJobRun)
class ScheduledJobRunAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    """Each periodic job's last run, as the scheduler recorded it: read only."""

    list_display = [
        "name",
        "last_success_at",
        "late",
        "last_started_at",
        "last_duration_seconds",
        "last_error",
        "last_error_at",
    ]
    readonly_fields = list_display[:1] + list_display[3:] + ["last_success_at"]

    @admin.display(boolean=True, description=_("late"))
    def late(self, obj):
        job = next((job for job in jobs() if job.name == obj.name), None)
        return job is not None and job.is_late(obj.last_success_at, timezone.now())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
