"""A doctor's work on a case: status changes (booking the follow-up visit), notes and assignment,
each kept in the case timeline and in the patient's access log in the same transaction.
Assessing questionnaires is in `assessments`."""

from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..audit.writer import Actor, audit_record
from ..models import (
    DEFAULT_VISIT_MINUTES,
    NOTE_MAX_LENGTH,
    PROMPT_LEVELS,
    REASON_MAX_LENGTH,
    AuditEvent,
    Case,
    CaseEvent,
    ContactAttempt,
    Visit,
)
from ..visits.services import local_start, visit_book
from .acted_on import acted_on_store

# A case starts as "new"; a doctor moves it to one of these.
STATUS_TARGETS = (Case.Status.IN_REVIEW, Case.Status.FOLLOW_UP, Case.Status.CLOSED)
# A follow-up booked with a date only starts at this local time.
DEFAULT_VISIT_TIME = time(9, 0)


class CaseConflict(Exception):
    """The case changed after the doctor loaded it; `case` is its current state."""

    def __init__(self, case: Case):
        super().__init__(case.pk)
        self.case = case


def close_needs_reason(case: Case) -> bool:
    """Closing an urgent case, or one nobody has opened yet, must say why."""
    return case.level in PROMPT_LEVELS or case.status == Case.Status.NEW


def _status_errors(case: Case, to_status, follow_up_at, reason: str) -> dict:
    errors = {}
    if to_status not in STATUS_TARGETS:
        errors["to_status"] = _("Choose one of the statuses offered.")
    elif to_status == case.status:
        errors["to_status"] = _("The case already has this status.")
    if to_status == Case.Status.FOLLOW_UP:
        if follow_up_at is None:
            errors["follow_up_on"] = _("Give the date of the follow-up.")
        elif follow_up_at <= timezone.now():
            errors["follow_up_on"] = _("The follow-up cannot be in the past.")
    if to_status == Case.Status.CLOSED and close_needs_reason(case) and not reason:
        errors["reason"] = _(
            "Give a short reason: this case is urgent or has not been opened yet, so closing it must be explained."
        )
    if len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH}
    return errors


# The visit's errors, said on the status form's fields.
VISIT_FIELDS = {
    "start_date": "follow_up_on",
    "start_time": "follow_up_time",
    "duration_minutes": "follow_up_duration",
}


@dataclass(frozen=True)
class FollowUp:
    """The visit that "follow-up booked" books: a local date and time, a length, a kind."""

    on: date
    at: time = DEFAULT_VISIT_TIME
    duration_minutes: int = DEFAULT_VISIT_MINUTES
    kind: str = Visit.Kind.FOLLOW_UP
    allow_overlap: bool = False
    # The booking form's key, so that the same form posted twice books one visit.
    key: str | None = None


@transaction.atomic
def case_change_status(
    *,
    case_id: int,
    actor: Actor,
    to_status: str,
    expected_version: int,
    follow_up_on=None,
    follow_up: FollowUp | None = None,
    reason: str = "",
) -> Case:
    """Move a case to another status, unless someone changed it since `expected_version`.

    The write is a conditional UPDATE on the version, so of two doctors
    submitting forms loaded at the same version exactly one wins and the
    other gets `CaseConflict` with the current state; nothing is overwritten
    unseen. Bad input raises `ValidationError` keyed by form field.

    "Follow-up booked" books the follow-up visit (`follow_up`, or just a date,
    `follow_up_on`, at the default time) and links it: the case's follow-up
    date is that visit's date. The change is in the patient's access log.
    """
    case = Case.objects.get(pk=case_id)
    if case.version != expected_version:
        raise CaseConflict(case)
    reason = (reason or "").strip()
    if follow_up is None and follow_up_on is not None:
        follow_up = FollowUp(on=follow_up_on)
    follow_up_at = None
    if to_status == Case.Status.FOLLOW_UP and follow_up is not None:
        try:
            follow_up_at = local_start(follow_up.on, follow_up.at)
        except ValidationError as error:
            raise ValidationError(_visit_errors(error)) from None
    errors = _status_errors(case, to_status, follow_up_at, reason)
    if errors:
        raise ValidationError(errors)
    visit = None
    if to_status == Case.Status.FOLLOW_UP:
        try:
            visit = visit_book(
                patient=case.patient,
                starts_at=follow_up_at,
                duration_minutes=follow_up.duration_minutes,
                kind=follow_up.kind,
                uid=follow_up.key,
                actor=actor,
                allow_overlap=follow_up.allow_overlap,
            )
        except ValidationError as error:
            raise ValidationError(_visit_errors(error)) from None
    now = timezone.now()
    changes = {
        "status": to_status,
        "last_actor": actor.user,
        "last_acted_at": now,
        "version": F("version") + 1,
    }
    if visit is not None:
        changes["follow_up_visit"] = visit
    updated = Case.objects.filter(pk=case_id, version=expected_version).update(**changes)
    if not updated:
        raise CaseConflict(Case.objects.get(pk=case_id))
    CaseEvent.objects.create(
        case_id=case_id,
        kind=CaseEvent.Kind.STATUS,
        actor=actor.user,
        from_status=case.status,
        to_status=to_status,
        follow_up_on=visit.local_date if visit else None,
        detail={"visit": visit.pk, "starts_at": visit.starts_at.isoformat()} if visit else {},
        text=reason,
        created_at=now,
    )
    acted_on_store(patient_ids=[case.patient_id])
    _audit_case(actor, AuditEvent.Action.STATUS_CHANGE, case_id, case.patient_id)
    return Case.objects.select_related("follow_up_visit").get(pk=case_id)


def _audit_case(actor: Actor, action, case_id: int, patient_id: int) -> None:
    audit_record(actor, action, patient=patient_id, object_type="triage.case", object_id=case_id)


def _visit_errors(error: ValidationError) -> dict:
    return {VISIT_FIELDS.get(name, name): messages for name, messages in error.message_dict.items()}


def note_cleaned(text: str, *, field: str, missing: str) -> str:
    """A doctor's note as stored: stripped, required (`missing` says what to write), and within
    `NOTE_MAX_LENGTH`; a `ValidationError` on the form's `field` otherwise."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {field: _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX_LENGTH}}
        )
    return text


@transaction.atomic
def case_add_note(*, case_id: int, actor: Actor, text: str) -> CaseEvent:
    """Append a note to the case timeline.

    Notes never conflict: each is a new row, so two doctors writing at once
    both keep theirs, and the status version is left alone.
    """
    text = note_cleaned(text, field="text", missing=_("Write the note before saving it."))
    now = timezone.now()
    patient_id = Case.objects.filter(pk=case_id).values_list("patient_id", flat=True).first()
    if patient_id is None:
        raise Case.DoesNotExist(case_id)
    Case.objects.filter(pk=case_id).update(last_actor=actor.user, last_acted_at=now)
    event = CaseEvent.objects.create(
        case_id=case_id, kind=CaseEvent.Kind.NOTE, actor=actor.user, text=text, created_at=now
    )
    _audit_case(actor, AuditEvent.Action.NOTE_ADD, case_id, patient_id)
    return event


@transaction.atomic
def case_assign(*, case_id: int, actor: Actor, take: bool) -> bool:
    """Take the case (`take`) or release it; returns whether anything changed.

    Taking a case already assigned to the actor, or releasing one nobody has,
    changes nothing and adds no event, so a form posted twice counts once. A
    doctor may take over a colleague's case: the timeline says who did it.
    The status version is left alone: assignment never conflicts with a
    status change.
    """
    case = Case.objects.select_for_update().only("pk", "patient_id", "assigned_to_id").get(pk=case_id)
    to = actor.user.pk if take else None
    if case.assigned_to_id == to:
        return False
    now = timezone.now()
    Case.objects.filter(pk=case_id).update(assigned_to=to, last_actor=actor.user, last_acted_at=now)
    CaseEvent.objects.create(
        case_id=case_id,
        kind=CaseEvent.Kind.ASSIGNMENT,
        actor=actor.user,
        detail={"from": case.assigned_to_id, "to": to},
        created_at=now,
    )
    _audit_case(actor, AuditEvent.Action.ASSIGNMENT, case_id, case.patient_id)
    return True


@dataclass(frozen=True)
class ContactLogged:
    """What logging a contact did: the attempt recorded, or None when the click was a repeat."""

    attempt: ContactAttempt | None
    # The attempts now on the log, as the worklist row counts them.
    attempts: int


@transaction.atomic
def case_log_contact(
    *, case_id: int, actor: Actor, outcome: str, seen: int, channel: str = ContactAttempt.Channel.PHONE
) -> ContactLogged:
    """Log one attempt to reach her (a one-click button), in the timeline and the audit log.

    `seen` is how many attempts the page showed when the doctor clicked. The case row is locked
    and the log counted: when it no longer holds `seen` attempts, the click is a repeat (a double
    click, or the same form posted again) or a colleague logged one meanwhile, and nothing is
    added, so a click counts once. Bad input raises `ValidationError` keyed by field.
    """
    if outcome not in ContactAttempt.BUTTONS:
        raise ValidationError({"outcome": _("Choose one of the outcomes offered.")})
    if channel not in ContactAttempt.Channel.values:
        raise ValidationError({"channel": _("Choose one of the channels offered.")})
    case = Case.objects.select_for_update().only("pk", "patient_id").get(pk=case_id)
    attempts = ContactAttempt.objects.filter(case_id=case_id).count()
    if attempts != seen:
        return ContactLogged(attempt=None, attempts=attempts)
    attempt = _contact_add(case, actor, outcome=outcome, channel=channel, at=timezone.now())
    return ContactLogged(attempt=attempt, attempts=attempts + 1)


def case_log_message_exchange(*, case: Case, actor: Actor, answer_id: int, at) -> ContactAttempt:
    """Log her replies that a doctor's message (`answer_id`, written `at`) answered as one attempt
    by portal message, "answered her message", in the timeline and the audit log.

    Called by the conversation in the transaction that writes the answer, with the case row
    locked, once for the answer that answers them (`triage.conversation.services.
    reply_contact_record`, which says why this is an attempt and not "spoke with her").
    """
    return _contact_add(
        case,
        actor,
        outcome=ContactAttempt.Outcome.ANSWERED,
        channel=ContactAttempt.Channel.MESSAGE,
        at=at,
        detail={"message": answer_id},
    )


def _contact_add(case: Case, actor: Actor, *, outcome: str, channel: str, at, detail=None) -> ContactAttempt:
    """The one writer of the contact log: the attempt, the case's last action, the timeline event
    and the audit event, in the caller's transaction."""
    attempt = ContactAttempt.objects.create(
        case_id=case.pk, actor=actor.user, channel=channel, outcome=outcome, created_at=at
    )
    Case.objects.filter(pk=case.pk).update(last_actor=actor.user, last_acted_at=at)
    CaseEvent.objects.create(
        case_id=case.pk,
        kind=CaseEvent.Kind.CONTACT,
        actor=actor.user,
        detail={"attempt": attempt.pk, "outcome": outcome, "channel": channel, **(detail or {})},
        created_at=at,
    )
    acted_on_store(case_ids=[case.pk])
    _audit_case(actor, AuditEvent.Action.CONTACT_LOG, case.pk, case.patient_id)
    return attempt
