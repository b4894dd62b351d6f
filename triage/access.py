"""The one way to reach a case from a request: doctors only, a missing case is a 404."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from patients.models import is_doctor

from .models import Case
from .selectors import case_detail_queryset


def case_for_doctor(request, pk, *, queryset=None) -> Case:
    """Case `pk` for the doctor making the request, from `queryset` (by default the case page's).

    Views are already behind `doctor_required`; the check is repeated here so
    that no path reaches a case without it.
    """
    if not is_doctor(request.user):
        raise PermissionDenied
    return get_object_or_404(case_detail_queryset() if queryset is None else queryset, pk=pk)
