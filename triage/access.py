"""The one way to reach a case, a patient or a visit from a request: doctors only, a missing one is a 404."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from patients.models import Patient, is_doctor

from .cases.selectors import case_detail_queryset
from .models import Case, Visit


def case_for_doctor(request, pk, *, queryset=None) -> Case:
    """Case `pk` for the doctor making the request, from `queryset` (by default the case page's).

    Views are already behind `doctor_required`; the check is repeated here so
    that no path reaches a case without it.
    """
    if not is_doctor(request.user):
        raise PermissionDenied
    return get_object_or_404(case_detail_queryset() if queryset is None else queryset, pk=pk)


def patient_for_doctor(request, pk):
    """Patient `pk` (with her user) for the doctor making the request; a closed or missing one is a 404."""
    if not is_doctor(request.user):
        raise PermissionDenied
    return get_object_or_404(Patient.objects.select_related("user"), pk=pk, closed_at__isnull=True)


def visit_for_doctor(request, pk):
    """Visit `pk` for the doctor making the request, with its patient or invitation."""
    if not is_doctor(request.user):
        raise PermissionDenied
    return get_object_or_404(Visit.objects.select_related("patient__user", "invitation"), pk=pk)
