"""The patient's data rights (GDPR art. 15, 17, 20): export everything, close the account.

Closing an account with a clinical record keeps the record for its
retention period (`patient_account_close`); without one, or once the
period is over (`records_past_retention`, `manage.py prune_records`),
everything is erased and only the staff audit trail remains, keyed by a
pseudonym (`triage.audit.writer.patient_pseudonym`) and no longer by the person.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation

from triage.advice import AdviceShown, advice_related, advice_shown, advice_words, earlier_advice_shown
from triage.audit.writer import Actor, audit_patient_self, patient_pseudonym
from triage.models import AuditEvent, CaseLevel

from .models import Consent, Patient, Submission, TextConsent, normalize_email

EXPORT_FORMAT = "clinic-portal.patient-data/1"

# What she is shown under "Who opened your record": every action recorded under her, but her own
# data-rights requests. A new kind of staff access is listed without being added here.
STAFF_ACTIONS = tuple(action for action in AuditEvent.Action if action not in AuditEvent.PATIENT_OWN_ACTIONS)


def _iso(value):
    return value.isoformat() if value is not None else None


def _advice_shown(submission: Submission, language: str) -> dict | None:
    """The advice she is shown for the questionnaire, dated when she was given it, with the advice a
    re-assessment replaced (RULES.md 11.2, S4, S5); None for a draft."""
    case = _case_of(submission)
    if case is None:
        return None
    earlier = earlier_advice_shown(case)
    return {
        **_advice_record(advice_shown(case), language),
        "earlier_advice": _advice_record(earlier, language) if earlier else None,
    }


def _advice_record(shown: AdviceShown, language: str) -> dict:
    headline, text = advice_words(shown.level, language, shown.version)
    with translation.override(language):
        level = str(CaseLevel(shown.level).label)
    return {"level": level, "given_at": _iso(shown.given_at), "headline": headline, "text": text}


def _case_of(submission: Submission):
    """The worklist case of a sent questionnaire (a draft has none)."""
    return getattr(submission, "case", None) if submission.status == Submission.Status.SUBMITTED else None


def _messages_of(submission: Submission) -> list[dict]:
    """The conversation of the questionnaire's case, oldest first: who wrote (the doctor or she), when, what."""
    case = _case_of(submission)
    if case is None:
        return []
    return [
        {"from": message.author_kind, "written_at": _iso(message.created_at), "text": message.text}
        for message in case.messages.all()
    ]


def patient_data_export(patient: Patient, language: str | None = None) -> dict:
    """Everything the portal holds about the patient, as plain JSON-ready data."""
    language = language or settings.LANGUAGE_CODE
    user = patient.user
    submissions = (
        Submission.objects.filter(patient=patient)
        .select_related(*advice_related("case__"))
        .prefetch_related("case__messages")
        .order_by("created_at", "pk")
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "profile": {
            "email": user.email,
            "email_awaiting_confirmation": user.pending_email or None,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_of_birth": _iso(patient.date_of_birth),
            "phone": patient.phone,
            "account_created": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "visit_reminders": patient.visit_reminders,
        },
        "text_message_consents": [
            {
                "given_at": _iso(consent.given_at),
                "given_via": consent.given_via,
                "withdrawn_at": _iso(consent.withdrawn_at),
                "withdrawn_via": consent.withdrawn_via,
            }
            for consent in patient.text_consents.order_by("given_at", "pk")
        ],
        "text_messages": [
            {"sent_at": _iso(text.sent_at), "to": text.phone, "text": text.text}
            for text in patient.outbound_texts.filter(status="sent").order_by("sent_at", "pk")
        ],
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
                "messages": _messages_of(submission),
            }
            for submission in submissions
        ],
        "visits": [
            {
                "starts_at": _iso(visit.starts_at),
                "duration_minutes": visit.duration_minutes,
                "kind": visit.kind,
                "state": visit.state,
            }
            for visit in patient.visits.order_by("starts_at", "pk")
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
        return event.actor.display_name
    return event.actor_label


def patient_self_event(actor: Actor, action: str, patient: Patient) -> AuditEvent:
    """Record the patient's own data-rights action (export, closing) under her pseudonym only."""
    return audit_patient_self(actor, action, patient)


def patient_has_clinical_record(patient: Patient) -> bool:
    """A submitted questionnaire makes a clinical record: the clinic must keep it after she leaves."""
    return Submission.objects.filter(patient=patient, status=Submission.Status.SUBMITTED).exists()


@transaction.atomic
def patient_account_close(patient: Patient, actor: Actor) -> str:
    """Close the account at her request; returns "closed" or "erased".

    With a clinical record (GDPR art. 17(3)(c) and 9(2)(h), docs/security.md):
    her login, second factors, login-attempt records, drafts and consent to
    further processing go now; her identity, questionnaires, assessments,
    cases (open ones stay on the worklist), notes and the audit trail stay
    until `prune_records` deletes them at the end of the retention period.
    Without one, everything is erased at once.
    """
    patient_self_event(actor, AuditEvent.Action.ACCOUNT_DELETE, patient)
    if not patient_has_clinical_record(patient):
        patient_erase(patient)
        return "erased"
    from django_otp import devices_for_user

    now = timezone.now()
    user = patient.user
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    _login_records_delete(user.email)
    # An unusable password changes the session hash, which ends every session she has open.
    user.set_unusable_password()
    user.is_active = False
    # An address she asked to change to and never confirmed is not part of the record.
    user.pending_email = ""
    user.save(update_fields=["password", "is_active", "pending_email"])
    patient.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
    patient.text_consents.filter(withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_via=TextConsent.Via.ACCOUNT_CLOSED
    )
    Submission.objects.filter(patient=patient, status=Submission.Status.DRAFT).delete()
    _admin_history_scrub(patient)
    _messages_stop(patient)
    patient.closed_at = now
    patient.save(update_fields=["closed_at"])
    return "closed"


def _invitations_of(patient: Patient):
    from triage.models import VisitInvitation

    return VisitInvitation.objects.filter(Q(email=normalize_email(patient.user.email)) | Q(patient=patient))


def _messages_stop(patient: Patient) -> None:
    """Nothing more reaches her: every queued email about her account, her questionnaires or her
    visits is cancelled, and every queued text message to her, and the invitations sent to her address (which hold her name and email,
    and send sign-up reminders) are deleted, their visits that nobody signed up for cancelled."""
    from outbox.services import emails_cancel
    from outbox.texts import texts_cancel
    from triage.models import Visit, VisitInvitation

    invitations = _invitations_of(patient)
    # Visits booked for her address, or waiting for the doctor to say whether they are hers.
    unbound = Visit.objects.filter(
        Q(invitation__in=invitations) | Q(match_patient=patient), patient__isnull=True
    )
    invitations = invitations | VisitInvitation.objects.filter(visits__match_patient=patient)
    visit_ids = [
        *Visit.objects.filter(patient=patient).values_list("pk", flat=True),
        *unbound.values_list("pk", flat=True),
    ]
    emails_cancel(
        user_ids=[patient.user_id],
        visit_ids=visit_ids,
        submission_ids=Submission.objects.filter(patient=patient).values_list("pk", flat=True),
    )
    texts_cancel(patient)
    invitation_ids = list(invitations.values_list("pk", flat=True))
    Visit.objects.filter(pk__in=visit_ids, patient__isnull=True).update(
        state=Visit.State.CANCELLED, note="", match_reason="", match_patient=None, invitation=None
    )
    VisitInvitation.objects.filter(pk__in=invitation_ids).delete()


def _login_records_delete(email: str) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()


def _admin_history_scrub(patient: Patient) -> None:
    """Replace her name in the admin's change history by her pseudonym.

    Django's admin log keeps each object's name as it was (`object_repr`),
    which would outlive the object itself.
    """
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from triage.models import Assessment, Case, CaseEvent, CaseMessage, Visit, VisitInvitation

    submissions = list(Submission.objects.filter(patient=patient).values_list("pk", flat=True))
    invitations = list(_invitations_of(patient).values_list("pk", flat=True))
    objects = {
        type(patient.user): [patient.user_id],
        Patient: [patient.pk],
        Consent: patient.consents.values_list("pk", flat=True),
        Submission: submissions,
        Case: submissions,
        Assessment: Assessment.objects.filter(submission__patient=patient).values_list("pk", flat=True),
        CaseEvent: CaseEvent.objects.filter(case__patient=patient).values_list("pk", flat=True),
        CaseMessage: CaseMessage.objects.filter(case__patient=patient).values_list("pk", flat=True),
        Visit: Visit.objects.filter(Q(patient=patient) | Q(invitation__in=invitations)).values_list(
            "pk", flat=True
        ),
        VisitInvitation: invitations,
    }
    query = Q()
    for model, pks in objects.items():
        ids = [str(pk) for pk in pks]
        query |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    LogEntry.objects.filter(query).update(object_repr=f"patient {patient_pseudonym(patient.pk)}")


@transaction.atomic
def patient_erase(patient: Patient) -> str:
    """Delete the patient's account and everything about her; returns her pseudonym.

    The user row goes, and with it (by cascade) the profile, consents,
    questionnaires, assessments, cases, their timelines and any second-factor
    devices. Audit rows lose their links (SET NULL) and keep only the
    pseudonym; the admin's history keeps only the pseudonym too. Login-attempt
    records under her email are removed as well.
    """
    user = patient.user
    pseudonym = patient_pseudonym(patient.pk)
    _login_records_delete(user.email)
    _admin_history_scrub(patient)
    _messages_stop(patient)
    user.delete()
    return pseudonym


def _years_before(moment, years: int):
    """The same day `years` earlier (28 February for 29 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def patient_last_clinical_entry(patient: Patient):
    """The newest questionnaire, assessment, case event or message of hers: the retention period runs
    from it."""
    from triage.models import Assessment, CaseEvent, CaseMessage

    dates = [
        Submission.objects.filter(patient=patient).aggregate(m=Max("submitted_at"))["m"],
        Assessment.objects.filter(submission__patient=patient).aggregate(m=Max("created_at"))["m"],
        CaseEvent.objects.filter(case__patient=patient).aggregate(m=Max("created_at"))["m"],
        CaseMessage.objects.filter(case__patient=patient).aggregate(m=Max("created_at"))["m"],
    ]
    return max((d for d in dates if d is not None), default=patient.closed_at)


def records_past_retention(now=None) -> list[Patient]:
    """Closed accounts whose last clinical entry is older than the retention period."""
    cutoff = _years_before(now or timezone.now(), settings.CLINICAL_RECORD_RETENTION_YEARS)
    closed = Patient.objects.filter(closed_at__isnull=False).select_related("user").order_by("pk")
    return [patient for patient in closed if patient_last_clinical_entry(patient) < cutoff]
