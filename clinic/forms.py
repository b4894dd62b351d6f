"""Small forms for the account's security pages."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _


class DangerSubmit(Submit):
    field_classes = "btn btn-danger"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        error_messages={
            "required": _("Enter the code."),
            "max_length": _("That is longer than any code (at most %(limit_value)d characters)."),
        },
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False  # the page adds the form tag and the `next` field
        self.helper.layout = Layout("code", Submit("verify", submit_label or _("Continue")))


def password_field():
    return forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password to confirm.")},
    )


class PasswordCheckMixin:
    """Checks `password` through `authenticate`, so that wrong ones count towards the login lockout
    (django-axes) like wrong logins; `locked_out` then tells the view to end the session."""

    @property
    def locked_out(self) -> bool:
        return bool(getattr(self.request, "axes_locked_out", False))

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = authenticate(self.request, username=self.user.get_username(), password=password)
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError(_("The password is not correct."), code="password_incorrect")
        return password


class PasswordConfirmForm(PasswordCheckMixin, forms.Form):
    """Asks for the current password again before an action that cannot be undone."""

    password = password_field()

    def __init__(self, *args, request, submit_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
        self.helper = FormHelper(self)
        self.helper.layout = Layout("password", DangerSubmit("confirm", submit_label))


class SetupForm(PasswordCheckMixin, CodeForm):
    """Turning two-step login on: the password again, and a first code from the app."""

    password = password_field()

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
        self.order_fields(["password", "code"])
        self.fields["code"].widget.attrs.pop("autofocus", None)
        self.helper.layout = Layout("password", "code", Submit("verify", kwargs.get("submit_label")))
