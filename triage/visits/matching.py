"""Saving a file from the booking system: each row matched to a patient without guessing (or to an
invitation, or left for the doctor to confirm), new visits booked, moved ones moved, the rest
reported (`import_file`, for the upload page and the command); and the doctor's answer for a visit
waiting for her confirmation."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.identity import login_key
from patients.models import Patient, User

from ..audit.writer import Actor, audit_record
from ..cases.acted_on import acted_on_store
from ..models import AuditEvent, Visit, VisitInvitation
from .imports import FileInvalid, ImportReason, Issue, parse
from .selectors import overlapping_visits
from .services import _contradicts, invitation_for, invitation_queue, visit_change


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invited: int = 0
    # Visits created but bound to nobody until the doctor confirms whose they are.
    pending: int = 0
    # The rows that were not imported, in the file's order (unreadable, or given to nobody).
    unmatched: list[Issue] = field(default_factory=list)
    # What makes the file unreadable as a whole: then nothing is saved.
    errors: list[Issue] = field(default_factory=list)
    # Rows imported with something the doctor should know.
    warnings: list[Issue] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class RowMatch:
    """Whose an imported row is: `patient` (bound now), an invitation to `invite` (an email with no
    verified account yet), or a `reason` for the doctor to confirm (`proposal`, the patient it may
    be); `skip` says why it is not imported at all. Both are codes (`Visit.Match`, `ImportReason`)."""

    patient: Patient | None = None
    invite: bool = False
    reason: str = ""
    proposal: Patient | None = None
    skip: str = ""


def _by_name(row) -> list[Patient]:
    """Verified patients with the row's name and date of birth (at most two: one, or several)."""
    if not (row.first_name and row.last_name and row.date_of_birth):
        return []
    return list(
        Patient.objects.filter(
            user__first_name__iexact=row.first_name,
            user__last_name__iexact=row.last_name,
            user__email_verified_at__isnull=False,
            user__is_active=True,
            date_of_birth=row.date_of_birth,
        ).select_related("user")[:2]
    )


def _match(row) -> RowMatch:
    """Match an imported row to a patient without ever guessing.

    Bound at once only to a verified account with the row's email whose name and date of birth
    the row does not contradict. An email with no account, or with an account not verified yet,
    gets an invitation, bound when she verifies it (`invitations_claim`). Anything else waits for
    the doctor: the email's account has other details, or only the name and date of birth match.
    """
    found = _by_name(row)
    if row.email:
        user = User.objects.filter(login_key=login_key(row.email)).select_related("patient").first()
        patient = getattr(user, "patient", None) if user else None
        if user is not None and patient is None:
            return RowMatch(skip=ImportReason.STAFF_EMAIL)
        if patient is not None and user.email_verified:
            if patient.closed_at or not user.is_active:
                return RowMatch(skip=ImportReason.CLOSED_ACCOUNT)
            details = {
                "first_name": row.first_name,
                "last_name": row.last_name,
                "date_of_birth": row.date_of_birth,
            }
            if _contradicts(patient, **details):
                return RowMatch(invite=True, reason=Visit.Match.DETAILS_DIFFER, proposal=patient)
            return RowMatch(patient=patient)
        if len(found) == 1:
            return RowMatch(invite=True, reason=Visit.Match.NAME_ONLY, proposal=found[0])
        if len(found) > 1:
            return RowMatch(invite=True, reason=Visit.Match.SEVERAL)
        return RowMatch(invite=True)
    if len(found) == 1:
        return RowMatch(reason=Visit.Match.NAME_ONLY, proposal=found[0])
    if len(found) > 1:
        return RowMatch(skip=ImportReason.SEVERAL_PATIENTS)
    return RowMatch(skip=ImportReason.NO_PATIENT)


def visits_import(rows, *, actor=None) -> ImportReport:
    """Create the new visits of a parsed file, move the moved ones (same UID), report the rest.

    The rows saved are one transaction; a row the file could not read (`problem`, no start) is
    reported and left out, the others are imported. A row whose email belongs to no account books
    the visit for an invitation to sign up. Running it again with the same file changes nothing.
    """
    report = ImportReport()
    now = timezone.now()
    with transaction.atomic():
        for row in rows:
            if not row.readable:
                report.unmatched.append(row.problem)
                continue
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
            if row.problem:
                report.unmatched.append(row.problem)
                continue
            match = _match(row)
            if match.skip:
                report.unmatched.append(row.issue(match.skip))
                continue
            patient = match.patient
            invitation = None
            if match.invite:
                invitation = invitation_for(
                    email=row.email,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    date_of_birth=row.date_of_birth,
                )
                if not match.reason:
                    report.invited += 1
            if match.reason:
                report.pending += 1
            elif patient is not None and overlapping_visits(
                patient_id=patient.pk, starts_at=row.starts_at, duration_minutes=row.duration_minutes
            ):
                report.warnings.append(row.issue(ImportReason.OVERLAP))
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
                created_by=actor.user if actor else None,
                updated_at=now,
                match_reason=match.reason,
                match_patient=match.proposal,
            )
            acted_on_store(patient_ids=[patient.pk if patient else None])
            invitation_queue(visit)
            report.created += 1
    return report


# --- Visits waiting for the doctor to say whose they are ---

CONFIRM = "confirm"
INVITE = "invite"
CANCEL = "cancel"


class MatchNotPossible(ValidationError):
    """The decision does not apply to this visit (any more)."""


# The audit trail's action for each answer.
DECISION_ACTIONS = {
    CONFIRM: AuditEvent.Action.MATCH_CONFIRM,
    INVITE: AuditEvent.Action.MATCH_INVITE,
    CANCEL: AuditEvent.Action.MATCH_CANCEL,
}


@transaction.atomic
def visit_match_resolve(*, visit_id: int, decision: str, actor: Actor) -> Visit:
    """The doctor's answer for an imported visit that needs confirmation.

    `confirm`: it is the visit of the patient it may be (a verified, open account); `invite`: it is
    the visit of whoever owns the row's email, invited to sign up (and bound when she verifies it);
    `cancel`: it is nobody's here, the visit is cancelled. Only then is anything sent. The answer is
    in the audit trail under `actor`, in the same transaction, and under the patient it binds the
    visit to (so in her access log); "invite" and "cancel" bind it to nobody.
    """
    visit = Visit.objects.select_for_update().filter(pk=visit_id).exclude(match_reason="").first()
    if visit is None:
        raise MatchNotPossible(_("This visit does not need a confirmation any more."))
    now = timezone.now()
    if decision == CONFIRM:
        patient = visit.match_patient
        if (
            patient is None
            or patient.closed_at
            or not patient.user.email_verified
            or not patient.user.is_active
        ):
            raise MatchNotPossible(_("There is no patient with a verified email to confirm."))
        visit.patient = patient
        visit.invitation = None
    elif decision == INVITE:
        if (
            visit.invitation is None
            or User.objects.filter(login_key=login_key(visit.invitation.email)).exists()
        ):
            raise MatchNotPossible(_("The booking has no email that could be invited to sign up."))
        VisitInvitation.objects.filter(pk=visit.invitation_id).update(used_at=None, patient=None)
    elif decision == CANCEL:
        visit.state = Visit.State.CANCELLED
    else:
        raise MatchNotPossible(_("Choose whose visit it is."))
    visit.match_reason = ""
    visit.match_patient = None
    visit.updated_at = now
    visit.save()
    acted_on_store(patient_ids=[visit.patient_id])
    audit_record(actor, DECISION_ACTIONS[decision], obj=visit, patient=visit.patient_id)
    invitation_queue(visit)
    return visit


# --- Importing a file, for the command and the upload page ---


def import_file(name: str, content: bytes, *, actor: Actor | None = None) -> ImportReport:
    """Parse and import a file: an unreadable one gives a report of why and saves nothing; otherwise
    its readable rows are imported and the others reported (`triage.visits.presenters` words it).

    A saved import is in the access log under `actor`, with how many visits it created or moved.
    """
    try:
        rows = parse(name, content)
    except FileInvalid as invalid:
        return ImportReport(errors=invalid.errors)
    with transaction.atomic():
        report = visits_import(rows, actor=actor)
        if actor is not None and report.saved:
            audit_record(
                actor,
                AuditEvent.Action.VISIT_IMPORT,
                object_type="triage.visit",
                object_id=str(report.created + report.updated),
            )
    return report
