"""Every write about visits: booking, moving and cancelling, invitations and reminders, the calendar
address (a file from the booking system is saved by `matching`).

A visit's emails are claimed once: a `VisitMessage` row, unique per (visit, kind), is created in the
transaction that queues the email, so a rerun or a second worker finds it taken and sends nothing.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from clinic.identity import login_key
from patients.models import Patient, normalize_email

from ..audit.writer import Actor, audit_record
from ..cases.acted_on import acted_on_store
from ..models import (
    DEFAULT_VISIT_MINUTES,
    MAX_DURATION,
    MIN_DURATION,
    AuditEvent,
    Case,
    CaseEvent,
    Visit,
    VisitInvitation,
    VisitMessage,
)
from . import emails, texts
from .selectors import overlapping_visits, reminder_candidates
from .tokens import new_token, token_digest

INVITATION = "invitation"


def reminder_kind(days: int) -> str:
    return f"reminder_{days}d"


class VisitOverlap(ValidationError):
    """The patient already has a booked visit at that time; booking again needs a confirmation."""


def local_start(day: date, at: time) -> datetime:
    """The aware moment of a local date and time in the clinic's time zone.

    A time that does not exist that day (the hour skipped when the clocks go
    forward) is refused; a time that happens twice (when they go back) is the
    first of the two.
    """
    naive = datetime.combine(day, at)
    aware = timezone.make_aware(naive)
    if timezone.localtime(aware.astimezone(UTC)).replace(tzinfo=None) != naive:
        raise ValidationError(
            {"start_time": _("This time does not exist on that day: the clocks go forward an hour.")}
        )
    return aware


def _check(*, starts_at, duration_minutes, patient_id, allow_overlap, exclude_pk=None, now=None) -> None:
    errors = {}
    if starts_at <= (now or timezone.now()):
        errors["start_date"] = _("A visit cannot be booked in the past: choose a later date or time.")
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = _("A visit lasts from %(min)d to %(max)d minutes.") % {
            "min": MIN_DURATION,
            "max": MAX_DURATION,
        }
    if errors:
        raise ValidationError(errors)
    if not allow_overlap:
        clash = overlapping_visits(
            patient_id=patient_id,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            exclude_pk=exclude_pk,
        )
        if clash:
            raise VisitOverlap(
                {
                    "start_date": _(
                        "The patient already has a visit booked at %(time)s that overlaps this one. "
                        "Tick “Book anyway” to keep both."
                    )
                    % {
                        "time": formats.date_format(
                            timezone.localtime(clash[0].starts_at), "SHORT_DATETIME_FORMAT"
                        )
                    }
                }
            )


def _visit_event(
    case_id, actor: Actor | None, action: str, visit: Visit, before: datetime | None = None, now=None
) -> None:
    """A line in the case timeline about its visit: booked, moved, cancelled, attended, no-show."""
    detail = {"action": action, "visit": visit.pk, "starts_at": visit.starts_at.isoformat()}
    if before is not None:
        detail["from"] = before.isoformat()
    CaseEvent.objects.create(
        case_id=case_id,
        kind=CaseEvent.Kind.VISIT,
        actor=actor.user if actor else None,
        detail=detail,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def visit_book(
    *,
    starts_at: datetime,
    duration_minutes: int = DEFAULT_VISIT_MINUTES,
    kind: str = Visit.Kind.FOLLOW_UP,
    note: str = "",
    uid: str | None = None,
    actor: Actor | None = None,
    patient: Patient | None = None,
    invitation: VisitInvitation | None = None,
    case_id: int | None = None,
    allow_overlap: bool = False,
) -> Visit:
    """Book a visit for a patient (or an invited one) and queue her invitation to the questionnaire.

    The same `uid` (the booking form's key) books once: a second post of the
    same form returns the visit the first one booked.
    """
    if uid:
        existing = Visit.objects.filter(uid=uid).first()
        if existing is not None:
            return existing
    now = timezone.now()
    _check(
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        patient_id=patient.pk if patient else None,
        allow_overlap=allow_overlap,
        now=now,
    )
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                patient=patient,
                invitation=invitation,
                starts_at=starts_at,
                duration_minutes=duration_minutes,
                kind=kind,
                note=note,
                uid=uid or f"portal-{uuid.uuid4()}",
                questionnaire_since=Visit.questionnaire_window_start(starts_at, now),
                created_at=now,
                created_by=actor.user if actor else None,
                updated_at=now,
            )
    except IntegrityError:
        # The same form posted twice at once: the other request booked it.
        return Visit.objects.get(uid=uid)
    acted_on_store(patient_ids=[visit.patient_id])
    if case_id is not None:
        _visit_event(case_id, actor, "booked", visit, now=now)
    if actor is not None:
        audit_record(actor, AuditEvent.Action.VISIT_BOOK, obj=visit, patient=visit.patient_id)
    invitation_queue(visit)
    return visit


@transaction.atomic
def visit_record(
    *, patient: Patient, starts_at: datetime, booked_at: datetime, uid: str, kind: str = Visit.Kind.FIRST
) -> Visit:
    """Record a visit booked elsewhere at `booked_at` (demo data), once per `uid`; no email is queued."""
    visit, _created = Visit.objects.get_or_create(
        uid=uid,
        defaults={
            "patient": patient,
            "starts_at": starts_at,
            "kind": kind,
            "questionnaire_since": Visit.questionnaire_window_start(starts_at, booked_at),
            "created_at": booked_at,
            "updated_at": booked_at,
        },
    )
    acted_on_store(patient_ids=[visit.patient_id])
    return visit


def _claim(visit: Visit, kind: str) -> bool:
    """Take the right to send this visit's email of `kind`; False when it was taken already."""
    try:
        with transaction.atomic():
            VisitMessage.objects.create(visit=visit, kind=kind)
    except IntegrityError:
        return False
    return True


def invitation_queue(visit: Visit) -> bool:
    """Queue the invitation to fill in the questionnaire for a future booked visit, once."""
    if visit.state != Visit.State.BOOKED or visit.starts_at <= timezone.now() or visit.match_reason:
        return False
    if visit.patient_id and (visit.patient.closed_at or not visit.patient.user.email_verified):
        return False
    if not _claim(visit, INVITATION):
        return False
    emails.visit_invitation_email.enqueue(visit_id=visit.pk)
    if visit.patient_id:
        texts.visit_invitation_text.enqueue(
            patient=visit.patient, key=f"visit-invitation:{visit.pk}", visit_id=visit.pk
        )
    return True


@transaction.atomic
def visit_change(
    *,
    visit_id: int,
    actor: Actor | None,
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
    state: str | None = None,
    note: str | None = None,
    allow_overlap: bool = False,
    check: bool = True,
) -> Visit:
    """Move, shorten or lengthen, or close a visit (attended, cancelled, no-show).

    Each change is written in the timeline of the cases waiting for the visit;
    a cancelled follow-up puts its case back in review.
    """
    visit = Visit.objects.select_for_update().get(pk=visit_id)
    user = actor.user if actor else None
    now = timezone.now()
    before = visit.starts_at
    moved = starts_at is not None and starts_at != visit.starts_at
    resized = duration_minutes is not None and duration_minutes != visit.duration_minutes
    if (moved or resized) and check:
        _check(
            starts_at=starts_at if moved else visit.starts_at,
            duration_minutes=duration_minutes if resized else visit.duration_minutes,
            patient_id=visit.patient_id,
            allow_overlap=allow_overlap,
            exclude_pk=visit.pk,
            now=now,
        )
    if moved:
        visit.starts_at = starts_at
        visit.questionnaire_since = Visit.questionnaire_window_start(starts_at, visit.created_at)
    if resized:
        visit.duration_minutes = duration_minutes
    if note is not None:
        visit.note = note
    new_state = state if state and state != visit.state else None
    if new_state:
        visit.state = new_state
    visit.updated_at = now
    visit.save()
    cases = list(Case.objects.filter(follow_up_visit=visit).values_list("pk", "status", "version"))
    for case_id, status, version in cases:
        if moved:
            _visit_event(case_id, actor, "moved", visit, before=before, now=now)
        if new_state:
            _visit_event(case_id, actor, new_state, visit, now=now)
        if new_state == Visit.State.CANCELLED and status == Case.Status.FOLLOW_UP:
            Case.objects.filter(pk=case_id, version=version).update(
                status=Case.Status.IN_REVIEW, last_actor=user, last_acted_at=now, version=version + 1
            )
            CaseEvent.objects.create(
                case_id=case_id,
                kind=CaseEvent.Kind.STATUS,
                actor=user,
                from_status=status,
                to_status=Case.Status.IN_REVIEW,
                detail={"cause": CaseEvent.Cause.VISIT_CANCELLED},
                created_at=now,
            )
    if new_state:
        acted_on_store(patient_ids=[visit.patient_id])
    if actor is not None:
        audit_record(actor, AuditEvent.Action.VISIT_CHANGE, obj=visit, patient=visit.patient_id)
    return visit


# What the day's list marks with one tap: she came, or she did not.
ONE_TAP_STATES = (Visit.State.ATTENDED, Visit.State.NO_SHOW)


@transaction.atomic
def visit_mark(*, visit_id: int, actor: Actor, state: str) -> bool:
    """Mark a visit attended or missed (one tap on the day's list); returns whether it changed.

    A visit already in that state is left alone, with nothing recorded, so a tap sent twice
    counts once. A cancelled visit is not marked: it was never to take place.
    """
    if state not in ONE_TAP_STATES:
        raise ValidationError({"state": _("Choose attended or did not attend.")})
    current = Visit.objects.select_for_update().values_list("state", flat=True).get(pk=visit_id)
    if current == state:
        return False
    if current == Visit.State.CANCELLED:
        raise ValidationError({"state": _("This visit was cancelled; open it to book it again first.")})
    visit_change(visit_id=visit_id, actor=actor, state=state, check=False)
    return True


def reminders_send(now=None) -> int:
    """Queue the reminders that are due; returns how many. Safe to run often, and twice at once.

    A reminder `d` days before (settings.VISIT_REMINDER_DAYS) is due from the
    local day `d` days before the visit until the next reminder's day, so a
    late run sends the one that still makes sense and never two at once. No
    reminder goes to a patient who has sent the questionnaire for the visit,
    turned reminders off, closed her account, or whose visit was cancelled.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = sorted(set(settings.VISIT_REMINDER_DAYS), reverse=True)
    queued = 0
    for index, before in enumerate(days):
        until = days[index + 1] if index + 1 < len(days) else 0
        # Visits whose local date is between today + until + 1 and today + before.
        candidates = reminder_candidates(
            first_day=today + timedelta(days=until + 1) if until else today,
            last_day=today + timedelta(days=before),
        ).select_related("patient__user")
        for visit in candidates.iterator():
            with transaction.atomic():
                if _claim(visit, reminder_kind(before)):
                    emails.visit_reminder_email.enqueue(visit_id=visit.pk, days=before)
                    if visit.patient_id:
                        texts.visit_reminder_text.enqueue(
                            patient=visit.patient,
                            key=f"visit-reminder:{visit.pk}:{before}",
                            visit_id=visit.pk,
                            days=before,
                        )
                    queued += 1
    return queued


# --- Invitations for patients without an account ---


@transaction.atomic
def invitation_for(
    *, email: str, first_name: str = "", last_name: str = "", date_of_birth=None
) -> VisitInvitation:
    """The open invitation for this email and these details, or a new one."""
    email = normalize_email(email)
    invitation = (
        VisitInvitation.objects.filter(
            email=email,
            used_at__isnull=True,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
        )
        .order_by("-pk")
        .first()
    )
    if invitation is None:
        invitation = VisitInvitation.objects.create(
            email=email, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth
        )
    return invitation


def invitation_new_token(invitation: VisitInvitation) -> str:
    """A fresh random part for the invitation's link (made when its email is sent); the old link stops working."""
    raw = new_token()
    VisitInvitation.objects.filter(pk=invitation.pk).update(token_digest=token_digest(raw))
    return raw


def invitation_is_for(invitation_id: int, email: str) -> bool:
    """Whether an unused invitation was sent to this email: the link then proves the address."""
    invitation = VisitInvitation.objects.filter(pk=invitation_id, used_at__isnull=True).first()
    return invitation is not None and login_key(invitation.email) == login_key(email)


def _full_name(first_name: str, last_name: str) -> str:
    return " ".join(f"{first_name or ''} {last_name or ''}".casefold().split())


def _contradicts(patient: Patient, *, first_name="", last_name="", date_of_birth=None) -> bool:
    """Whether details from the booking system say this is someone else than the patient.

    A detail the booking system did not give contradicts nothing.
    """
    if date_of_birth is not None and date_of_birth != patient.date_of_birth:
        return True
    name = _full_name(first_name, last_name)
    return bool(name) and name != _full_name(patient.user.first_name, patient.user.last_name)


@transaction.atomic
def invitations_claim(patient: Patient) -> int:
    """Give a patient who has just verified her email the visits booked for invitations to it.

    The same checks as an import: a visit whose invitation carries another name or date of birth
    is not given but waits for the doctor's confirmation. Either way the invitations are used up,
    so their sign-up reminders stop. Returns how many visits became hers.
    """
    user = patient.user
    if not user.email_verified or patient.closed_at or not user.is_active:
        return 0
    invitations = list(
        VisitInvitation.objects.select_for_update().filter(
            email=normalize_email(user.email), used_at__isnull=True
        )
    )
    now = timezone.now()
    attached = 0
    for invitation in invitations:
        waiting = Visit.objects.filter(invitation=invitation, patient__isnull=True, match_reason="")
        details = {
            "first_name": invitation.first_name,
            "last_name": invitation.last_name,
            "date_of_birth": invitation.date_of_birth,
        }
        if _contradicts(patient, **details):
            waiting.update(match_reason=Visit.Match.SIGNUP_DIFFERS, match_patient=patient, updated_at=now)
        else:
            attached += waiting.update(patient=patient, updated_at=now)
    VisitInvitation.objects.filter(pk__in=[i.pk for i in invitations]).update(used_at=now, patient=patient)
    if attached:
        acted_on_store(patient_ids=[patient.pk])
    return attached
