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


def doctor_emails(language: str | None = None) -> list[str]:
    """The doctors' addresses; only those who read the portal in `language`, when given."""
    User = get_user_model()
    doctors = User.objects.doctors()
    if language is not None:
        doctors = doctors.filter(language=language)
    return list(doctors.values_list("email", flat=True))


def notify_urgent_case(case_id: int) -> None:
    """Queue the doctors' alert in the caller's transaction, one email per language they read.

    The task worker sends them; each goes to the doctors of its language at
    that moment.
    """
    User = get_user_model()
    languages = set(User.objects.doctors().values_list("language", flat=True)) or {settings.LANGUAGE_CODE}
    for language in sorted(languages):
        urgent_case_email.enqueue(case_id=case_id, language=language)


@outbox_email
def urgent_case_email(*, case_id: int, language: str | None = None) -> Message | None:
    """Tell the doctors who read `language` that a case needs them soon.

    The subject and body carry no health data: only that a case is waiting
    and a link to it, which needs a doctor's login to open. The recipients
    are the doctors at the time of sending (every doctor, in the default
    language, for an alert queued without a language).
    """
    recipients = doctor_emails(language)
    if not recipients:
        return None
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("A new case is waiting on the worklist")
        body = _("A new questionnaire needs prompt review. Open the worklist to see it:\n\n%(url)s\n") % {
            "url": f"{settings.PORTAL_BASE_URL}{reverse('triage:case_detail', args=[case_id])}"
        }
    return Message(to=recipients, subject=subject, body=body)
