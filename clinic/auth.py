"""Login plumbing shared by the middleware: the lockout key and what a new session remembers."""

import ipaddress
import time

from django.conf import settings
from django_otp import user_has_device

from patients.models import normalize_email

# Session keys: when the user logged in, when she was last seen, whether she has a second factor.
AUTH_AT = "clinic.auth_at"
SEEN_AT = "clinic.seen_at"
HAS_SECOND_FACTOR = "clinic.has_2fa"


def axes_username(request, credentials):
    """The email as it is stored, so that changing its case does not buy fresh attempts."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    if not isinstance(username, str) or not username.strip():
        return None
    return normalize_email(username)


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


def lockout_response(request, original_response=None, credentials=None):
    """The page shown while django-axes holds logins back (HTTP 429)."""
    from axes.helpers import get_cool_off
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else None
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/lockout.html", context, status=429)


def second_factor_required(user) -> bool:
    """Every staff account needs a second factor: doctors read health data, and any staff
    account can open the admin."""
    return settings.OTP_REQUIRED_FOR_STAFF and user.is_staff
