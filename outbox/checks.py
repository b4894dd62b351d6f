"""Start-up checks of the text-message settings (`manage.py check`, and every start)."""

from django.conf import settings
from django.core import checks

from .sms import BACKENDS


@checks.register(checks.Tags.compatibility)
def text_settings_check(app_configs, **kwargs):
    errors = []
    if len(settings.SMS_LINK_BASE_URL) > settings.SMS_LINK_BASE_MAX_LENGTH:
        errors.append(
            checks.Error(
                f"The address in text messages' links is longer than {settings.SMS_LINK_BASE_MAX_LENGTH} "
                "characters: a text would not fit in one message.",
                hint="Set DJANGO_SMS_LINK_BASE_URL to a shorter address of the portal.",
                id="outbox.E001",
            )
        )
    if settings.SMS_BACKEND == "twilio" and not (
        settings.SMS_TWILIO_ACCOUNT_SID and settings.SMS_TWILIO_AUTH_TOKEN
    ):
        errors.append(
            checks.Error(
                "DJANGO_SMS_BACKEND=twilio needs DJANGO_SMS_TWILIO_ACCOUNT_SID and DJANGO_SMS_TWILIO_AUTH_TOKEN.",
                id="outbox.E002",
            )
        )
    if settings.SMS_BACKEND not in BACKENDS and "." not in settings.SMS_BACKEND:
        errors.append(
            checks.Error(
                f"DJANGO_SMS_BACKEND={settings.SMS_BACKEND!r} is not a known provider.",
                hint=f"One of {', '.join(sorted(BACKENDS))}, or a dotted path to an SmsBackend class.",
                id="outbox.E003",
            )
        )
    return errors
