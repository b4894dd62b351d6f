"""Reads for the patient's own pages."""

from .models import Submission


def submission_list_for(patient):
    """The patient's submitted questionnaires, newest first, with their worklist case."""
    return (
        Submission.objects.filter(patient=patient, status=Submission.Status.SUBMITTED)
        .select_related("case")
        .order_by("-submitted_at")
    )


def submission_draft_for(patient):
    return Submission.objects.filter(patient=patient, status=Submission.Status.DRAFT).first()
