from .models import is_patient


def roles(request):
    """Expose the user's role to templates, so the navigation fits it."""
    user = getattr(request, "user", None)
    is_doctor = bool(user and user.is_authenticated and user.is_doctor)
    return {"is_doctor": is_doctor, "is_patient": bool(user and not is_doctor and is_patient(user))}
