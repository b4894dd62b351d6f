"""Emails to the doctors when an urgent case arrives or a case is moved up to urgent.

They go through the outbox (`outbox.services`): queued with the case, sent
by the task worker, so a slow or broken mail server never holds or undoes
a submission, and a failed alert is retried, then reported.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from outbox.services import Message, outbox_email


def doctor_emails() -> list[str]:
    User = get_user_model()
    return list(User.objects.doctors().values_list("email", flat=True))


def notify_urgent_case(case_id: int) -> None:
    """Queue the doctors' alert in the caller's transaction; the task worker sends it."""
    urgent_case_email.enqueue(case_id=case_id)


@outbox_email
def urgent_case_email(*, case_id: int) -> Message | None:
    """Tell the doctors a case needs them soon.

    The subject and body carry no health data: only that a case is waiting
    and a link to it, which needs a doctor's login to open. The recipients
    are the doctors at the time of sending.
    """
    recipients = doctor_emails()
    if not recipients:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("A new case is waiting on the worklist")
        body = _("A new questionnaire needs prompt review. Open the worklist to see it:\n\n%(url)s\n") % {
            "url": f"{settings.PORTAL_BASE_URL}{reverse('triage:case_detail', args=[case_id])}"
        }
    return Message(to=recipients, subject=subject, body=body)
