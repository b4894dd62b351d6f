"""Reads for the patient's own pages."""

from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast

from triage.advice import advice_related
from triage.cases.acted_on import SPOKE_WITH_HER_AT, STATUS_LEFT_NEW_AT, VISIT_BOOKED_AT, with_acted_on
from triage.models import AuditEvent, Case

from .advice import ALARM_LEVELS
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


def with_case_state(queryset):
    """Annotate each submission with what her pages say about its case: a doctor has opened it
    (`with_doctor_opened`) and whether and how the clinic has acted on it (`triage.cases.acted_on`)."""
    return with_acted_on(with_doctor_opened(queryset), case_path="case__")


CASE_STATE_FIELDS = ("doctor_opened", STATUS_LEFT_NEW_AT, VISIT_BOOKED_AT, SPOKE_WITH_HER_AT)


def submission_list_for(patient):
    """The patient's submitted questionnaires, newest first, with their worklist case and its state."""
    return with_case_state(
        Submission.objects.filter(patient=patient, status=Submission.Status.SUBMITTED)
        .select_related("case__follow_up_visit", *advice_related("case__"))
        .order_by("-submitted_at")
    )


def submission_open_list_for(patient):
    """Her questionnaires whose case is still open, newest first (her home page's cards)."""
    return submission_list_for(patient).exclude(case__status=Case.Status.CLOSED)


def submission_alarm_list_for(patient):
    """Her open questionnaires at emergency or urgent level, newest first, with their case state."""
    return submission_open_list_for(patient).filter(case__level__in=list(ALARM_LEVELS))


def submission_case_state(submission) -> None:
    """Read the state `with_case_state` annotates onto one submission already loaded (one query)."""
    row = (
        with_case_state(Submission.objects.filter(pk=submission.pk)).values(*CASE_STATE_FIELDS).first() or {}
    )
    for name in CASE_STATE_FIELDS:
        setattr(submission, name, row.get(name) or (False if name == "doctor_opened" else None))


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
