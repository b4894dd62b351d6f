from django.utils.functional import SimpleLazyObject

from .models import clinic_profile


def clinic(request):
    """The clinic's profile for the footer and every advice, read when a template first uses it."""
    return {"clinic": SimpleLazyObject(clinic_profile)}
