"""A doctor's work on a case: status changes and notes, each kept in the case timeline."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import PROMPT_LEVELS, Case, CaseEvent

# A case starts as "new"; a doctor moves it to one of these.
STATUS_TARGETS = (Case.Status.IN_REVIEW, Case.Status.FOLLOW_UP, Case.Status.CLOSED)
REASON_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 4000


class CaseConflict(Exception):
    """The case changed after the doctor loaded it; `case` is its current state."""

    def __init__(self, case: Case):
        super().__init__(case.pk)
        self.case = case


def close_needs_reason(case: Case) -> bool:
    """Closing an urgent case, or one nobody has opened yet, must say why."""
    return case.level in PROMPT_LEVELS or case.status == Case.Status.NEW


def _status_errors(case: Case, to_status, follow_up_on, reason: str) -> dict:
    errors = {}
    if to_status not in STATUS_TARGETS:
        errors["to_status"] = _("Choose one of the statuses offered.")
    elif to_status == case.status and to_status != Case.Status.FOLLOW_UP:
        errors["to_status"] = _("The case already has this status.")
    if to_status == Case.Status.FOLLOW_UP:
        if follow_up_on is None:
            errors["follow_up_on"] = _("Give the date of the follow-up.")
        elif follow_up_on < timezone.localdate():
            errors["follow_up_on"] = _("The follow-up date cannot be in the past.")
        elif case.status == Case.Status.FOLLOW_UP and follow_up_on == case.follow_up_on:
            errors["follow_up_on"] = _("The follow-up is already scheduled for this date.")
    if to_status == Case.Status.CLOSED and close_needs_reason(case) and not reason:
        errors["reason"] = _(
            "Give a short reason: this case is urgent or has not been opened yet, so closing it must be explained."
        )
    if len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH}
    return errors


@transaction.atomic
def case_change_status(
    *, case_id: int, actor, to_status: str, expected_version: int, follow_up_on=None, reason: str = ""
) -> Case:
    """Move a case to another status, unless someone changed it since `expected_version`.

    The write is a conditional UPDATE on the version, so of two doctors
    submitting forms loaded at the same version exactly one wins and the
    other gets `CaseConflict` with the current state; nothing is overwritten
    unseen. Bad input raises `ValidationError` keyed by form field.
    """
    case = Case.objects.get(pk=case_id)
    if case.version != expected_version:
        raise CaseConflict(case)
    reason = (reason or "").strip()
    errors = _status_errors(case, to_status, follow_up_on, reason)
    if errors:
        raise ValidationError(errors)
    if to_status != Case.Status.FOLLOW_UP:
        follow_up_on = None
    now = timezone.now()
    updated = Case.objects.filter(pk=case_id, version=expected_version).update(
        status=to_status,
        follow_up_on=follow_up_on,
        last_actor=actor,
        last_acted_at=now,
        version=F("version") + 1,
    )
    if not updated:
        raise CaseConflict(Case.objects.get(pk=case_id))
    CaseEvent.objects.create(
        case_id=case_id,
        kind=CaseEvent.Kind.STATUS,
        actor=actor,
        from_status=case.status,
        to_status=to_status,
        follow_up_on=follow_up_on,
        text=reason,
        created_at=now,
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def case_add_note(*, case_id: int, actor, text: str) -> CaseEvent:
    """Append a note to the case timeline.

    Notes never conflict: each is a new row, so two doctors writing at once
    both keep theirs, and the status version is left alone.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note before saving it.")})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"text": _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX_LENGTH}}
        )
    now = timezone.now()
    if not Case.objects.filter(pk=case_id).update(last_actor=actor, last_acted_at=now):
        raise Case.DoesNotExist(case_id)
    return CaseEvent.objects.create(
        case_id=case_id, kind=CaseEvent.Kind.NOTE, actor=actor, text=text, created_at=now
    )
