"""The outbox for superusers: what was sent, what failed, and the two ways to settle a failure."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from clinic.auth import SuperuserOnlyAdmin, is_clinic_admin
from clinic.phones import phone_masked

from .models import OutboundEmail, OutboundText
from .services import EMAILS, message_dismiss, message_send_again
from .texts import TEXTS

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

    # The channel the actions settle messages of, and how they report it (the text messages'
    # admin says its own).
    channel = EMAILS
    queued_again = ngettext_lazy("%(count)d email queued again.", "%(count)d emails queued again.", "count")
    dismissed = ngettext_lazy("%(count)d email dismissed.", "%(count)d emails dismissed.", "count")

    @admin.action(description=_("Send again (a message that may have been sent can arrive twice)"))
    def send_again(self, request, queryset):
        self._settle(
            request, queryset, lambda message: message_send_again(self.channel, message), self.queued_again
        )

    @admin.action(description=_("Dismiss (do not send)"))
    def dismiss(self, request, queryset):
        self._settle(request, queryset, message_dismiss, self.dismissed)

    def _settle(self, request, queryset, settle, done) -> None:
        """Settle each chosen message that is failed or in doubt, and say how many."""
        chosen = list(queryset.filter(status__in=SETTLEABLE))
        for message in chosen:
            settle(message)
        self.message_user(request, done % {"count": len(chosen)}, messages.SUCCESS)


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

    channel = TEXTS
    queued_again = ngettext_lazy(
        "%(count)d text message queued again.", "%(count)d text messages queued again.", "count"
    )
    dismissed = ngettext_lazy(
        "%(count)d text message dismissed.", "%(count)d text messages dismissed.", "count"
    )
