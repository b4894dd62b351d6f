"""What the pages show of a conversation: the case page's part, and each of her cases' part."""

from dataclasses import dataclass, field

from django.utils.translation import get_language_info

from ..advice import patient_language
from ..models import Case, CaseMessage
from .forms import MessageForm
from .selectors import saved_replies


@dataclass(frozen=True)
class SavedReplyChoice:
    pk: int
    title: str
    # In the patient's language.
    text: str


@dataclass
class CaseConversation:
    """The case page's conversation: the messages, the box and the saved replies."""

    messages: list[CaseMessage]
    action: str
    closed: bool
    account_closed: bool
    new_reply: bool
    language: str
    saved_replies: list[SavedReplyChoice] = field(default_factory=list)


def case_conversation(
    case: Case, messages: list[CaseMessage], *, action: str, new_reply: bool
) -> CaseConversation:
    language = patient_language(case.patient.user)
    closed = case.status == Case.Status.CLOSED
    replies = [] if closed else saved_replies()
    return CaseConversation(
        messages=messages,
        action=action,
        closed=closed,
        account_closed=case.patient.closed_at is not None,
        new_reply=new_reply,
        language=get_language_info(language)["name_translated"],
        saved_replies=[SavedReplyChoice(r.pk, r.title, r.text_in(language)) for r in replies],
    )


@dataclass
class PatientConversation:
    """One case's conversation on her pages: the messages, and her reply box while the case is open."""

    submission_id: int
    messages: list[CaseMessage]
    open: bool
    form: MessageForm | None


def patient_conversation(case: Case, messages: list[CaseMessage], *, form=None) -> PatientConversation:
    is_open = case.status != Case.Status.CLOSED
    return PatientConversation(
        submission_id=case.pk,
        messages=messages,
        open=is_open,
        # A closed case shows a refused reply (and what she typed) next to the closed notice.
        form=(form or MessageForm()) if is_open else form,
    )
