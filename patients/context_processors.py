from django.utils.functional import SimpleLazyObject

from .models import is_patient


def roles(request):
    """Expose the user's role to templates, so the navigation fits it."""
    user = getattr(request, "user", None)
    is_doctor = bool(user and user.is_authenticated and user.is_doctor)
    return {"is_doctor": is_doctor, "is_patient": bool(user and not is_doctor and is_patient(user))}


def live_alarms(request):
    """Her emergency and urgent advice that nobody at the clinic has acted on yet (RULES.md S2), for
    the alarm every page of hers shows first; read only by a page that shows it (one query)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and not user.is_doctor and is_patient(user)):
        return {}

    def read():
        from .presenters import live_alarm_summaries

        return live_alarm_summaries(user.patient)

    return {"live_alarms": SimpleLazyObject(read)}
