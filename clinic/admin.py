from django.contrib import admin
from django.db import models

from .auth import SuperuserOnlyAdmin
from .models import SINGLE_ROW_ID, ClinicProfile


@admin.register(ClinicProfile)
class ClinicProfileAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    """One row, which only a superuser edits: it is what every patient is told to call."""

    list_display = ["name", "phone", "email"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "address", "phone", "email", "booking_url"]}),
        (None, {"fields": ["opening_hours_it", "opening_hours_en"]}),
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
