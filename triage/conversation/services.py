"""Writing in a case's conversation: a doctor's message, the patient's reply.

Each message is written once per form (its key), with its audit event and the notice to the other
side in the same transaction. A closed case takes no more messages: its conversation is part of the
record as it stood. A refusal is a `ValidationError` on the `text` field; the view words nothing.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outbox.notices import Notice, notify_patient

from ..audit.writer import Actor, audit_record
from ..cases.services import case_log_message_exchange
from ..models import MESSAGE_MAX_LENGTH, AuditEvent, Case, CaseMessage

CLOSED_CASE = _("This case is closed: its conversation can be read but no longer answered.")
EMPTY = _("Write the message before sending it.")
ACCOUNT_CLOSED = _("She closed her account: she can no longer read messages on the portal.")
NOT_YET = _("You can reply once the clinic has written to you here.")
TOO_LONG = _("Keep the message under %(max)d characters (it has %(length)d).")


def message_errors(text: str) -> str | None:
    """What is wrong with the text of a message, or None."""
    if not text:
        return str(EMPTY)
    if len(text) > MESSAGE_MAX_LENGTH:
        return str(TOO_LONG % {"max": MESSAGE_MAX_LENGTH, "length": len(text)})
    return None


def _checked(case: Case, text: str) -> str:
    text = (text or "").strip()
    if case.status == Case.Status.CLOSED:
        raise ValidationError({"text": CLOSED_CASE})
    error = message_errors(text)
    if error:
        raise ValidationError({"text": error})
    return text


def _create(case: Case, *, kind: str, author, text: str, key: str) -> tuple[CaseMessage, bool]:
    """The message of this form (`key`), made now or found from an earlier post: (message, created)."""
    existing = CaseMessage.objects.filter(case=case, key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            message = CaseMessage.objects.create(
                case=case, author_kind=kind, author=author, text=text, key=key, created_at=timezone.now()
            )
    except IntegrityError:
        # The same form posted twice at once: the other post made it.
        return CaseMessage.objects.get(case=case, key=key), False
    return message, True


@transaction.atomic
def message_post_by_doctor(*, case_id: int, actor: Actor, text: str, key: str) -> CaseMessage:
    """A doctor writes to the patient: the message, its audit event, the notice to her (no content:
    `outbox.notices.notify_patient`).

    Her replies waiting for an answer are answered by it, and logged as a contact
    (`reply_contact_record`).
    """
    case = Case.objects.select_for_update().select_related("patient").get(pk=case_id)
    text = _checked(case, text)
    if case.patient.closed_at is not None:
        raise ValidationError({"text": ACCOUNT_CLOSED})
    message, created = _create(case, kind=CaseMessage.Author.DOCTOR, author=actor.user, text=text, key=key)
    if not created:
        return message
    Case.objects.filter(pk=case_id).update(last_actor=actor.user, last_acted_at=message.created_at)
    audit_record(actor, AuditEvent.Action.MESSAGE_SEND, obj=case, patient=case.patient_id)
    reply_contact_record(case=case, actor=actor, answer=message)
    # By email, and by text if she opted in: no content, a link; once, as the message is made once.
    notify_patient(case.patient, Notice.NEW_MESSAGE, key=f"case-message:{message.pk}")
    return message


@transaction.atomic
def message_post_by_patient(*, case_id: int, user, text: str, key: str) -> CaseMessage:
    """The patient replies on her case while it is open, once the clinic has written to her there;
    the reply waits on the worklist as a new reply until a doctor reads it."""
    case = Case.objects.select_for_update().get(pk=case_id)
    text = _checked(case, text)
    if not CaseMessage.objects.filter(case=case, author_kind=CaseMessage.Author.DOCTOR).exists():
        raise ValidationError({"text": NOT_YET})
    message, _created = _create(case, kind=CaseMessage.Author.PATIENT, author=user, text=text, key=key)
    return message


def reply_contact_record(*, case: Case, actor: Actor, answer: CaseMessage) -> int:
    """Her replies that `answer` (a doctor's message) answers are marked answered and logged on the
    contact log as one attempt by portal message, "answered her message"; returns how many replies.

    The one place where a reply of hers turns into a contact with the clinic. One attempt per
    answer, however many replies it answers (she wrote, the clinic answered: one exchange); an
    answer posted twice is one message (its form's key), and replies already answered are not
    answered again, so nothing is logged twice.

    Why an attempt and not "spoke with her", which makes the case acted on and lets her
    emergency or urgent advice fold (RULES.md 11.2, S2): a written exchange is not a conversation
    in which the clinic heard how she is now. She may have written about a date, not her
    symptoms; the answer may be "we will call you tomorrow"; nothing says she has read it. It is
    logged for the doctor without a clinician's judgement, and a live alarm must never fold as a
    side effect of bookkeeping. A doctor who has dealt with her case says so as for any case:
    "spoke with her" after a call, a status change, a visit booked.
    """
    replies = CaseMessage.objects.filter(
        case_id=case.pk,
        author_kind=CaseMessage.Author.PATIENT,
        answered_at__isnull=True,
        created_at__lte=answer.created_at,
    ).update(answered_at=answer.created_at)
    if replies:
        case_log_message_exchange(case=case, actor=actor, answer_id=answer.pk, at=answer.created_at)
    return replies
