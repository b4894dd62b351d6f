"""FHIR downloads: the public Questionnaire and a doctor's case bundle (the patient's own is in patients)."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .access import case_for_doctor
from .audit import audit_record
from .decorators import doctor_required
from .fhir import export
from .models import AuditEvent

FHIR_JSON = "application/fhir+json; charset=utf-8"


def fhir_response(resource: dict, *, filename: str | None = None) -> HttpResponse:
    """JSON as FHIR asks for it; with a filename, a download (the name carries no health data)."""
    response = HttpResponse(json.dumps(resource, ensure_ascii=False, indent=2), content_type=FHIR_JSON)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_not_required
@require_GET
def questionnaire_view(request):
    """The questionnaire itself holds no personal data, so anyone (an EHR) may read it."""
    return fhir_response(export.questionnaire_resource())


@never_cache
@doctor_required
@require_GET
def case_fhir_view(request, pk):
    """A case as a Bundle of its QuestionnaireResponse and RiskAssessment; each download is audited."""
    case = case_for_doctor(request, pk)
    submission = case.submission
    submission.patient = case.patient
    bundle = export.submission_bundle(submission)
    audit_record(request, AuditEvent.Action.EXPORT_FHIR, obj=case, patient=case.patient)
    return fhir_response(bundle, filename=f"case-{case.pk}.fhir.json")
