"""Admin for staff: accounts and patient profiles; questionnaires read-only and audited."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from triage.admin import AuditedViewMixin, ReadOnlyAdmin
from triage.models import AuditEvent

from .models import Consent, Patient, Submission, User


@admin.register(User)
class UserAdmin(AuditedViewMixin, BaseUserAdmin):
    """Django's user admin with the email as the login (there is no username); opening or listing
    a patient's account is in her access log."""

    audit_view_action = AuditEvent.Action.ADMIN_VIEW
    list_select_related = ("patient",)
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "email_verified_at")}),
    )
    readonly_fields = ("email_verified_at",)

    def audit_patient(self, obj):
        patient = getattr(obj, "patient", None)
        return patient.pk if patient is not None else None

    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")},
        ),
    )


class ConsentInline(admin.TabularInline):
    model = Consent
    fields = ("notice_version", "given_at", "withdrawn_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Patient)
class PatientAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_view_action = AuditEvent.Action.ADMIN_VIEW

    list_display = ("__str__", "date_of_birth", "phone", "created_at")
    search_fields = ("user__first_name", "user__last_name", "user__email", "phone")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    inlines = [ConsentInline]

    def audit_patient(self, obj):
        return obj.pk


@admin.register(Submission)
class SubmissionAdmin(AuditedViewMixin, ReadOnlyAdmin):
    """A submitted questionnaire never changes (`Submission.save` refuses), so the admin only shows it."""

    list_display = ("pk", "patient", "status", "age", "submitted_at")
    list_filter = ("status",)
    search_fields = ("patient__user__first_name", "patient__user__last_name", "patient__user__email")
    list_select_related = ("patient__user",)
    date_hierarchy = "submitted_at"
