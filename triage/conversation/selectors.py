"""Reading a case's conversation: its messages, the clinic's saved replies, and whether a reply of
hers waits for a doctor to read it (the worklist's "new reply").

A doctor has read a reply once the case page has shown it: that showing is in the audit log
(`AuditEvent.Action.CONVERSATION_READ`), so reading changes nothing but the log, and the marker is
one EXISTS per row, whatever the number of messages.
"""

from django.db.models import CharField, Exists, OuterRef, QuerySet
from django.db.models.functions import Cast

from ..models import AuditEvent, Case, CaseMessage, SavedReply


def case_messages(case_id: int) -> list[CaseMessage]:
    """The case's messages, oldest first, with their authors (one query)."""
    return list(CaseMessage.objects.filter(case_id=case_id).select_related("author"))


def messages_of_cases(case_ids) -> dict[int, list[CaseMessage]]:
    """The messages of several cases, oldest first, by case id (one query)."""
    by_case: dict[int, list[CaseMessage]] = {pk: [] for pk in case_ids}
    for message in CaseMessage.objects.filter(case_id__in=list(by_case)).select_related("author"):
        by_case[message.case_id].append(message)
    return by_case


def saved_replies() -> list[SavedReply]:
    return list(SavedReply.objects.filter(active=True))


def _conversation_read_after(message_created_at) -> QuerySet[AuditEvent]:
    """A doctor's reading of the case's conversation at or after a message (case = outer row)."""
    return AuditEvent.objects.filter(
        patient_id=OuterRef(OuterRef("patient_id")),
        action=AuditEvent.Action.CONVERSATION_READ,
        object_type="triage.case",
        object_id=Cast(OuterRef(OuterRef("pk")), output_field=CharField()),
        created_at__gte=message_created_at,
    )


def with_new_reply(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate each case with `new_reply`: a reply of hers no doctor has read yet."""
    unread = CaseMessage.objects.filter(
        case_id=OuterRef("pk"), author_kind=CaseMessage.Author.PATIENT
    ).exclude(Exists(_conversation_read_after(OuterRef("created_at"))))
    return queryset.annotate(new_reply=Exists(unread))


def case_has_new_reply(case_id: int) -> bool:
    return (
        with_new_reply(Case.objects.filter(pk=case_id)).values_list("new_reply", flat=True).first() or False
    )
