"""FHIR downloads: the public Questionnaire and a doctor's case bundle (the patient's own is in patients)."""

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..access import case_for_doctor
from ..audit.writer import Actor, audit_record
from ..decorators import doctor_required
from ..fhir import export
from ..fhir.responses import fhir_response
from ..models import AuditEvent
from .selectors import case_assessment


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
    # The assessment in force: a lower one waiting for sign-off is not the case's (RULES.md 11.2, S5).
    bundle = export.submission_bundle(submission, case_assessment(case))
    audit_record(Actor.from_request(request), AuditEvent.Action.EXPORT_FHIR, obj=case, patient=case.patient)
    return fhir_response(bundle, filename=f"case-{case.pk}.fhir.json")
