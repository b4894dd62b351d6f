"""The patient's notice of a new message from the clinic: no content, only a link.

Built when the worker sends it, in her language, from identifiers only: the message itself is read
after logging in, never in an inbox or on a phone's lock screen.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from clinic.models import clinic_profile
from outbox.services import Message, outbox_email

from ..models import CaseMessage


def notify_patient_of_message(*, message_id: int) -> None:
    """Queue her notice in the caller's transaction (once per message: the message is made once)."""
    submission_id = CaseMessage.objects.filter(pk=message_id).values_list("case_id", flat=True).first()
    case_message_email.enqueue(message_id=message_id, submission_id=submission_id)


@outbox_email
def case_message_email(*, message_id: int, submission_id: int | None = None) -> Message | None:
    """ "The clinic has written to you": a link to her questionnaire's page, and the clinic's phone.

    Nothing to send once the message or her account is gone or closed, or her address unconfirmed.
    """
    message = CaseMessage.objects.filter(pk=message_id).select_related("case__patient__user").first()
    if message is None:
        return None
    patient = message.case.patient
    user = patient.user
    if not user.is_active or patient.closed_at or not user.email_verified:
        return None
    clinic = clinic_profile()
    link = f"{settings.PORTAL_BASE_URL}{reverse('patients:submission_detail', args=[message.case_id])}"
    with translation.override(user.language):
        subject = _("%(clinic)s: you have a new message") % {"clinic": clinic.name}
        body = _(
            "Hello,\n\nthe clinic has written to you about your questionnaire. To read the message, log in "
            "to the portal:\n\n%(link)s\n\nFor privacy, this email does not contain the message."
        ) % {"link": link}
        if clinic.phone:
            body += "\n\n" + _("The clinic's phone: %(phone)s") % {"phone": clinic.phone_display}
        body += "\n"
    return Message(to=[user.email], subject=subject, body=body)
