"""The outbox for superusers: what was sent, what failed, and the two ways to settle a failure."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic.auth import SuperuserOnlyAdmin, is_clinic_admin
from clinic.phones import phone_masked

from .models import OutboundEmail, OutboundText
from .services import email_dismiss, email_send_again
from .texts import text_dismiss, text_send_again

SETTLEABLE = (OutboundEmail.Status.FAILED, OutboundEmail.Status.IN_DOUBT, OutboundEmail.Status.SENDING)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    list_display = ("pk", "kind_name", "status", "attempts", "last_error", "created_at", "sent_at")
    list_filter = ("status",)
    readonly_fields = (
        "kind",
        "params",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
    )
    actions = ["send_again", "dismiss"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return is_clinic_admin(request.user)

    @admin.action(description=_("Send again (a message that may have been sent can arrive twice)"))
    def send_again(self, request, queryset):
        chosen = list(queryset.filter(status__in=SETTLEABLE))
        for message in chosen:
            email_send_again(message)
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", len(chosen))
            % {"count": len(chosen)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Dismiss (do not send)"))
    def dismiss(self, request, queryset):
        chosen = list(queryset.filter(status__in=SETTLEABLE))
        for message in chosen:
            email_dismiss(message)
        self.message_user(
            request,
            ngettext("%(count)d email dismissed.", "%(count)d emails dismissed.", len(chosen))
            % {"count": len(chosen)},
            messages.SUCCESS,
        )


@admin.register(OutboundText)
class OutboundTextAdmin(OutboundEmailAdmin):
    """Text messages as emails are shown, with the number masked in the list."""

    list_display = ("pk", "kind_name", "status", "attempts", "last_error", "to", "created_at", "sent_at")
    readonly_fields = (
        "kind",
        "params",
        "idempotency_key",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
        "phone",
        "text",
        "provider_id",
    )
    exclude = ("patient",)

    @admin.display(description=_("sent to"))
    def to(self, obj):
        return phone_masked(obj.phone) if obj.phone else ""

    @admin.action(description=_("Send again (a message that may have been sent can arrive twice)"))
    def send_again(self, request, queryset):
        chosen = list(queryset.filter(status__in=SETTLEABLE))
        for message in chosen:
            text_send_again(message)
        self.message_user(
            request,
            ngettext(
                "%(count)d text message queued again.", "%(count)d text messages queued again.", len(chosen)
            )
            % {"count": len(chosen)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Dismiss (do not send)"))
    def dismiss(self, request, queryset):
        chosen = list(queryset.filter(status__in=SETTLEABLE))
        for message in chosen:
            text_dismiss(message)
        self.message_user(
            request,
            ngettext("%(count)d text message dismissed.", "%(count)d text messages dismissed.", len(chosen))
            % {"count": len(chosen)},
            messages.SUCCESS,
        )
