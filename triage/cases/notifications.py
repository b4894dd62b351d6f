"""Emails to the doctors when a case at priority or above arrives, or a case is moved up to one.

The alert names the level in its subject and first line, as a word only (RULES.md 11.2, S7).

They go through the outbox (`outbox.services`): queued with the case, sent
by the task worker, so a slow or broken mail server never holds or undoes
a submission, and a failed alert is retried, then reported.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox.services import Message, outbox_email

from ..models import Case, CaseLevel

# The alert's subject per level (RULES.md 11.2, S7): the level as a word, nothing about her. A case
# the rules could not assess is named for what it needs: a person to read it.
ALERT_SUBJECTS = {
    CaseLevel.REVIEW: gettext_lazy("Manual review: new case waiting"),
    CaseLevel.EMERGENCY: gettext_lazy("Emergency: new case waiting"),
    CaseLevel.URGENT: gettext_lazy("Urgent case waiting"),
    CaseLevel.PRIORITY: gettext_lazy("Priority case waiting"),
}


def doctor_emails(language: str | None = None) -> list[str]:
    """The doctors' addresses; only those who read the portal in `language`, when given."""
    User = get_user_model()
    doctors = User.objects.doctors()
    if language is not None:
        doctors = doctors.filter(language=language)
    return list(doctors.values_list("email", flat=True))


def doctor_languages() -> list[str]:
    """The languages the doctors read the portal in (the clinic's own when there is no doctor):
    an email to every doctor is queued once per language."""
    User = get_user_model()
    languages = set(User.objects.doctors().values_list("language", flat=True)) or {settings.LANGUAGE_CODE}
    return sorted(languages)


def notify_urgent_case(case_id: int) -> None:
    """Queue the doctors' alert in the caller's transaction, one email per language they read.

    The task worker sends them; each goes to the doctors of its language at
    that moment.
    """
    for language in doctor_languages():
        urgent_case_email.enqueue(case_id=case_id, language=language)


@outbox_email
def urgent_case_email(*, case_id: int, language: str | None = None) -> Message | None:
    """Tell the doctors who read `language` that a case at `level` needs them soon.

    The subject and the first line name the case's level as it is when the alert is sent (S7);
    nothing else about her: no health data, no name, only a link to the worklist, which needs
    a doctor's login. The recipients are the doctors at the time of sending (every doctor, in
    the default language, for an alert queued without a language). A case no longer at an
    alerting level, or gone, alerts nobody.
    """
    level = Case.objects.filter(pk=case_id).values_list("level", flat=True).first()
    if level not in ALERT_SUBJECTS:
        return None
    recipients = doctor_emails(language)
    if not recipients:
        return None
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = str(ALERT_SUBJECTS[level])
        text = _("A case needs prompt review. Open the worklist to see it:")
        url = f"{settings.PORTAL_BASE_URL}{reverse('triage:dashboard')}"
        body = f"{CaseLevel(level).label}\n\n{text}\n\n{url}\n"
    return Message(to=recipients, subject=subject, body=body)
