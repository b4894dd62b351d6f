"""Login plumbing shared by the middleware: the lockout key and what a new session remembers."""

import ipaddress
import time

from django.conf import settings
from django_otp import user_has_device

from .identity import login_key

# Session keys: when the user logged in, when she was last seen, whether she has a second factor.
AUTH_AT = "clinic.auth_at"
SEEN_AT = "clinic.seen_at"
HAS_SECOND_FACTOR = "clinic.has_2fa"


def axes_username(request, credentials):
    """The login key the user lookup uses, so that another spelling does not buy fresh attempts.

    Every login form posts the email as `username` (settings.AXES_USERNAME_FORM_FIELD).
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field)
    if username is None and request is not None:
        username = request.POST.get(field)
    if not isinstance(username, str) or not username.strip():
        return None
    return login_key(username)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the one the trusted proxy added to X-Forwarded-For.

    Only the entries appended by our own proxies are believed (counted from the
    right); anything a client puts in the header itself sits further left.
    """
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return request.META.get("REMOTE_ADDR", "")


def session_start(sender, request, user, **kwargs):
    """Stamp a fresh login: the absolute and idle timeouts count from here."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = time.time()
    session[AUTH_AT] = now
    session[SEEN_AT] = now
    session[HAS_SECOND_FACTOR] = user_has_device(user, confirmed=True)


def remember_second_factor(request, present: bool) -> None:
    request.session[HAS_SECOND_FACTOR] = present


def has_second_factor(request) -> bool:
    """Whether the user has a confirmed device, read from the session once it is known there."""
    present = request.session.get(HAS_SECOND_FACTOR)
    if present is None:
        present = user_has_device(request.user, confirmed=True)
        request.session[HAS_SECOND_FACTOR] = present
    return present


def other_sessions_end(request) -> int:
    """End every other session of the request's user; returns how many were ended.

    Used when two-step login is turned on: a session opened before never passed
    the code (and remembers that the account had no device), so it must log in
    again. Sessions are kept in the database (the default engine), where they
    can be listed; the current one was given a new key when it was verified.
    """
    from importlib import import_module

    from django.utils import timezone

    store = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class()
    user_id = str(request.user.pk)
    current = request.session.session_key
    ended = []
    for session in (
        model.objects.filter(expire_date__gt=timezone.now()).exclude(session_key=current).iterator()
    ):
        if str(session.get_decoded().get("_auth_user_id")) == user_id:
            ended.append(session.session_key)
    model.objects.filter(session_key__in=ended).delete()
    return len(ended)


def lockout_response(request, original_response=None, credentials=None):
    """The page shown while django-axes holds logins back (HTTP 429).

    It says which lock applies (clinic.lockout): the account from this address,
    or the address for every account; never "this account" when it is the address.
    """
    from axes.helpers import get_cool_off
    from django.shortcuts import render

    from .lockout import ADDRESS

    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else None
    address = getattr(request, "clinic_lockout", None) == ADDRESS
    context = {
        "minutes": minutes,
        "address": address,
        "failure_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT if address else settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "registration/lockout.html", context, status=429)


def second_factor_required(user) -> bool:
    """Every staff account needs a second factor: doctors read health data, and any staff
    account can open the admin."""
    return settings.OTP_REQUIRED_FOR_STAFF and user.is_staff


def is_clinic_admin(user) -> bool:
    """The admin's clinic-wide pages (the clinic profile, the audit trail, the outbox) are for active
    superusers only: the one gate, which `SuperuserOnlyAdmin` puts on a model's admin."""
    return bool(user.is_active and user.is_superuser)


class SuperuserOnlyAdmin:
    """A `ModelAdmin` mixin: only `is_clinic_admin` users see the model in the admin."""

    def has_module_permission(self, request):
        return is_clinic_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_clinic_admin(request.user)
