"""Every write about visits: booking, moving and cancelling, invitations and reminders, imports,
the calendar address.

A visit's emails are claimed once: a `VisitMessage` row, unique per (visit, kind), is created in the
transaction that queues the email, so a rerun or a second worker finds it taken and sends nothing.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Patient, User, normalize_email

from ..models import CalendarFeed, Case, CaseEvent, Visit, VisitInvitation, VisitMessage
from . import emails
from .selectors import overlapping_visits, reminder_candidates
from .tokens import new_token, token_digest

# A visit lasts from 5 minutes to 4 hours.
MIN_DURATION = 5
MAX_DURATION = 240
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
                    % {"time": timezone.localtime(clash[0].starts_at).strftime("%d/%m/%Y %H:%M")}
                }
            )


def _visit_event(case_id, actor, action: str, visit: Visit, before: datetime | None = None, now=None) -> None:
    """A line in the case timeline about its visit: booked, moved, cancelled, attended, no-show."""
    detail = {"action": action, "visit": visit.pk, "starts_at": visit.starts_at.isoformat()}
    if before is not None:
        detail["from"] = before.isoformat()
    CaseEvent.objects.create(
        case_id=case_id,
        kind=CaseEvent.Kind.VISIT,
        actor=actor,
        detail=detail,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def visit_book(
    *,
    starts_at: datetime,
    duration_minutes: int = 30,
    kind: str = Visit.Kind.FOLLOW_UP,
    note: str = "",
    uid: str | None = None,
    actor=None,
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
                created_by=actor,
                updated_at=now,
            )
    except IntegrityError:
        # The same form posted twice at once: the other request booked it.
        return Visit.objects.get(uid=uid)
    if case_id is not None:
        _visit_event(case_id, actor, "booked", visit, now=now)
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
    if visit.state != Visit.State.BOOKED or visit.starts_at <= timezone.now():
        return False
    if visit.patient_id and visit.patient.closed_at:
        return False
    if not _claim(visit, INVITATION):
        return False
    emails.visit_invitation_email.enqueue(visit_id=visit.pk)
    return True


@transaction.atomic
def visit_change(
    *,
    visit_id: int,
    actor,
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
                status=Case.Status.IN_REVIEW, last_actor=actor, last_acted_at=now, version=version + 1
            )
            CaseEvent.objects.create(
                case_id=case_id,
                kind=CaseEvent.Kind.STATUS,
                actor=actor,
                from_status=status,
                to_status=Case.Status.IN_REVIEW,
                text=str(_("The follow-up visit was cancelled.")),
                created_at=now,
            )
    return visit


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
        ).select_related("patient")
        for visit in candidates.iterator():
            with transaction.atomic():
                if _claim(visit, reminder_kind(before)):
                    emails.visit_reminder_email.enqueue(visit_id=visit.pk, days=before)
                    queued += 1
    return queued


# --- Invitations for patients without an account ---


@transaction.atomic
def invitation_for(*, email: str, first_name: str = "", last_name: str = "") -> VisitInvitation:
    """The open invitation for this email, or a new one."""
    email = normalize_email(email)
    invitation = VisitInvitation.objects.filter(email=email, used_at__isnull=True).order_by("-pk").first()
    if invitation is None:
        invitation = VisitInvitation.objects.create(email=email, first_name=first_name, last_name=last_name)
    return invitation


def invitation_new_token(invitation: VisitInvitation) -> str:
    """A fresh random part for the invitation's link (made when its email is sent); the old link stops working."""
    raw = new_token()
    VisitInvitation.objects.filter(pk=invitation.pk).update(token_digest=token_digest(raw))
    return raw


@transaction.atomic
def invitation_accept(invitation_id: int, patient: Patient) -> int:
    """Use the invitation for the new account: its visits, and those of open invitations to the same
    email, become the patient's. Returns how many visits were attached; 0 if it was used already."""
    invitation = (
        VisitInvitation.objects.select_for_update().filter(pk=invitation_id, used_at__isnull=True).first()
    )
    if invitation is None:
        return 0
    now = timezone.now()
    same_email = VisitInvitation.objects.filter(email=invitation.email, used_at__isnull=True)
    ids = list(same_email.values_list("pk", flat=True))
    attached = Visit.objects.filter(invitation_id__in=ids, patient__isnull=True).update(patient=patient)
    same_email.update(used_at=now, patient=patient)
    return attached


def patient_for_email(email: str) -> Patient | None:
    user = User.objects.filter(email=normalize_email(email)).select_related("patient").first()
    return getattr(user, "patient", None) if user else None


# --- The doctor's calendar address ---


@transaction.atomic
def calendar_feed_regenerate(user) -> str:
    """A new secret calendar address token for the doctor; the previous one stops working."""
    token = new_token()
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_digest": token_digest(token), "created_at": timezone.now()}
    )
    return token


# --- Imports from the booking system ---


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invited: int = 0
    # (row, reason) of the rows that were not imported, the row named as "Line 4" or by its event.
    unmatched: list[tuple[str, str]] = field(default_factory=list)
    # (line, reason) of what makes the file unreadable (line 0: the whole file): nothing is saved.
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return not self.errors


def _match(row) -> tuple[Patient | None, str]:
    """The patient of an imported row: by email, then by name and date of birth; or why none."""
    if row.email:
        patient = patient_for_email(row.email)
        if patient is not None:
            return patient, ""
    if row.first_name and row.last_name and row.date_of_birth:
        found = list(
            Patient.objects.filter(
                user__first_name__iexact=row.first_name,
                user__last_name__iexact=row.last_name,
                date_of_birth=row.date_of_birth,
            )[:2]
        )
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, str(_("more than one patient has this name and date of birth"))
    if row.email:
        return None, ""
    return None, str(_("no patient with this email, or with this name and date of birth"))


def visits_import(rows, *, actor=None) -> ImportReport:
    """Create the new visits of a parsed file, move the moved ones (same UID), report the rest.

    All or nothing: the whole file is one transaction. A row whose email
    belongs to no account books the visit for an invitation to sign up.
    Running it again with the same file changes nothing.
    """
    report = ImportReport()
    now = timezone.now()
    with transaction.atomic():
        for row in rows:
            existing = Visit.objects.filter(uid=row.uid).first()
            if existing is not None:
                changed = (
                    existing.starts_at != row.starts_at
                    or existing.duration_minutes != row.duration_minutes
                    or (row.cancelled and existing.state != Visit.State.CANCELLED)
                )
                if not changed:
                    report.unchanged += 1
                    continue
                visit_change(
                    visit_id=existing.pk,
                    actor=actor,
                    starts_at=row.starts_at,
                    duration_minutes=row.duration_minutes,
                    state=Visit.State.CANCELLED if row.cancelled else None,
                    check=False,
                )
                report.updated += 1
                continue
            if row.cancelled:
                report.unchanged += 1
                continue
            patient, reason = _match(row)
            if patient is None and reason:
                report.unmatched.append((row.label, reason))
                continue
            if patient is not None and patient.closed_at:
                report.unmatched.append((row.label, str(_("the patient has closed her account"))))
                continue
            invitation = None
            if patient is None:
                invitation = invitation_for(
                    email=row.email, first_name=row.first_name, last_name=row.last_name
                )
                report.invited += 1
            elif overlapping_visits(
                patient_id=patient.pk, starts_at=row.starts_at, duration_minutes=row.duration_minutes
            ):
                report.warnings.append((row.label, str(_("overlaps another visit of the same patient"))))
            visit = Visit.objects.create(
                patient=patient,
                invitation=invitation,
                starts_at=row.starts_at,
                duration_minutes=row.duration_minutes,
                kind=row.kind,
                note=row.note,
                uid=row.uid,
                questionnaire_since=Visit.questionnaire_window_start(row.starts_at, now),
                created_at=now,
                created_by=actor,
                updated_at=now,
            )
            invitation_queue(visit)
            report.created += 1
    return report
