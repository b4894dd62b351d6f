"""Login lockout: the pair (account, address) after a few failures, the address alone after many.

django-axes counts failures under the combination of its lockout parameters and
applies one failure limit. The clinic needs two: at the reception, patients and
the doctor share one address, so a lock on the address alone after 5 failures
lets one patient's typos lock everyone out. django-axes therefore counts the pair
(settings.AXES_LOCKOUT_PARAMETERS), and this handler adds a second, higher limit
for the address alone (settings.LOGIN_ADDRESS_FAILURE_LIMIT), summed from the
same attempt records over the same cool-off.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

from .auth import client_ip

PAIR = "pair"
ADDRESS = "address"


def address_failures(request) -> int:
    """Failures from the request's address, for any account, within the cool-off."""
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    attempts = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def address_locked(request) -> bool:
    return address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class PairAndAddressHandler(AxesDatabaseHandler):
    """django-axes' database handler, with the address-only limit on top of its own."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            request.clinic_lockout = PAIR
            return True
        if address_locked(request):
            request.clinic_lockout = ADDRESS
            return True
        return False

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        if getattr(request, "axes_locked_out", False):
            request.clinic_lockout = getattr(request, "clinic_lockout", PAIR)
        elif address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            request.clinic_lockout = ADDRESS
