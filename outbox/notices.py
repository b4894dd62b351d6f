"""Notices to a patient that something is waiting for her in the portal, by email and by text.

`notify_patient(patient, kind, key=...)` is the one call for them: the email
always goes (to an open account), the text message too when she opted in to
texts. A notice holds no content and no health data, only what it is about in
general words and a link: the doctor's message or the update is read in the
portal, after logging in.

- `NEW_MESSAGE`: the clinic wrote to her.
- `RETRIAGE`: her questionnaire was assessed again and moved up into urgent
  or emergency; the words are RULES.md 11.2 S4's, without the level.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clinic.models import clinic_profile

from .services import Message, outbox_email
from .texts import compose, outbox_text


class Notice(models.TextChoices):
    NEW_MESSAGE = "new_message", _("You have a new message from the clinic.")
    RETRIAGE = (
        "retriage",
        _("There is an update about your questionnaire: please read it in the portal or phone the clinic."),
    )


# The page each notice's link opens: her home page lists her questionnaires and their news.
NOTICE_PATH = "home"


@dataclass(frozen=True)
class Notified:
    email: bool
    text: bool


def notify_patient(patient, kind: str, *, key: str) -> Notified:
    """Queue the notice `kind` (a `Notice`) for her, in the caller's transaction.

    `key` names the event (e.g. "case-message:41", "retriage:17:3"): the same key never queues a
    second text message; the caller claims the event once for the email, as visits do.
    """
    kind = Notice(kind)
    email = None
    if patient.user.is_active and patient.closed_at is None:
        email = patient_notice_email.enqueue(user_id=patient.user_id, notice=kind.value)
    text = patient_notice_text.enqueue(patient=patient, key=f"notice:{key}", notice=kind.value)
    return Notified(email=email is not None, text=text is not None)


@outbox_email
def patient_notice_email(*, user_id: int, notice: str) -> Message | None:
    """The notice by email, in her language, with the link and the clinic's phone."""
    user = (
        get_user_model().objects.filter(pk=user_id, is_active=True, patient__closed_at__isnull=True).first()
    )
    if user is None:
        return None
    context = {
        "notice": Notice(notice),
        "clinic": clinic_profile(),
        "url": f"{settings.PORTAL_BASE_URL}{reverse(NOTICE_PATH)}",
    }
    with translation.override(user.language):
        subject = "".join(render_to_string("outbox/emails/notice_subject.txt", context).splitlines())
        body = render_to_string("outbox/emails/notice.txt", context)
    return Message(to=[user.email], subject=subject, body=body)


@outbox_text
def patient_notice_text(*, patient, notice: str) -> str | None:
    """The notice by text message."""
    return compose(str(Notice(notice).label), reverse(NOTICE_PATH))
