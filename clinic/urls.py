from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import two_factor_views
from patients import views as patient_views
from patients.forms import LimitedPasswordResetForm, LoginForm

urlpatterns = [
    path("", patient_views.home_view, name="home"),
    path("privacy/", patient_views.privacy_view, name="privacy"),
    path("accounts/signup/", patient_views.signup_view, name="signup"),
    # The invitation sent for a booked visit: the token is opaque (triage.visits.tokens).
    path("accounts/signup/invite/<str:token>/", patient_views.signup_view, name="signup_invited"),
    path("accounts/verify/send/", patient_views.email_verification_send_view, name="email_verification_send"),
    path("accounts/verify/<str:uidb64>/<str:token>/", patient_views.email_verify_view, name="email_verify"),
    path(
        "accounts/login/",
        patient_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=LimitedPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/2fa/", two_factor_views.two_factor_manage_view, name="two_factor_manage"),
    path("accounts/2fa/setup/", two_factor_views.two_factor_setup_view, name="two_factor_setup"),
    path("accounts/2fa/verify/", two_factor_views.two_factor_verify_view, name="two_factor_verify"),
    path(
        "accounts/2fa/recovery-codes/",
        two_factor_views.two_factor_recovery_codes_view,
        name="two_factor_recovery_codes",
    ),
    path("accounts/2fa/disable/", two_factor_views.two_factor_disable_view, name="two_factor_disable"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("patients.urls")),
    path("", include("triage.urls")),
    path("i18n/setlang/", patient_views.set_language_view, name="set_language"),
    path("", include("outbox.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "clinic.views.server_error"
