"""Admin for staff: cases and assessments to look up, the audit log for superusers.

Status changes and notes go through the worklist, where they are versioned
and audited, so here cases, assessments and events are read-only; opening
a case or an assessment is audited like a view on the worklist.
"""

from datetime import date, datetime, time, timedelta

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.auth import SuperuserOnlyAdmin

from .audit.selectors import AUDIT_GROUP_WINDOW, audit_event_groups
from .audit.writer import Actor, audit_export, audit_record
from .models import Assessment, AuditEvent, Case, CaseEvent, SavedReply

AUDIT_GROUPS_PAGE_SIZE = 100


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedViewMixin:
    """Record an audit event each time staff open one record that holds a patient's data, and one
    per patient on each page of a list of them, in her access log as the worklist is."""

    audit_view_action = AuditEvent.Action.CASE_VIEW

    def audit_patient(self, obj):
        return obj.patient_id

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_view_or_change_permission(request, obj):
            patient = self.audit_patient(obj)
            if patient is not None:
                audit_record(Actor.from_request(request), self.audit_view_action, obj=obj, patient=patient)
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            label = self.model._meta.label_lower
            shown = [(obj.pk, self.audit_patient(obj)) for obj in changelist.result_list]
            audit_export(
                Actor.from_request(request),
                AuditEvent.Action.ADMIN_LIST,
                [(pk, patient) for pk, patient in shown if patient is not None],
                object_type=label,
                item_type=label,
            )
        return response


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("created_at", "kind", "actor", "from_status", "to_status", "follow_up_on", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    """The clinic's saved replies, offered on the case page in the patient's language."""

    list_display = ["title", "position", "active"]
    list_editable = ["position", "active"]
    search_fields = ["title"]


@admin.register(Case)
class CaseAdmin(AuditedViewMixin, ReadOnlyAdmin):
    list_display = (
        "pk",
        "patient",
        "submitted_at",
        "level",
        "score",
        "status",
        "last_actor",
        "last_acted_at",
    )
    list_filter = ("level", "status", "submitted_at")
    search_fields = ("patient__user__first_name", "patient__user__last_name", "patient__user__email")
    list_select_related = ("patient__user", "last_actor")
    ordering = ("sort_key", "submitted_at", "pk")
    date_hierarchy = "submitted_at"
    readonly_fields = ("worklist_link",)
    exclude = ("flag_bits", "sort_key")
    inlines = [CaseEventInline]

    @admin.display(description=_("On the worklist"))
    def worklist_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("triage:case_detail", args=[obj.pk]), _("Open case")
        )


@admin.register(Assessment)
class AssessmentAdmin(AuditedViewMixin, ReadOnlyAdmin):
    list_display = ("pk", "submission", "level", "score", "rules_version", "error", "created_at")
    list_filter = ("level", "rules_version")
    list_select_related = ("submission__patient__user",)
    search_fields = (
        "submission__patient__user__first_name",
        "submission__patient__user__last_name",
        "submission__patient__user__email",
    )

    def audit_patient(self, obj):
        return obj.submission.patient_id


@admin.register(AuditEvent)
class AuditEventAdmin(SuperuserOnlyAdmin, ReadOnlyAdmin):
    """Superusers only: the trail says who looked at whom, which is itself sensitive."""

    list_display = (
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "patient_ref",
        "ip_address",
    )
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "patient_ref", "ip_address")
    date_hierarchy = "created_at"
    change_list_template = "admin/triage/auditevent/change_list.html"

    def get_urls(self):
        grouped = self.admin_site.admin_view(self.grouped_view)
        return [path("grouped/", grouped, name="triage_auditevent_grouped"), *super().get_urls()]

    def grouped_view(self, request):
        """One day of the trail with repeated actions as one line ("viewed 5 times between 09:02 and 09:07").

        A day at a time keeps the page's cost bounded by the day's events;
        `patient_ref` narrows it to one patient's pseudonym.
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        day = _day(request.GET.get("day"))
        start = timezone.make_aware(datetime.combine(day, time.min))
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        events = AuditEvent.objects.filter(created_at__gte=start, created_at__lt=end)
        patient_ref = request.GET.get("patient_ref", "").strip()[:64]
        if patient_ref:
            events = events.filter(patient_ref=patient_ref)
        groups = audit_event_groups(events.order_by("-created_at", "-pk").iterator(chunk_size=1000))
        page = Paginator(groups, AUDIT_GROUPS_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Audit log, repeated actions grouped"),
            "day": day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1) if day < timezone.localdate() else None,
            "patient_ref": patient_ref,
            "page": page,
            "window_minutes": int(AUDIT_GROUP_WINDOW.total_seconds() // 60),
        }
        return TemplateResponse(request, "admin/triage/auditevent/grouped.html", context)


def _day(value) -> date:
    """The day asked for in the query string; today (local time) when it is missing or not a date."""
    try:
        day = date.fromisoformat(value or "")
        # The page links to the day before and computes the day after: both must exist.
        _ = (day - timedelta(days=1), day + timedelta(days=1))
    except (ValueError, OverflowError):
        return timezone.localdate()
    return day
