"""Emails to the doctors when an urgent case arrives. Never blocks or loses a submission."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def doctor_emails() -> list[str]:
    User = get_user_model()
    return list(User.objects.doctors().values_list("email", flat=True))


def notify_urgent_case(case_id: int) -> None:
    """Tell the doctors a case needs them soon.

    The subject and body carry no health data: only that a case is waiting
    and a link to it, which needs a doctor's login to open.
    """
    try:
        recipients = doctor_emails()
        if not recipients:
            return
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("A new case is waiting on the worklist")
            body = _("A new questionnaire needs prompt review. Open the worklist to see it:\n\n%(url)s\n") % {
                "url": f"{settings.PORTAL_BASE_URL}{reverse('triage:case_detail', args=[case_id])}"
            }
        send_mail(subject, body, None, recipients)
    except Exception as exc:  # a failed email must never undo or block a submission
        logger.error(
            "Could not send the urgent-case notification for case %s: %s", case_id, type(exc).__name__
        )
