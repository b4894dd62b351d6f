from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .auth import SuperuserOnlyAdmin
from .models import SINGLE_ROW_ID, ClinicProfile, Closure, OpeningInterval, ScheduledJobRun
from .scheduler import jobs


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

    list_display = ["name", "phone", "email"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [OpeningIntervalInline, ClosureInline]
    fieldsets = [
        (None, {"fields": ["name", "address", "phone", "email", "booking_url"]}),
        (None, {"fields": ["hours_note_it", "hours_note_en", "closed_on_public_holidays"]}),
        (None, {"fields": ["emergency_number", "second_emergency_number", "out_of_hours_phone"]}),
        (None, {"fields": ["escalation_email", "escalation_phone"]}),
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
