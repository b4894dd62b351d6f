"""The worklist's one write: closing routine cases together, with one reason recorded on each."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..audit.writer import Actor, audit_cases
from ..cases.acted_on import acted_on_store
from ..models import BULK_CLOSABLE_LEVELS, REASON_MAX_LENGTH, AuditEvent, Case, CaseEvent


class BulkCloseRefused(Exception):
    """Some chosen cases may not be closed together; nothing was changed. `case_ids` names them."""

    def __init__(self, case_ids):
        super().__init__(case_ids)
        self.case_ids = sorted(case_ids)


@transaction.atomic
def cases_bulk_close(*, case_ids, actor: Actor, reason: str) -> list[tuple[int, int]]:
    """Close routine cases (`BULK_CLOSABLE_LEVELS`) with one reason, recorded on each.

    Returns the (case id, patient id) of each case closed; each is in its patient's access log. All or nothing: if
    any chosen case is not routine (or no longer exists),
    `BulkCloseRefused` is raised and no case changes. Cases already closed are
    left as they are, so posting the same selection twice closes each once.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for closing these cases.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH}}
        )
    wanted = set(case_ids)
    if not wanted:
        raise ValidationError({"cases": _("Choose the routine cases to close.")})
    cases = list(
        Case.objects.select_for_update()
        .filter(pk__in=wanted)
        .order_by("pk")
        .only("pk", "patient_id", "level", "status")
    )
    refused = wanted - {case.pk for case in cases if case.level in BULK_CLOSABLE_LEVELS}
    if refused:
        raise BulkCloseRefused(refused)
    to_close = [case for case in cases if case.status != Case.Status.CLOSED]
    if not to_close:
        return []
    now = timezone.now()
    Case.objects.filter(pk__in=[case.pk for case in to_close]).update(
        status=Case.Status.CLOSED,
        last_actor=actor.user,
        last_acted_at=now,
        version=F("version") + 1,
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=case.pk,
            kind=CaseEvent.Kind.STATUS,
            actor=actor.user,
            from_status=case.status,
            to_status=Case.Status.CLOSED,
            text=reason,
            created_at=now,
        )
        for case in to_close
    )
    acted_on_store(case_ids=[case.pk for case in to_close])
    closed = [(case.pk, case.patient_id) for case in to_close]
    audit_cases(actor, AuditEvent.Action.STATUS_CHANGE, closed)
    return closed
