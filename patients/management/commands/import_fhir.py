"""Import a FHIR QuestionnaireResponse as a submitted questionnaire of an existing patient."""

import uuid
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from clinic.identity import login_key
from patients.models import Patient, Submission, normalize_email
from patients.services import submission_record
from triage import rules
from triage.fhir import export, imports
from triage.fhir.safe_json import UnsafeInput, fhir_json_load

# Clocks of other systems drift; an authored time a little ahead of ours is still accepted.
FUTURE_TOLERANCE = timedelta(minutes=5)


class Command(BaseCommand):
    help = (
        "Import a FHIR R4 QuestionnaireResponse, or a Bundle exported by the portal, as a submitted "
        "questionnaire of an existing patient; the rule engine assesses it as if it had been sent "
        "through the form. Nothing is saved unless everything checks out."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON file holding the QuestionnaireResponse or the Bundle.")
        parser.add_argument(
            "--patient",
            metavar="EMAIL",
            help="The patient's login email, when the file names none (or to confirm the one it names).",
        )

    def handle(self, *args, path, patient=None, **options):
        try:
            imported = imports.parse_document(_read(path))
        except imports.FhirImportError as exc:
            raise CommandError(f"{path}: {exc}") from None
        person = _patient_for(imported, patient)
        _check_authored(imported, person)
        with transaction.atomic():
            # Locking the patient makes a second import of the same file wait and then see the first.
            Patient.objects.select_for_update().filter(pk=person.pk).first()
            existing = _existing_submission(person, imported)
            if existing is not None:
                self.stdout.write(
                    self.style.WARNING(
                        f"This questionnaire was already imported as questionnaire #{existing.pk}; "
                        "nothing was saved."
                    )
                )
                return
            submission = submission_record(
                patient=person,
                answers=imported.answers,
                submitted_at=imported.authored,
                questionnaire_version=imported.questionnaire_version,
            )
            assessment = export.latest_assessment(submission)
        self.stdout.write(self.style.SUCCESS(f"Imported as questionnaire #{submission.pk}."))
        if imported.assessment is not None and not _same_assessment(imported.assessment, assessment):
            # Only the fact is reported, not the levels: command output may end up in logs.
            self.stdout.write(
                self.style.WARNING(
                    "The assessment made here differs from the one in the file, usually because the "
                    "patient's earlier questionnaires differ; the portal's own assessment is the one kept."
                )
            )


def _read(path: str):
    """The file's JSON, once it passes the size, depth, duplicate-key and type checks (triage.fhir.safe_json)."""
    try:
        return fhir_json_load(path)
    except UnsafeInput as exc:
        raise CommandError(f"{path}: {exc}") from None


def _patient_for(imported: imports.ImportedResponse, email: str | None) -> Patient:
    """The patient the file is about; a file naming someone else than --patient is refused."""
    email = normalize_email(email) if email else None
    if email and imported.patient_email and email != imported.patient_email:
        raise CommandError(
            "The file names a different patient than --patient; check that it belongs to this patient."
        )
    email = email or imported.patient_email
    if not email:
        raise CommandError("The file names no patient by email; give her login email with --patient.")
    person = Patient.objects.select_related("user").filter(user__login_key=login_key(email)).first()
    if person is None:
        raise CommandError(f"No patient with the email {email}; she must have an account first.")
    if imported.patient_birth_date and imported.patient_birth_date != person.date_of_birth:
        raise CommandError(
            "The date of birth in the file differs from the patient's profile; "
            "check that the file belongs to this patient."
        )
    return person


def _check_authored(imported: imports.ImportedResponse, person: Patient) -> None:
    if imported.authored > timezone.now() + FUTURE_TOLERANCE:
        raise CommandError("The authored time is in the future.")
    age = person.age_on(timezone.localdate(imported.authored))
    if not rules.AGE_MIN <= age <= rules.AGE_MAX:
        raise CommandError(
            f"On the authored date the patient's age is outside {rules.AGE_MIN}..{rules.AGE_MAX}; "
            "check the authored time and her date of birth."
        )


def _existing_submission(person: Patient, imported: imports.ImportedResponse) -> Submission | None:
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


def _same_assessment(imported: imports.ImportedAssessment, assessment) -> bool:
    return (
        assessment is not None
        and imported.level == export.level_code(assessment.level)
        and (imported.score is None or imported.score == assessment.score)
        and imported.flags == tuple(assessment.flags)
    )
