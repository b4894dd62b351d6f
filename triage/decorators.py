"""Who may use the doctor's pages."""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import user_passes_test
from django.core.exceptions import PermissionDenied

from patients.models import is_doctor


def _doctor_or_forbidden(user) -> bool:
    """False sends an anonymous user to the login page; a logged-in non-doctor gets 403."""
    if not user.is_authenticated:
        return False
    if is_doctor(user):
        return True
    raise PermissionDenied


def doctor_required(function=None, redirect_field_name=REDIRECT_FIELD_NAME, login_url=None):
    """Only doctors may use the view, as `login_required` lets in only logged-in users.

    Anonymous users are sent to log in; anyone else who is not a doctor gets
    403, as `permission_required(..., raise_exception=True)` answers.
    """
    actual_decorator = user_passes_test(
        _doctor_or_forbidden, login_url=login_url, redirect_field_name=redirect_field_name
    )
    if function:
        return actual_decorator(function)
    return actual_decorator
