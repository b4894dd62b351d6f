"""FHIR downloads: the public Questionnaire, a patient's own response, a doctor's case bundle."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from patients.access import submission_for_patient
from patients.decorators import patient_required

from . import fhir
from .access import case_for_doctor
from .audit import audit_record
from .decorators import doctor_required
from .models import AuditEvent

FHIR_JSON = "application/fhir+json; charset=utf-8"


def _fhir_response(resource: dict, *, filename: str | None = None) -> HttpResponse:
    """JSON as FHIR asks for it; with a filename, a download (the name carries no health data)."""
    response = HttpResponse(json.dumps(resource, ensure_ascii=False, indent=2), content_type=FHIR_JSON)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_not_required
@require_GET
def questionnaire_view(request):
    """The questionnaire itself holds no personal data, so anyone (an EHR) may read it."""
    return _fhir_response(fhir.questionnaire_resource())


@never_cache
@patient_required
@require_GET
def submission_fhir_view(request, pk):
    """The patient's own answers as a QuestionnaireResponse.

    The RiskAssessment stays with the clinic: patients are shown the advice for
    their level, never the flag wording meant for the doctor (RULES.md 8).
    """
    submission = submission_for_patient(request.user, pk)
    return _fhir_response(
        fhir.questionnaire_response(submission), filename=f"questionnaire-{submission.pk}.fhir.json"
    )


@never_cache
@doctor_required
@require_GET
def case_fhir_view(request, pk):
    """A case as a Bundle of its QuestionnaireResponse and RiskAssessment; each download is audited."""
    case = case_for_doctor(request, pk)
    submission = case.submission
    submission.patient = case.patient
    bundle = fhir.submission_bundle(submission)
    audit_record(request, AuditEvent.Action.EXPORT_FHIR, obj=case, patient=case.patient)
    return _fhir_response(bundle, filename=f"case-{case.pk}.fhir.json")
