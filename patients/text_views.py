"""The text-message provider's webhook: a patient's STOP reply opts her out of texts."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from clinic.phones import InvalidPhone, phone_masked, phone_normalise
from outbox.sms import InvalidSignature, sms_backend

from .models import TextConsent
from .services import text_consent_withdraw_number

logger = logging.getLogger(__name__)

# The provider expects an answer it can read; an empty one sends nothing back (the provider
# confirms a STOP itself).
EMPTY_REPLY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@csrf_exempt
@login_not_required
@require_POST
def text_inbound_view(request):
    """A message sent to the clinic's number, signed by the provider (403 otherwise).

    The URL checked is the one the provider was given: the portal's address and this path.
    """
    url = f"{settings.PORTAL_BASE_URL}{request.get_full_path()}"
    params = {key: request.POST.get(key, "") for key in request.POST}
    try:
        inbound = sms_backend().inbound(url, params, request.headers)
    except InvalidSignature:
        logger.warning("Text message webhook: a request without a valid signature was refused.")
        return HttpResponseForbidden()
    if inbound.opt_out:
        try:
            number = phone_normalise(inbound.from_number)
        except InvalidPhone:
            number = ""
        withdrawn = text_consent_withdraw_number(phone=number, via=TextConsent.Via.KEYWORD) if number else 0
        logger.info(
            "Text messages stopped by a reply from %s (%d consents).", phone_masked(number), withdrawn
        )
    return HttpResponse(EMPTY_REPLY, content_type="text/xml")
