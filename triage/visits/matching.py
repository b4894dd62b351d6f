"""Saving a file from the booking system: each row matched to a patient (or an invitation), new visits
booked, moved ones moved, the rest reported."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Patient

from ..models import Visit
from .selectors import overlapping_visits
from .services import invitation_for, invitation_queue, patient_for_email, visit_change


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invited: int = 0
    # (line, reason) of the rows that were not imported.
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    # (line, reason) of the rows that make the file invalid: then nothing is saved.
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

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
                report.unmatched.append((row.line, reason))
                continue
            if patient is not None and patient.closed_at:
                report.unmatched.append((row.line, str(_("the patient has closed her account"))))
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
                report.warnings.append((row.line, str(_("overlaps another visit of the same patient"))))
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
            )
            invitation_queue(visit)
            report.created += 1
    return report
