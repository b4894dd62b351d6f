"""What an escalation sends (RULES.md 11.2, S8): the reminder to the doctors, the alert to the
clinic's escalation contact and the daily digest of priority cases, by email or text message.

Like the first alert (`notifications`, S7) each names the level as a word and nothing about
her: no name, no answer, no health data, only a link to the worklist, which needs a doctor's
login (the digest adds the case numbers). Each is built when it is sent, from identifiers, and
goes through the outbox, once. When each is sent is `escalation`'s business.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clinic.models import clinic_profile
from clinic.phones import InvalidPhone, phone_can_receive_texts, phone_normalise
from outbox.gsm7 import fits_one_message
from outbox.services import Message, outbox_email
from outbox.texts import ClinicText, compose_for_clinic, outbox_clinic_text

from ..models import Case, CaseLevel, Escalation
from .notifications import doctor_emails, doctor_languages

# The reminder's subject per level: marked as a reminder, the level as a word.
REMINDER_SUBJECTS = {
    CaseLevel.REVIEW: gettext_lazy("Reminder: case for manual review not yet opened"),
    CaseLevel.EMERGENCY: gettext_lazy("Reminder: emergency case not yet opened"),
    CaseLevel.URGENT: gettext_lazy("Reminder: urgent case not yet opened"),
}
# The escalation contact's subject per level.
CONTACT_SUBJECTS = {
    CaseLevel.REVIEW: gettext_lazy("Escalation: case for manual review not yet seen by a doctor"),
    CaseLevel.EMERGENCY: gettext_lazy("Escalation: emergency case not yet seen by a doctor"),
    CaseLevel.URGENT: gettext_lazy("Escalation: urgent case not yet seen by a doctor"),
}

Channel = Escalation.Channel


def worklist_path(**filters) -> str:
    """The worklist's address (with its filters' parameters), under the portal's root."""
    query = urlencode(filters)
    return reverse("triage:dashboard") + (f"?{query}" if query else "")


def _escalating_level(case_id: int) -> int | None:
    """The open case's level when it is one that escalates; None otherwise (nothing to send)."""
    level = (
        Case.objects.filter(pk=case_id)
        .exclude(status=Case.Status.CLOSED)
        .values_list("level", flat=True)
        .first()
    )
    return level if level in REMINDER_SUBJECTS else None


def textable(number: str) -> str:
    """The E.164 form of a number from the profile that can receive texts; "" for none or a landline."""
    try:
        number = phone_normalise(number)
    except InvalidPhone:
        return ""
    return number if number and phone_can_receive_texts(number) else ""


@outbox_email
def reminder_email(*, case_id: int, language: str | None = None) -> Message | None:
    """The second alert to the doctors who read `language`: a reminder, the level as a word."""
    level = _escalating_level(case_id)
    recipients = doctor_emails(language) if level is not None else []
    if not recipients:
        return None
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = str(REMINDER_SUBJECTS[level])
        text = _(
            "This is a reminder: no doctor has opened this case since its first alert. "
            "Open the worklist to see it:"
        )
        body = _alert_body(level, text)
    return Message(to=recipients, subject=subject, body=body)


@outbox_clinic_text
def reminder_text(*, case_id: int) -> ClinicText | None:
    """The reminder by text message to the doctor on duty (the clinic profile's mobile)."""
    return _alert_text(case_id, clinic_profile().on_duty_mobile, REMINDER_SUBJECTS)


@outbox_email
def contact_email(*, case_id: int) -> Message | None:
    """The alert to the escalation contact's email, in the clinic's language; to every doctor when
    the clinic has no escalation contact, so that the step is never silent."""
    level = _escalating_level(case_id)
    if level is None:
        return None
    contact = clinic_profile().escalation_email
    recipients = [contact] if contact else doctor_emails()
    if not recipients:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(CONTACT_SUBJECTS[level])
        text = _(
            "No doctor has opened this case since its first alert, nor after the reminder. "
            "Please make sure a doctor sees it now. The worklist (a doctor's login is needed):"
        )
        body = _alert_body(level, text)
    return Message(to=recipients, subject=subject, body=body)


@outbox_clinic_text
def contact_text(*, case_id: int) -> ClinicText | None:
    """The alert by text message to the escalation contact's phone, when it is a mobile."""
    return _alert_text(case_id, clinic_profile().escalation_phone, CONTACT_SUBJECTS)


def _alert_body(level: int, text: str) -> str:
    """An alert email's body in the active language: the level as a word, what to do, the worklist's
    address."""
    return f"{CaseLevel(level).label}\n\n{text}\n\n{settings.PORTAL_BASE_URL}{worklist_path()}\n"


def _alert_text(case_id: int, number: str, subjects: dict) -> ClinicText | None:
    """An alert by text message to `number` when it is a mobile: its subject and the worklist's path."""
    level = _escalating_level(case_id)
    mobile = textable(number)
    if level is None or not mobile:
        return None
    return ClinicText(to=mobile, text=compose_for_clinic(str(subjects[level]), worklist_path()))


def _fits(built: ClinicText | None) -> bool:
    return built is not None and fits_one_message(built.text)


def reminder_queue(case_id: int, key: str) -> list[str]:
    """Queue the reminder by the clinic's second channel where one is set and its words fit one
    text message, otherwise by email to every doctor; returns the channels (`Escalation.Channel`)."""
    if _fits(reminder_text(case_id=case_id)) and reminder_text.enqueue(key=key, case_id=case_id):
        return [Channel.ON_DUTY_TEXT]
    for language in doctor_languages():
        reminder_email.enqueue(case_id=case_id, language=language)
    return [Channel.DOCTORS_EMAIL]


def contact_queue(case_id: int, key: str) -> list[str]:
    """Queue the alert to the escalation contact: email and/or text, as the profile has them; the
    doctors by email when it has neither (or only a landline). Returns the channels."""
    channels = []
    if clinic_profile().escalation_email:
        contact_email.enqueue(case_id=case_id)
        channels.append(Channel.CONTACT_EMAIL)
    if _fits(contact_text(case_id=case_id)) and contact_text.enqueue(key=key, case_id=case_id):
        channels.append(Channel.CONTACT_TEXT)
    if not channels:
        contact_email.enqueue(case_id=case_id)
        channels.append(Channel.NO_CONTACT)
    return channels


@outbox_email
def priority_digest_email(*, case_ids: list[int], days: int, language: str | None = None) -> Message | None:
    """The day's list of priority cases not acted on in time, by case number and level only."""
    rows = list(Case.objects.filter(pk__in=case_ids).order_by("pk").values_list("pk", "level"))
    recipients = doctor_emails(language) if rows else []
    if not recipients:
        return None
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = ngettext(
            "Daily digest: %(count)s priority case not acted on",
            "Daily digest: %(count)s priority cases not acted on",
            len(rows),
        ) % {"count": len(rows)}
        intro = _("Priority cases not acted on within %(days)s working days of their first alert:") % {
            "days": days
        }
        lines = "\n".join(
            _("Case %(number)s: %(level)s") % {"number": pk, "level": CaseLevel(level).label}
            for pk, level in rows
        )
        link = _("The worklist's priority cases:")
        url = f"{settings.PORTAL_BASE_URL}{worklist_path(level=CaseLevel.PRIORITY.value)}"
        body = f"{intro}\n\n{lines}\n\n{link}\n{url}\n"
    return Message(to=recipients, subject=subject, body=body)
