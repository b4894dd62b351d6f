"""The patient's data rights (GDPR art. 15, 17, 20): export everything, erase the account.

What the clinic keeps after an erasure is the staff audit trail, keyed by a
pseudonym (`triage.audit.patient_pseudonym`) and no longer by the person.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from triage.audit import patient_pseudonym
from triage.models import AuditEvent

from .advice import advice_for
from .models import Patient, Submission

EXPORT_FORMAT = "clinic-portal.patient-data/1"

# Staff actions a patient sees in "who opened my record".
STAFF_ACTIONS = (
    AuditEvent.Action.CASE_VIEW,
    AuditEvent.Action.CASE_PRINT,
    AuditEvent.Action.STATUS_CHANGE,
    AuditEvent.Action.NOTE_ADD,
    AuditEvent.Action.EXPORT_FHIR,
)


def _iso(value):
    return value.isoformat() if value is not None else None


def _advice_shown(submission: Submission, language: str) -> dict | None:
    """The advice page the patient saw on submitting: the level of the first assessment."""
    first = submission.assessments.order_by("created_at", "pk").first()
    if first is None:
        return None
    advice = advice_for(first.level, language, version=first.rules_version)
    return {"level": first.get_level_display(), "headline": advice.headline, "text": advice.text}


def patient_data_export(patient: Patient, language: str | None = None) -> dict:
    """Everything the portal holds about the patient, as plain JSON-ready data."""
    language = language or settings.LANGUAGE_CODE
    user = patient.user
    submissions = (
        Submission.objects.filter(patient=patient)
        .prefetch_related("assessments")
        .order_by("created_at", "pk")
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_of_birth": _iso(patient.date_of_birth),
            "phone": patient.phone,
            "account_created": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "consents": [
            {
                "privacy_notice_version": consent.notice_version,
                "given_at": _iso(consent.given_at),
                "withdrawn_at": _iso(consent.withdrawn_at),
            }
            for consent in patient.consents.order_by("given_at", "pk")
        ],
        "questionnaires": [
            {
                "status": submission.status,
                "created_at": _iso(submission.created_at),
                "submitted_at": _iso(submission.submitted_at),
                "age_at_submission": submission.age,
                "answers": submission.answers,
                "advice_shown": _advice_shown(submission, language),
            }
            for submission in submissions
        ],
        "record_opened_by_staff": [
            {"when": _iso(event.created_at), "who": staff_name(event), "action": event.get_action_display()}
            for event in staff_access_for(patient)
        ],
    }


def staff_access_for(patient: Patient):
    """Audit events of staff reading or changing this patient's record, newest first."""
    return (
        AuditEvent.objects.filter(patient=patient, action__in=STAFF_ACTIONS)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )


def staff_name(event: AuditEvent) -> str:
    """The staff member's name as she would recognise it; the recorded email if the account is gone."""
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.email
    return event.actor_label


def patient_self_event(request, action: str, patient: Patient) -> AuditEvent:
    """Record the patient's own data-rights action under her pseudonym only.

    No email and no address are stored, so nothing identifying is left once
    she erases her account (the event rows outlive it: they are append-only).
    """
    return AuditEvent.objects.create(
        actor=request.user,
        actor_label="",
        action=action,
        object_type="patients.patient",
        object_id="",
        patient=patient,
        patient_ref=patient_pseudonym(patient.pk),
        ip_address=None,
    )


@transaction.atomic
def patient_erase(patient: Patient, request) -> str:
    """Delete the patient's account and everything about her; returns her pseudonym.

    The user row goes, and with it (by cascade) the profile, consents,
    questionnaires, assessments, cases, their timelines and any second-factor
    devices. Audit rows lose their links (SET NULL) and keep only the
    pseudonym. Login-attempt records under her email are removed as well.
    Withdrawing consent ends the processing, so it is the same action.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    user = patient.user
    pseudonym = patient_pseudonym(patient.pk)
    email = user.email
    patient_self_event(request, AuditEvent.Action.ACCOUNT_DELETE, patient)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()
    user.delete()
    return pseudonym
