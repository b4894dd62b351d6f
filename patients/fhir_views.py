"""The patient's own answers as FHIR, to take to another doctor or keep."""

from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from triage.fhir import export
from triage.fhir.responses import fhir_response

from .access import submission_for_patient
from .decorators import patient_required


@never_cache
@patient_required
@require_GET
def submission_fhir_view(request, pk):
    """The patient's own answers as a QuestionnaireResponse.

    The RiskAssessment stays with the clinic: patients are shown the advice for
    their level, never the flag wording meant for the doctor (RULES.md 8).
    """
    submission = submission_for_patient(request.user, pk)
    return fhir_response(
        export.questionnaire_response(submission), filename=f"questionnaire-{submission.pk}.fhir.json"
    )
