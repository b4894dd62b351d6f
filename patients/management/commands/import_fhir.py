"""Import a FHIR QuestionnaireResponse as a submitted questionnaire of an existing patient."""

from django.core.management.base import BaseCommand, CommandError

from patients.services import FhirImportRefused, submission_import_fhir
from triage import rules
from triage.fhir import imports
from triage.fhir.safe_json import UnsafeInput, fhir_json_load

# Why a file was refused, as the command says it (the service gives the reason's code).
REFUSALS = {
    "different_patient": "The file names a different patient than --patient; check that it belongs to this patient.",
    "no_patient_email": "The file names no patient by email; give her login email with --patient.",
    "no_patient": "No patient with the email {email}; she must have an account first.",
    "birth_date_differs": (
        "The date of birth in the file differs from the patient's profile; "
        "check that the file belongs to this patient."
    ),
    "authored_in_future": "The authored time is in the future.",
    "age_out_of_range": (
        f"On the authored date the patient's age is outside {rules.AGE_MIN}..{rules.AGE_MAX}; "
        "check the authored time and her date of birth."
    ),
}


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
        try:
            result = submission_import_fhir(imported, email=patient)
        except FhirImportRefused as refused:
            raise CommandError(REFUSALS[refused.reason].format(email=refused.email)) from None
        if not result.created:
            self.stdout.write(
                self.style.WARNING(
                    f"This questionnaire was already imported as questionnaire #{result.submission.pk}; "
                    "nothing was saved."
                )
            )
            return
        self.stdout.write(self.style.SUCCESS(f"Imported as questionnaire #{result.submission.pk}."))
        if result.assessment_differs:
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
