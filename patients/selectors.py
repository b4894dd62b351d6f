"""Reads for the patient's own pages."""

from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast

from triage.models import AuditEvent

from .models import Submission

# A doctor reading the case on screen or on paper: what "read by the doctor" means to the patient.
DOCTOR_READ_ACTIONS = (AuditEvent.Action.CASE_VIEW, AuditEvent.Action.CASE_PRINT)


def with_doctor_opened(queryset):
    """Annotate each submission with `doctor_opened`: a doctor has opened its case.

    Read from the audit log, which records every opening of a case; one
    EXISTS per row on the log's (patient, time) index, so a list stays one query.
    """
    opened = AuditEvent.objects.filter(
        patient_id=OuterRef("patient_id"),
        action__in=DOCTOR_READ_ACTIONS,
        object_type="triage.case",
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    )
    return queryset.annotate(doctor_opened=Exists(opened))


def submission_list_for(patient):
    """The patient's submitted questionnaires, newest first, with their worklist case."""
    return with_doctor_opened(
        Submission.objects.filter(patient=patient, status=Submission.Status.SUBMITTED)
        .select_related("case__follow_up_visit")
        .order_by("-submitted_at")
    )


def submission_doctor_opened(submission) -> bool:
    """Whether a doctor has opened this questionnaire's case (see `with_doctor_opened`)."""
    return (
        with_doctor_opened(Submission.objects.filter(pk=submission.pk))
        .values_list("doctor_opened", flat=True)
        .first()
        or False
    )


def submission_draft_for(patient):
    return Submission.objects.filter(patient=patient, status=Submission.Status.DRAFT).first()


def submission_by_key_for(patient, key):
    """Her questionnaire with this form key (draft or sent), or None; another patient's is None."""
    return Submission.objects.filter(patient=patient, key=key).first()
