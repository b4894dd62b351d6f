"""Access rules for patient-only pages."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from .models import is_patient


def patient_required(view):
    """Only a logged-in user with a patient profile may use the view; others get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_patient(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
