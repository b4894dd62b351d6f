"""Cross-cutting request handling: request ids, private responses, session timeouts, two-factor login."""

import ipaddress
import re
import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .auth import AUTH_AT, SEEN_AT, has_second_factor, second_factor_required
from .logging import request_id_var

# The last-seen stamp is rewritten at most this often, so that most requests save no session.
SEEN_RESOLUTION_SECONDS = 60


class RequestIdMiddleware:
    """Give each request an id, put it in every log line and in the `X-Request-ID` header.

    The id is the one the trusted proxy set (nginx's `$request_id`, in its own access log too),
    taken only from a proxy's own connection (`TRUSTED_PROXY_ADDRESSES`, behind a proxy) and only
    in a plain shape; anything else, a client's header above all, is replaced by a new id here,
    since a client-sent one could be used to forge or confuse log lines.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = proxy_request_id(request) or uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9-]{16,64}")


def proxy_request_id(request) -> str | None:
    """The `X-Request-ID` set by the proxy this request came through, or None when not trusted."""
    if not settings.BEHIND_PROXY:
        return None
    value = request.META.get("HTTP_X_REQUEST_ID", "")
    if not REQUEST_ID_SHAPE.fullmatch(value):
        return None
    try:
        hop = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None
    return value if any(hop in network for network in settings.TRUSTED_PROXY_NETWORKS) else None


class PrivateResponseMiddleware:
    """Every page the portal renders may show health data: no cache, no proxy may keep it.

    Static files are served before this middleware (WhiteNoise) and keep their
    long cache headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def idle_timeout_for(user) -> int:
    """Staff accounts (doctors, who see every patient's data, and the admin) time out sooner.

    Staff status is a column of the user already loaded: asking for the doctor's permission
    here would cost every request, patients' included, one more query.
    """
    return settings.SESSION_IDLE_TIMEOUT_STAFF if user.is_staff else settings.SESSION_IDLE_TIMEOUT_PATIENT


class SessionTimeoutMiddleware:
    """End a session after its role's idle time, and any session 12 hours after login.

    The request then goes on as anonymous, so a page that needs a login sends
    the user back to the login page with a note saying why.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = time.time()
        started = session.get(AUTH_AT)
        seen = session.get(SEEN_AT)
        if not isinstance(started, int | float) or not isinstance(seen, int | float):
            session[AUTH_AT] = session[SEEN_AT] = now
            return
        if now - started >= settings.SESSION_ABSOLUTE_TIMEOUT:
            logout(request)
            messages.info(request, _("For your safety you are logged out 12 hours after logging in."))
        elif now - seen >= idle_timeout_for(request.user):
            minutes = idle_timeout_for(request.user) // 60
            logout(request)
            messages.info(
                request,
                _("You were logged out after %(minutes)d minutes without activity. Please log in again.")
                % {"minutes": minutes},
            )
        elif now - seen >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_AT] = now


# Pages an account that still owes its second factor may open.
TWO_FACTOR_EXEMPT_VIEWS = frozenset(
    {"two_factor_verify", "two_factor_setup", "logout", "set_language", "privacy"}
)


class TwoFactorMiddleware:
    """Hold back every page until a user with a device has entered a code.

    Doctors without a device are sent to set one up whenever
    `OTP_REQUIRED_FOR_STAFF` is on (by default, whenever debug is off).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT_VIEWS:
            return None
        if has_second_factor(request):
            return self._send(request, "two_factor_verify")
        if second_factor_required(user):
            return self._send(request, "two_factor_setup")
        return None

    @staticmethod
    def _send(request, view_name):
        url = reverse(view_name)
        if request.method == "GET":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(url)


# The date parts an admin list filters on (`?created_at__year=`): Python's dates hold only these.
DATE_PARTS = {"year": (1, 9999), "month": (1, 12), "day": (1, 31)}


def _in_range(value: str, low: int, high: int) -> bool:
    if len(value) > 20:
        return False
    try:
        return low <= int(value) <= high
    except ValueError:
        return True  # not a number: the admin's own check refuses it


class BadParameterMiddleware:
    """Answer 400, not 500, to query parameters the admin's lists would pass to the database unchecked.

    The project's own forms drop a value they cannot read; Django's admin change
    lists hand their filters to the query as they are. A NUL character there is
    refused up front (PostgreSQL cannot even compare a string holding one), and
    a number or date too large for Python or the database
    (`?submitted_at__year=99999999999999999999`), which ends in an OverflowError
    wherever it happens, is the client's bad request too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.app_name != "admin":
            return None
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            return HttpResponseBadRequest(_("The address holds a character it cannot hold."))
        for key, value in request.GET.items():
            part = key.rsplit("__", 1)[-1] if "__" in key else ""
            if part in DATE_PARTS and not _in_range(value, *DATE_PARTS[part]):
                return HttpResponseBadRequest(_("A number or a date in the address is out of range."))
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            return HttpResponseBadRequest(_("A number or a date in the address is out of range."))
        return None
