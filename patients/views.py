"""Patient-facing pages: home, sign-up, profile, privacy notice; the language switcher."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from clinic.auth import other_sessions_end
from clinic.identity import login_key
from clinic.models import clinic_profile
from triage.audit.writer import Actor
from triage.conversation.presenters import patient_conversation
from triage.conversation.selectors import messages_of_cases
from triage.models import AuditEvent
from triage.visits.ics import visit_calendar
from triage.visits.selectors import invitation_for_token, patient_next_visit, visit_for_patient

from .decorators import patient_required
from .forms import EmailChangeForm, ProfileForm, SignupForm
from .gdpr import patient_self_event
from .models import User, is_patient
from .presenters import submission_summary
from .selectors import submission_open_list_for
from .services import (
    EmailChangeLimited,
    EmailTaken,
    EmailUnchanged,
    email_change_cancel,
    email_change_confirm,
    email_change_request,
    email_change_resend,
    email_verification_resend,
    email_verify,
    patient_register,
    patient_update_profile,
    user_set_language,
)
from .verification import email_change_token, email_verification_token, email_verification_user


@require_http_methods(["GET"])
def home_view(request):
    """Send each role to its own start page."""
    if request.user.is_doctor:
        return redirect("triage:dashboard")
    if not is_patient(request.user):
        return render(request, "patients/no_profile.html", status=403)
    patient = request.user.patient
    visit = patient_next_visit(patient)
    clinic = clinic_profile()
    cards = [
        submission_summary(submission, clinic=clinic, visit=visit)
        for submission in submission_open_list_for(patient)
    ]
    # Live alarms first (RULES.md 11.2, S2), then the others, newest first.
    cards.sort(key=lambda card: not (card.advice and card.advice.is_live_alarm))
    # Each card carries its questionnaire's conversation (all of them read in one query).
    messages = messages_of_cases([card.submission.pk for card in cards])
    conversations = {
        card.submission.pk: patient_conversation(card.submission.case, messages[card.submission.pk])
        for card in cards
    }
    return render(
        request,
        "patients/home.html",
        {"visit": visit, "cards": [(card, conversations[card.submission.pk]) for card in cards]},
    )


@patient_required
@require_http_methods(["GET"])
def visit_calendar_view(request, pk):
    """Her own visit as an .ics file, to add to her calendar."""
    visit = visit_for_patient(request.user.patient, pk)
    if visit is None:
        raise Http404
    clinic = clinic_profile()
    response = HttpResponse(
        visit_calendar(visit, clinic_name=clinic.name, address=clinic.address),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="visit.ics"'
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def signup_view(request, token=None):
    """Sign-up; from an invitation link (`token`), with her email filled in and her booked visits attached."""
    if request.user.is_authenticated:
        return redirect("home")
    invitation = invitation_for_token(token) if token else None
    if token and invitation is None:
        messages.warning(
            request,
            _("This invitation link has expired or has already been used. You can still create an account."),
        )
        return redirect("signup")
    if invitation and User.objects.filter(login_key=login_key(invitation.email)).exists():
        messages.info(
            request,
            _(
                "An account with the invited email already exists. Log in and confirm your email: "
                "the booked visit then appears on your home page."
            ),
        )
        return redirect("login")
    initial = (
        {"email": invitation.email, "first_name": invitation.first_name, "last_name": invitation.last_name}
        if invitation
        else None
    )
    # Through an invitation the email is the invited one: following the link proves it is hers.
    form = SignupForm(request.POST or None, initial=initial, invited=invitation is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = patient_register(
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                phone=data["phone"],
                texts=data["texts"],
                language=_supported_language(translation.get_language()) or settings.LANGUAGE_CODE,
                invitation_id=invitation.pk if invitation else None,
            )
        except EmailTaken:
            form.add_error(
                "email", _("An account with this email already exists. Log in or reset your password.")
            )
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[-1])
            messages.success(request, _("Welcome! Your account is ready."))
            if not user.email_verified:
                messages.info(
                    request,
                    _(
                        "We have sent you an email with a link to confirm your address. You can fill in "
                        "the questionnaire now; your booked visits appear once the address is confirmed."
                    ),
                )
            return redirect("home")
    return render(request, "registration/signup.html", {"form": form, "invitation": invitation})


@require_http_methods(["GET", "POST"])
def email_verify_view(request, uidb64, token):
    """The link of the verification email. It works only for the account it was made for, logged
    in (a link opened by someone else, or for another account, confirms nothing); GET shows the
    button, the POST confirms."""
    user = request.user
    own = email_verification_user(uidb64) == user.pk
    if not own or not email_verification_token.check_token(user, token):
        if own and user.email_verified:
            messages.info(request, _("Your email is already confirmed."))
            return redirect("home")
        return render(request, "registration/verify_email_invalid.html", status=400)
    if request.method == "POST":
        email_verify(user)
        messages.success(request, _("Thank you: your email is confirmed."))
        return redirect("home")
    return render(request, "registration/verify_email_confirm.html", {"email": user.email})


@require_POST
def email_verification_send_view(request):
    """Send the verification link again (a few times an hour at most)."""
    if request.user.email_verified:
        messages.info(request, _("Your email is already confirmed."))
    elif email_verification_resend(request.user):
        messages.success(request, _("A new link is on its way to %(email)s.") % {"email": request.user.email})
    else:
        messages.warning(request, _("Several links have been sent in the last hour: please try again later."))
    return redirect("home")


@patient_required
@require_http_methods(["GET", "POST"])
def profile_view(request):
    patient = request.user.patient
    form = ProfileForm(request.POST or None, instance=request.user, patient=patient)
    if request.method == "POST" and form.is_valid():
        patient_update_profile(user=request.user, **form.cleaned_data)
        # The pages follow the language she chose here from the next one on, as with the switcher.
        translation.activate(request.user.language)
        messages.success(request, _("Your profile has been saved."))
        return _remember_language(redirect("patients:profile"), request.user.language)
    return _profile_page(request, form=form)


def _profile_page(request, *, form=None, email_form=None):
    """Her profile: the details form, the change of email, her consents."""
    context = {
        "form": form or ProfileForm(instance=request.user, patient=request.user.patient),
        "email_form": email_form or EmailChangeForm(request=request),
        "consents": request.user.patient.consents.all(),
        "text_consents": request.user.patient.text_consents.all(),
    }
    return render(request, "patients/profile.html", context)


@never_cache
@sensitive_post_parameters("password")
@patient_required
@require_POST
def email_change_view(request):
    """Ask for a new email (with her password): the link goes to it, a notice to the current one.
    On an error the profile is shown again with the message next to the field and the address kept."""
    form = EmailChangeForm(request.POST, request=request)
    valid = form.is_valid()
    if form.locked_out:
        logout(request)  # django-axes' middleware shows the lockout page
        return redirect("login")
    if valid:
        try:
            created = email_change_request(request.user, form.cleaned_data["email"])
        except EmailUnchanged:
            form.add_error("email", _("This is already the email you log in with."))
        except EmailTaken:
            form.add_error("email", form.taken_error())
        except EmailChangeLimited:
            form.add_error(
                "email", _("Several links have been sent in the last hour: please try again later.")
            )
        else:
            if created:
                messages.success(
                    request,
                    _(
                        "We have sent a link to %(email)s. Your email changes once you open it and "
                        "confirm; until then you keep logging in with %(current)s."
                    )
                    % {"email": form.cleaned_data["email"], "current": request.user.email},
                )
            else:
                messages.info(
                    request,
                    _(
                        "This change is already waiting for confirmation: use “Send the link again” if needed."
                    ),
                )
            return redirect("patients:profile")
    return _profile_page(request, email_form=form)


@patient_required
@require_POST
def email_change_cancel_view(request):
    if email_change_cancel(request.user):
        messages.success(request, _("The change of email is cancelled; its link no longer works."))
    return redirect("patients:profile")


@patient_required
@require_POST
def email_change_send_view(request):
    """Send the confirming link to the waiting address again (a few times an hour at most)."""
    if not request.user.pending_email:
        messages.info(request, _("No change of email is waiting for confirmation."))
    elif email_change_resend(request.user):
        messages.success(
            request, _("A new link is on its way to %(email)s.") % {"email": request.user.pending_email}
        )
    else:
        messages.warning(request, _("Several links have been sent in the last hour: please try again later."))
    return redirect("patients:profile")


@never_cache
@require_http_methods(["GET", "POST"])
def email_change_confirm_view(request, uidb64, token):
    """The link sent to the new address. As the verification link, it works only for the account it
    was made for, logged in; GET shows the button, the POST swaps the address, ends her other
    sessions and records the change in her account's trail."""
    user = request.user
    own = email_verification_user(uidb64) == user.pk
    if not own or not is_patient(user) or not email_change_token.check_token(user, token):
        return render(request, "patients/email_change_invalid.html", status=400)
    if request.method == "POST":
        try:
            email_change_confirm(user)
        except EmailTaken:
            messages.error(request, _("Another account uses this email now: your email has not changed."))
            return redirect("patients:profile")
        other_sessions_end(request)
        patient_self_event(Actor.from_request(request), AuditEvent.Action.EMAIL_CHANGE, user.patient)
        messages.success(request, _("Your email is now %(email)s: use it to log in.") % {"email": user.email})
        return redirect("patients:profile")
    return render(request, "patients/email_change_confirm.html", {"email": user.pending_email})


class LoginView(auth_views.LoginView):
    """Django's login; on a browser where she never chose a language, the pages then follow the
    language kept in her profile (a choice made on this browser, even before logging in, stays)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().language
        if settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES and language:
            _remember_language(response, language)
        return response


@login_not_required
@require_http_methods(["GET"])
def privacy_view(request):
    return render(request, "privacy.html", {"version": settings.PRIVACY_NOTICE_VERSION})


@login_not_required
@require_POST
def set_language_view(request):
    """Django's `set_language` (the cookie, the checked next URL), and for a signed-in user the
    choice kept in her profile, so that emails sent later are in it too."""
    response = set_language(request)
    language = _supported_language(request.POST.get("language"))
    if language and request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    return response


def _supported_language(code) -> str | None:
    """One of settings.LANGUAGES for a language code ("en-gb" → "en"), or None."""
    try:
        return translation.get_supported_language_variant(code) if code else None
    except LookupError:
        return None


def _remember_language(response, language: str):
    """Set the language cookie as Django's `set_language` does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
