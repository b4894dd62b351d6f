"""What a re-assessment leaves the doctors to do (RULES.md 11.2): decide on a lower level (S5) and
contact her about new advice (S4 d).

Each decision is a doctor's, recorded on the case's timeline and in the audit log (who and when)
in the same transaction. Each names what the page showed (the pending assessment, the open task),
so a form posted twice, or after a later re-assessment changed the case, acts at most once.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..audit.writer import Actor, audit_record
from ..models import AuditEvent, Case, CaseEvent
from .assessments import case_apply_assessment, level_record
from .services import note_cleaned


def _locked(case_id: int) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("pending_sign_off").get(pk=case_id)


def _decision_event(case: Case, actor: Actor, decision: str, now) -> CaseEvent:
    pending = case.pending_sign_off
    return CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.SIGN_OFF,
        actor=actor.user,
        detail={
            "decision": decision,
            "assessment": pending.pk,
            "from": level_record(case),
            "to": level_record(pending),
        },
        created_at=now,
    )


@transaction.atomic
def case_sign_off_lower(*, case_id: int, actor: Actor, assessment_id: int) -> bool:
    """Sign off the lower assessment pending on the case: the case moves to it and she is given its
    advice, dated now (RULES.md 11.2, S5). Returns False, changing nothing, when `assessment_id` is
    no longer the one pending (already decided, or replaced by a later re-assessment)."""
    case = _locked(case_id)
    if case.pending_sign_off_id != assessment_id:
        return False
    now = timezone.now()
    _decision_event(case, actor, CaseEvent.Decision.LOWER, now)
    case.last_actor, case.last_acted_at = actor.user, now
    case_apply_assessment(case, case.pending_sign_off, advised_at=now)
    audit_record(actor, AuditEvent.Action.SIGN_OFF_LOWER, obj=case, patient=case.patient_id)
    return True


@transaction.atomic
def case_keep_higher(*, case_id: int, actor: Actor, assessment_id: int) -> bool:
    """Keep the case's level and set the pending lower assessment aside: nothing changes for her
    (S5). Returns False, changing nothing, when `assessment_id` is no longer the one pending."""
    case = _locked(case_id)
    if case.pending_sign_off_id != assessment_id:
        return False
    now = timezone.now()
    _decision_event(case, actor, CaseEvent.Decision.HIGHER, now)
    Case.objects.filter(pk=case_id).update(pending_sign_off=None, last_actor=actor.user, last_acted_at=now)
    audit_record(actor, AuditEvent.Action.KEEP_HIGHER, obj=case, patient=case.patient_id)
    return True


@transaction.atomic
def case_contact_task_close(*, case_id: int, actor: Actor, task_id: int, note: str) -> bool:
    """Close the task "contact the patient about the new advice" with the doctor's note (S4 d).

    The note is required (a `ValidationError` on "note" otherwise). Returns False, changing
    nothing, when `task_id` is no longer the open task (already closed: a second post).
    """
    note = note_cleaned(
        note, field="note", missing=_("Write what was done to contact her before closing the task.")
    )
    case = Case.objects.select_for_update().only("pk", "patient_id", "contact_task_id").get(pk=case_id)
    if case.contact_task_id != task_id:
        return False
    now = timezone.now()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.TASK_DONE,
        actor=actor.user,
        text=note,
        detail={"task": task_id},
        created_at=now,
    )
    Case.objects.filter(pk=case_id).update(contact_task=None, last_actor=actor.user, last_acted_at=now)
    audit_record(actor, AuditEvent.Action.CONTACT_TASK_DONE, obj=case, patient=case.patient_id)
    return True
