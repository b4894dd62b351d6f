from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SINGLE_ROW_ID, ClinicProfile, ScheduledJobRun
from .scheduler import jobs


@admin.register(ClinicProfile)
class ClinicProfileAdmin(admin.ModelAdmin):
    """One row, which only a superuser edits: it is what every patient is told to call."""

    list_display = ["name", "phone", "email"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "address", "phone", "email", "booking_url"]}),
        (None, {"fields": ["opening_hours_it", "opening_hours_en"]}),
        (None, {"fields": ["data_controller"]}),
    ]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

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
class ScheduledJobRunAdmin(admin.ModelAdmin):
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

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
