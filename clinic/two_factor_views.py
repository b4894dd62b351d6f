"""Pages for the second factor: verify at login, set up, recovery codes, turn off."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice

from . import two_factor
from .auth import other_sessions_end, remember_second_factor, second_factor_required
from .forms import CodeForm, PasswordConfirmForm, SetupForm


def _next_url(request) -> str:
    """Where to go once verified: the page asked for, if it is a path on this site (never a view name)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request, device) -> None:
    """Mark the session as having passed the second factor, under a new session id."""
    otp_login(request, device)
    request.session.cycle_key()
    remember_second_factor(request, True)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_verify_view(request):
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not user_has_device(request.user, confirmed=True):
        remember_second_factor(request, False)
        return redirect("two_factor_setup" if second_factor_required(request.user) else next_url)
    form = CodeForm(request.POST or None, submit_label=_("Verify"))
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.second_factor_check(request.user, form.cleaned_data["code"])
        except two_factor.Throttled:
            form.add_error("code", _("Too many wrong codes in a row. Wait a minute, then try again."))
        else:
            if device is None:
                form.add_error(
                    "code", _("That code is not valid. Check the time on your phone and try again.")
                )
            else:
                _verified(request, device)
                if isinstance(device, StaticDevice):
                    messages.warning(
                        request,
                        _(
                            "You used a recovery code; %(left)d are left. Make new ones from the security page."
                        )
                        % {"left": two_factor.recovery_codes_left(request.user)},
                    )
                return HttpResponseRedirect(next_url)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_setup_view(request):
    user = request.user
    if user_has_device(user, confirmed=True):
        # A second device is added only from a session that has passed the first one.
        return redirect("two_factor_manage" if user.is_verified() else "two_factor_verify")
    device = two_factor.pending_totp_device(request.session, user)
    form = SetupForm(request.POST or None, request=request, submit_label=_("Turn on two-step login"))
    valid = request.method == "POST" and form.is_valid()
    if form.locked_out:
        logout(request)  # django-axes' middleware shows the lockout page
        return redirect("login")
    if valid:
        confirmed = two_factor.totp_confirm(request.session, user, form.cleaned_data["code"])
        if confirmed is None:
            form.add_error("code", _("That code is not valid. Scan the code again and enter the newest one."))
        else:
            device, codes = confirmed
            _verified(request, device)
            other_sessions_end(request)
            return render(request, "registration/two_factor_codes.html", {"codes": codes, "first_time": True})
    context = {
        "form": form,
        "qr_svg": two_factor.totp_qr_svg(device, _("QR code for your authenticator app")),
        "secret": two_factor.totp_secret(device),
        "required": second_factor_required(user),
    }
    return render(request, "registration/two_factor_setup.html", context)


@never_cache
@require_http_methods(["GET"])
def two_factor_manage_view(request):
    user = request.user
    context = {
        "enabled": two_factor.has_authenticator(user),
        "codes_left": two_factor.recovery_codes_left(user),
        "required": second_factor_required(user),
    }
    return render(request, "registration/two_factor_manage.html", context)


@never_cache
@require_POST
def two_factor_recovery_codes_view(request):
    if not two_factor.has_authenticator(request.user) or not request.user.is_verified():
        return redirect("two_factor_manage")
    codes = two_factor.recovery_codes_renew(request.user)
    return render(request, "registration/two_factor_codes.html", {"codes": codes, "first_time": False})


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def two_factor_disable_view(request):
    user = request.user
    if second_factor_required(user) or not two_factor.has_authenticator(user):
        return redirect("two_factor_manage")
    if not user.is_verified():
        return redirect("two_factor_verify")
    form = PasswordConfirmForm(
        request.POST or None, request=request, submit_label=_("Turn off two-step login")
    )
    valid = request.method == "POST" and form.is_valid()
    if form.locked_out:
        logout(request)  # django-axes' middleware shows the lockout page
        return redirect("login")
    if valid:
        two_factor.second_factor_remove(user)
        remember_second_factor(request, False)
        messages.success(request, _("Two-step login is off. Your password alone now logs you in."))
        return redirect("two_factor_manage")
    return render(request, "registration/two_factor_disable.html", {"form": form})
