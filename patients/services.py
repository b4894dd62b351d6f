"""Writes for accounts: registration, profile updates, doctor accounts."""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from clinic import metrics
from clinic.identity import login_key
from clinic.phones import phone_normalise
from outbox.models import OutboundEmail
from triage import rules
from triage.cases.assessments import submission_assess
from triage.fhir import export as fhir_export
from triage.fhir import imports as fhir_imports
from triage.models import CaseLevel
from triage.visits.services import invitation_is_for, invitations_claim

from .emails import (
    email_change_email,
    email_change_notice_email,
    email_verification_email,
    submission_received_email,
)
from .models import Consent, PasswordResetRequest, Patient, Submission, TextConsent, User, normalize_email
from .texts import submission_received_text

logger = logging.getLogger(__name__)


class EmailTaken(Exception):
    """The email was registered by a concurrent request."""


@transaction.atomic
def patient_register(
    *,
    email,
    password,
    first_name,
    last_name,
    date_of_birth,
    phone="",
    language=settings.LANGUAGE_CODE,
    invitation_id=None,
    email_verified=False,
    texts: bool = False,
) -> User:
    """Create the user, her patient profile and her consent record together.

    `language` is the one she signed up in: her emails are written in it. The phone is stored as
    E.164; `clinic.phones.InvalidPhone` for one that is not a number. `texts`: she asked for text
    messages at her phone (the form checked it can take them).

    The invitation she was sent for a booked visit proves the invited address: signing up with it
    (and that address) verifies her email, uses the invitation up and gives her its visits, with
    the same checks as an import, in the same transaction. Any other sign-up starts unverified and
    is sent the verification link. `email_verified` is for addresses the practice vouches for
    (demo data).
    """
    invited = invitation_id is not None and invitation_is_for(invitation_id, email)
    verified = invited or email_verified
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                language=language or settings.LANGUAGE_CODE,
                email_verified_at=timezone.now() if verified else None,
            )
    except IntegrityError as exc:
        raise EmailTaken from exc
    patient = Patient.objects.create(user=user, date_of_birth=date_of_birth, phone=phone_normalise(phone))
    Consent.objects.create(patient=patient, notice_version=settings.PRIVACY_NOTICE_VERSION)
    if texts and patient.phone:
        text_consent_give(patient=patient, via=TextConsent.Via.SIGNUP)
    if verified:
        invitations_claim(patient)
    else:
        email_verification_email.enqueue(user_id=user.pk)
    return user


@transaction.atomic
def email_verify(user: User) -> int:
    """Mark her email as hers; the visits booked for invitations to it become hers (the same checks
    as an import), and their sign-up reminders stop. Returns how many visits she was given."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_verified:
        return 0
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    patient = getattr(user, "patient", None)
    return invitations_claim(patient) if patient is not None else 0


def email_verification_resend(user: User) -> bool:
    """Queue the verification link again, at most `EMAIL_VERIFICATION_LIMIT` times within
    `EMAIL_VERIFICATION_WINDOW`; False when the limit is reached or she has verified it already."""
    if user.email_verified or not user.is_active:
        return False
    recent = OutboundEmail.objects.filter(
        kind=email_verification_email.kind,
        params__user_id=user.pk,
        created_at__gte=timezone.now() - settings.EMAIL_VERIFICATION_WINDOW,
    ).count()
    if recent >= settings.EMAIL_VERIFICATION_LIMIT:
        return False
    email_verification_email.enqueue(user_id=user.pk)
    return True


# --- Changing her email ---------------------------------------------------------------------


class EmailUnchanged(Exception):
    """The address asked for is the one she already logs in with."""


class EmailChangeLimited(Exception):
    """Links to new addresses were sent `EMAIL_VERIFICATION_LIMIT` times within the window."""


def _email_change_links_recent(user: User) -> int:
    """Links to new addresses queued for her within `EMAIL_VERIFICATION_WINDOW` (asked or sent again)."""
    return OutboundEmail.objects.filter(
        kind=email_change_email.kind,
        params__user_id=user.pk,
        created_at__gte=timezone.now() - settings.EMAIL_VERIFICATION_WINDOW,
    ).count()


def _email_taken(email: str, *, by_other_than: User) -> bool:
    return User.objects.filter(login_key=login_key(email)).exclude(pk=by_other_than.pk).exists()


@transaction.atomic
def email_change_request(user: User, email: str) -> bool:
    """Keep `email` as the address waiting for confirmation; send it the confirming link, and the
    address she logs in with a notice. Until she confirms, nothing else changes.

    Returns False when that address is already the one waiting (a form posted twice makes one
    change and one pair of emails). `EmailUnchanged` for her own address, `EmailTaken` for
    another account's, `EmailChangeLimited` once the links of the last hour reach the resend's
    limit (whoever holds her password cannot make the portal mail any number of strangers).
    """
    from .verification import email_digest

    user = User.objects.select_for_update().get(pk=user.pk)
    email = normalize_email(email)
    if login_key(email) == user.login_key:
        raise EmailUnchanged
    if _email_taken(email, by_other_than=user):
        raise EmailTaken
    if user.pending_email and login_key(user.pending_email) == login_key(email):
        return False
    if _email_change_links_recent(user) >= settings.EMAIL_VERIFICATION_LIMIT:
        raise EmailChangeLimited
    user.pending_email = email
    user.save(update_fields=["pending_email"])
    email_change_notice_email.enqueue(
        user_id=user.pk, address=email_digest(user.email), pending=email_digest(email)
    )
    email_change_email.enqueue(user_id=user.pk, address=email_digest(email))
    return True


@transaction.atomic
def email_change_cancel(user: User) -> bool:
    """Forget the address waiting for confirmation: its link confirms nothing any more."""
    return bool(User.objects.filter(pk=user.pk).exclude(pending_email="").update(pending_email=""))


def email_change_resend(user: User) -> bool:
    """Send the confirming link to the waiting address again, within the verification's limit
    (`EMAIL_VERIFICATION_LIMIT` links in `EMAIL_VERIFICATION_WINDOW`, counted in the outbox);
    False when there is nothing waiting or the limit is reached."""
    from .verification import email_digest

    if not user.pending_email or not user.is_active:
        return False
    if _email_change_links_recent(user) >= settings.EMAIL_VERIFICATION_LIMIT:
        return False
    email_change_email.enqueue(user_id=user.pk, address=email_digest(user.pending_email))
    return True


@transaction.atomic
def email_change_confirm(user: User) -> int:
    """Make the waiting address hers: it replaces the old one for logging in and every email, and
    counts as verified (the link sent there proved it). The visits booked for invitations to it then
    become hers, as when she verifies an address. Returns how many visits she was given.

    `EmailTaken` when another account took the address in the meantime (nothing changes).
    The caller checks the link first (`patients.verification.email_change_token`).
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.pending_email:
        return 0
    if _email_taken(locked.pending_email, by_other_than=locked):
        raise EmailTaken
    locked.email = locked.pending_email
    locked.pending_email = ""
    locked.email_verified_at = timezone.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=["email", "pending_email", "email_verified_at"], email_proven=True)
    except IntegrityError as exc:
        raise EmailTaken from exc
    for name in ("email", "login_key", "pending_email", "email_verified_at", "_stored_login_key"):
        setattr(user, name, getattr(locked, name))
    patient = getattr(locked, "patient", None)
    return invitations_claim(patient) if patient is not None else 0


@transaction.atomic
def patient_update_profile(
    *,
    user: User,
    first_name,
    last_name,
    date_of_birth,
    phone,
    language=None,
    visit_reminders: bool | None = None,
    texts: bool | None = None,
) -> None:
    """Save her profile; `texts` (when given) opts her in to text messages or out of them."""
    user.first_name = first_name
    user.last_name = last_name
    user.language = language or user.language
    user.save(update_fields=["first_name", "last_name", "language"])
    defaults = {"date_of_birth": date_of_birth, "phone": phone_normalise(phone)}
    if visit_reminders is not None:
        defaults["visit_reminders"] = visit_reminders
    patient, _created = Patient.objects.update_or_create(user=user, defaults=defaults)
    if texts is None:
        return
    if texts and patient.phone:
        text_consent_give(patient=patient, via=TextConsent.Via.PROFILE)
    else:
        text_consent_withdraw(patient=patient, via=TextConsent.Via.PROFILE)


@transaction.atomic
def text_consent_give(*, patient: Patient, via: str) -> TextConsent:
    """Opt her in to text messages (recorded with the time and the way); kept as it is if she is in.

    The caller has checked that her number can take texts (`clinic.phones.phone_can_receive_texts`).
    """
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    consent = patient.text_consents.filter(withdrawn_at__isnull=True).first()
    if consent is None:
        consent = TextConsent.objects.create(patient=patient, given_via=via)
    return consent


def text_consent_withdraw(*, patient: Patient, via: str) -> int:
    """Opt her out of text messages, recording the time and the way; 1 if she was in, else 0."""
    return patient.texts_opt_out(via=via)


def text_consent_withdraw_number(*, phone: str, via: str) -> int:
    """Opt out every patient with this (E.164) number, as a STOP sent from it asks; how many were in."""
    patients = Patient.objects.filter(phone=phone)
    return TextConsent.objects.filter(patient__in=patients, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_via=via
    )


def user_set_language(*, user: User, language: str) -> None:
    """Keep the language a signed-in user chose, for her pages and every email to her."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def password_reset_allowed(*, email: str, ip_address: str | None) -> bool:
    """Record a password-reset request; whether an email may be sent for it.

    Within settings.PASSWORD_RESET_WINDOW, one inbox gets at most
    PASSWORD_RESET_LIMIT_PER_EMAIL emails and one address may ask for at most
    PASSWORD_RESET_LIMIT_PER_ADDRESS, whatever the emails. The page shown is the
    same either way, so the limit reveals nothing about the account.
    """
    now = timezone.now()
    PasswordResetRequest.objects.filter(requested_at__lt=now - settings.PASSWORD_RESET_WINDOW).delete()
    digest = salted_hmac("patients.password_reset", login_key(email)).hexdigest()
    for_email = PasswordResetRequest.objects.filter(email_digest=digest).count()
    from_address = PasswordResetRequest.objects.filter(ip_address=ip_address).count() if ip_address else 0
    PasswordResetRequest.objects.create(email_digest=digest, ip_address=ip_address or None, requested_at=now)
    return (
        for_email < settings.PASSWORD_RESET_LIMIT_PER_EMAIL
        and from_address < settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    )


# The worklist only. Doctors read patient data on the worklist, where every opened case is
# audited; the admin's lists and forms of patients, questionnaires and cases are not theirs
# (migration patients 0006 took those read permissions away from the existing group).
DOCTOR_PERMISSIONS = {
    "triage": ("view_queue",),
}


def doctors_group() -> Group:
    """The role that grants the worklist; created on demand with its permissions."""
    group, _created = Group.objects.get_or_create(name=settings.DOCTORS_GROUP)
    query = Q()
    for app_label, codenames in DOCTOR_PERMISSIONS.items():
        query |= Q(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.add(*Permission.objects.filter(query))
    return group


@transaction.atomic
def doctor_create(*, email, password, first_name, last_name) -> User:
    """A doctor's account. Staff always carry a name: it is what a patient reads in her access log.

    The practice's administrator gives the address, so it counts as verified.
    """
    if not (first_name or "").strip() or not (last_name or "").strip():
        raise ValueError("A doctor's account needs a first and a last name.")
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_staff=True,
        email_verified_at=timezone.now(),
    )
    user.groups.add(doctors_group())
    return user


# --- The questionnaire ---------------------------------------------------------------


def submission_draft(patient: Patient) -> Submission:
    """The patient's one open draft, created on first use (safe against a double request)."""
    draft = Submission.objects.filter(patient=patient, status=Submission.Status.DRAFT).first()
    if draft is not None:
        return draft
    try:
        with transaction.atomic():
            return Submission.objects.create(patient=patient)
    except IntegrityError:
        return Submission.objects.get(patient=patient, status=Submission.Status.DRAFT)


class AlreadySubmitted(Exception):
    """The form was for a questionnaire that has been submitted since (double click, resend)."""

    def __init__(self, submission):
        super().__init__(submission.pk)
        self.submission = submission


def _locked_draft(patient: Patient, key) -> Submission:
    """The questionnaire the form with this key writes to, locked for the rest of the transaction.

    The first save or send creates the draft under the form's key; a form
    opened before another tab created her draft writes into that draft,
    as a patient has one draft at a time.
    """
    submission = Submission.objects.select_for_update().filter(patient=patient, key=key).first()
    if submission is None:
        try:
            with transaction.atomic():
                Submission.objects.create(patient=patient, key=key)
        except IntegrityError:
            pass  # she already has a draft (or the key is taken): write into her draft
        submission = Submission.objects.select_for_update().get(
            patient=patient, status=Submission.Status.DRAFT
        )
    if submission.is_submitted:
        raise AlreadySubmitted(submission)
    return submission


@transaction.atomic
def submission_save_draft(*, patient: Patient, key, answers: dict) -> Submission:
    submission = _locked_draft(patient, key)
    submission.answers = answers
    submission.save(update_fields=["answers", "updated_at"])
    return submission


@transaction.atomic
def submission_save_step(*, patient: Patient, key, replaced, answers: dict, step: int) -> Submission:
    """Store one step of the questionnaire in her draft and remember the step she is on.

    The answers to the questions in `replaced` are replaced by `answers`
    (a question left empty loses its old answer); the other steps' answers
    stay. Answers the branching now hides are dropped, as on the whole form.
    The draft is found or created by the form's key, so posting the same
    step twice writes the same draft.
    """
    submission = _locked_draft(patient, key)
    merged = {name: value for name, value in submission.answers.items() if name not in replaced}
    merged.update(answers)
    visible = rules.visible_fields(merged)
    submission.answers = {name: value for name, value in merged.items() if name in visible}
    submission.step = step
    submission.save(update_fields=["answers", "step", "updated_at"])
    return submission


@transaction.atomic
def submission_submit(*, patient: Patient, key, answers: dict) -> Submission:
    """Freeze the answers and assess them in the same transaction.

    The draft row is locked, so a second identical POST waits, then finds the
    questionnaire submitted and raises `AlreadySubmitted` instead of creating
    another one.
    """
    submission = _locked_draft(patient, key)
    _freeze(submission, answers, timezone.now(), rules.RULES_VERSION)
    assessment = submission_assess(submission)
    _confirmation_enqueue(submission)
    level = CaseLevel(assessment.level).name.lower()
    transaction.on_commit(lambda: metrics.QUESTIONNAIRES.labels(level=level).inc())
    return submission


def _confirmation_enqueue(submission: Submission) -> None:
    """Queue her "questionnaire received" email with the submission, sent once it is committed.

    A courtesy must never cost her the questionnaire: a failure to queue it
    is rolled back to its own savepoint and logged, and the submission stands.
    """
    try:
        with transaction.atomic():
            submission_received_email.enqueue(submission_id=submission.pk)
            submission_received_text.enqueue(
                patient=submission.patient,
                key=f"submission-received:{submission.pk}",
                submission_id=submission.pk,
            )
    except DatabaseError:
        logger.exception("Could not queue the confirmation email of questionnaire %s", submission.pk)


def _freeze(submission: Submission, answers: dict, submitted_at, questionnaire_version: int) -> None:
    submission.answers = answers
    submission.questionnaire_version = questionnaire_version
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = submitted_at
    submission.age = submission.patient.age_on(timezone.localdate(submitted_at))
    submission.save()


@transaction.atomic
def submission_record(
    *,
    patient: Patient,
    answers: dict,
    submitted_at,
    questionnaire_version: int = rules.RULES_VERSION,
    assessed_with: int | None = None,
) -> Submission:
    """Record an already-completed questionnaire (demo data, imports) and assess it.

    It is assessed with the current rules unless `assessed_with` names the
    earlier rule set that assessed it when it was sent (demo data only).
    """
    submission = Submission(patient=patient, created_at=submitted_at)
    _freeze(submission, answers, submitted_at, questionnaire_version)
    rule_set = None if assessed_with is None else rules.RULE_SETS[assessed_with]
    submission_assess(submission, rule_set=rule_set)
    return submission


# --- A questionnaire from another system: a FHIR QuestionnaireResponse ---

# Clocks of other systems drift; an authored time a little ahead of ours is still accepted.
FHIR_FUTURE_TOLERANCE = timedelta(minutes=5)


class FhirImportRefused(Exception):
    """The file cannot be imported for this patient; `reason` says why (one of `REASONS`).

    The reason is a code, not a sentence: whoever shows it words it (the `import_fhir` command).
    `email` is the address looked up, for "no patient with this email".
    """

    REASONS = (
        "different_patient",
        "no_patient_email",
        "no_patient",
        "birth_date_differs",
        "authored_in_future",
        "age_out_of_range",
    )

    def __init__(self, reason: str, *, email: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.email = email


@dataclass(frozen=True)
class FhirImport:
    """What importing a questionnaire did: the submission it is (`created` False when the same
    questionnaire had been imported before, and nothing was saved), and whether the portal's own
    assessment differs from the one in the file (the portal's is the one kept)."""

    submission: Submission
    created: bool
    assessment_differs: bool = False


def submission_import_fhir(
    imported: fhir_imports.ImportedResponse, *, email: str | None = None
) -> FhirImport:
    """Record a parsed QuestionnaireResponse as a submitted questionnaire of an existing patient;
    the rule engine assesses it as if it had been sent through the form.

    The patient is the one the file names, or `email` (which must agree with the file). Nothing is
    saved unless everything checks out (`FhirImportRefused`); the same file imported twice is
    recorded once.
    """
    person = _fhir_patient(imported, email)
    _fhir_check_authored(imported, person)
    with transaction.atomic():
        # Locking the patient makes a second import of the same file wait and then see the first.
        Patient.objects.select_for_update().filter(pk=person.pk).first()
        existing = _fhir_existing_submission(person, imported)
        if existing is not None:
            return FhirImport(existing, created=False)
        submission = submission_record(
            patient=person,
            answers=imported.answers,
            submitted_at=imported.authored,
            questionnaire_version=imported.questionnaire_version,
        )
        assessment = fhir_export.latest_assessment(submission)
    differs = imported.assessment is not None and not _fhir_same_assessment(imported.assessment, assessment)
    return FhirImport(submission, created=True, assessment_differs=differs)


def _fhir_patient(imported: fhir_imports.ImportedResponse, email: str | None) -> Patient:
    """The patient the file is about; a file naming someone else than `email` is refused."""
    email = normalize_email(email) if email else None
    if email and imported.patient_email and email != imported.patient_email:
        raise FhirImportRefused("different_patient")
    email = email or imported.patient_email
    if not email:
        raise FhirImportRefused("no_patient_email")
    person = Patient.objects.select_related("user").filter(user__login_key=login_key(email)).first()
    if person is None:
        raise FhirImportRefused("no_patient", email=email)
    if imported.patient_birth_date and imported.patient_birth_date != person.date_of_birth:
        raise FhirImportRefused("birth_date_differs")
    return person


def _fhir_check_authored(imported: fhir_imports.ImportedResponse, person: Patient) -> None:
    if imported.authored > timezone.now() + FHIR_FUTURE_TOLERANCE:
        raise FhirImportRefused("authored_in_future")
    age = person.age_on(timezone.localdate(imported.authored))
    if not rules.AGE_MIN <= age <= rules.AGE_MAX:
        raise FhirImportRefused("age_out_of_range")


def _fhir_existing_submission(person: Patient, imported: fhir_imports.ImportedResponse) -> Submission | None:
    """The questionnaire this file already is: its own export (same form key), or one sent the same second."""
    submitted = Submission.objects.filter(patient=person, status=Submission.Status.SUBMITTED)
    key = _uuid_or_none(imported.identifier)
    if key is not None and (found := submitted.filter(key=key).first()) is not None:
        return found
    second = imported.authored.replace(microsecond=0)
    return submitted.filter(submitted_at__gte=second, submitted_at__lt=second + timedelta(seconds=1)).first()


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None


def _fhir_same_assessment(imported: fhir_imports.ImportedAssessment, assessment) -> bool:
    return (
        assessment is not None
        and imported.level == fhir_export.level_code(assessment.level)
        and (imported.score is None or imported.score == assessment.score)
        and imported.flags == tuple(assessment.flags)
    )
