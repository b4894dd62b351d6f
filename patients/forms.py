"""Account forms: sign-up, login and profile."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, PasswordResetForm
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clinic.auth import client_ip
from clinic.forms import PasswordCheckMixin, password_field
from clinic.identity import login_key
from clinic.phones import InvalidPhone, phone_can_receive_texts, phone_display, phone_normalise
from clinic.widgets import NO_BROWSER_VALIDATION, DateInput

from .emails import password_reset_email
from .models import User, normalize_email
from .services import password_reset_allowed

MIN_AGE = 14
MAX_AGE = 110


def validate_date_of_birth(value):
    today = timezone.localdate()
    if value > today:
        raise forms.ValidationError(_("The date of birth cannot be in the future."), code="future")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < MIN_AGE:
        raise forms.ValidationError(
            _("You must be at least %(min)d years old to register.") % {"min": MIN_AGE}, code="too_young"
        )
    if age > MAX_AGE:
        raise forms.ValidationError(
            _("Please check the date of birth: the age would be over %(max)d years.") % {"max": MAX_AGE},
            code="too_old",
        )


class PhoneField(forms.CharField):
    """A phone number typed in any usual way, cleaned to E.164 (`clinic.phones`); Italian by default."""

    default_error_messages = {
        "invalid": _("Enter a valid phone number, for example 333 123 4567 or +39 333 123 4567."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return phone_normalise(super().to_python(value))
        except InvalidPhone:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class ProfileFieldsMixin(forms.Form):
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=DateInput(attrs={"autocomplete": "bday"}),
        input_formats=["%Y-%m-%d"],
        validators=[validate_date_of_birth],
        error_messages={"invalid": _("Enter a valid date (year-month-day).")},
    )
    phone = PhoneField(label=_("Phone (optional)"), required=False)
    texts = forms.BooleanField(
        label=_("Send me text messages at this number (invitations, reminders, notices; never health data)"),
        help_text=_(
            "Separate from email. You can stop them in your profile at any time, or by replying STOP."
        ),
        required=False,
    )

    def clean(self):
        """Text messages need a number that can receive them: a mobile, not a landline."""
        cleaned = super().clean()
        if cleaned.get("texts") and "phone" in cleaned:
            phone = cleaned["phone"]
            if not phone:
                self.add_error("phone", _("Enter your mobile number to receive text messages."))
            elif not phone_can_receive_texts(phone):
                self.add_error(
                    "phone",
                    _(
                        "This number cannot receive text messages (it is a landline). "
                        "Enter a mobile number, or leave text messages off."
                    ),
                )
        return cleaned


class SignupForm(ProfileFieldsMixin, BaseUserCreationForm):
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Consent is needed so that the clinic can process your answers.")},
    )

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")

    field_order = [
        "email",
        "first_name",
        "last_name",
        "date_of_birth",
        "phone",
        "texts",
        "password1",
        "password2",
        "consent",
    ]

    def __init__(self, *args, invited=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})
        if invited:
            # The invited address, whatever is posted: the link proves this one only.
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("The address the clinic's invitation was sent to.")
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["consent"].label = _(
            "I consent to the processing of my health data by the clinic to prepare my visit, "
            "as described in the privacy notice (version %(version)s)."
        ) % {"version": settings.PRIVACY_NOTICE_VERSION}
        self.helper = FormHelper(self)
        self.helper.attrs = dict(NO_BROWSER_VALIDATION)
        self.helper.layout = Layout(
            Fieldset(_("About you"), "email", "first_name", "last_name", "date_of_birth", "phone", "texts"),
            Fieldset(_("Password"), "password1", "password2"),
            Fieldset(
                _("Consent"),
                HTML(
                    '<p><a href="{url}">{text}</a></p>'.format(
                        url=reverse_lazy("privacy"), text=_("Read the privacy notice")
                    )
                ),
                Field("consent"),
            ),
            Submit("signup", _("Create account")),
        )

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(login_key=login_key(email)).exists():
            raise forms.ValidationError(
                _("An account with this email already exists. Log in or reset your password."), code="unique"
            )
        return email


class LoginForm(AuthenticationForm):
    """Django's login form, labelled for email logins and laid out by crispy.

    Its wrong-password message does not warn about capitals as Django's does:
    the email is matched whatever its case (`clinic.identity.login_key`).
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email or the password is not correct. Check them and try again."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email")
        self.fields["username"].widget.attrs.update({"type": "email", "autocomplete": "email"})
        self.helper = FormHelper(self)
        self.helper.attrs = dict(NO_BROWSER_VALIDATION)
        self.helper.layout = Layout("username", "password", Submit("login", _("Log in")))


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's reset form: the account found by its login key, the request kept within the rate
    limit, and the email queued for the worker instead of sent in the request.

    The page looks the same whether or not the address has an account, or the limit was reached.
    """

    def get_users(self, email):
        # A patient's unverified address gets nothing: the account may not be its owner's.
        users = User._default_manager.filter(login_key=login_key(email), is_active=True).exclude(
            patient__isnull=False, email_verified_at__isnull=True
        )
        return (user for user in users if user.has_usable_password())

    def save(self, *args, request=None, **kwargs):
        if password_reset_allowed(email=self.cleaned_data["email"], ip_address=client_ip(request)):
            super().save(*args, request=request, **kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        password_reset_email.enqueue(user_id=context["user"].pk, language=get_language())


class ProfileForm(ProfileFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "language")
        labels = {"language": _("Language of the pages and of our emails")}

    visit_reminders = forms.BooleanField(
        label=_(
            "Remind me before a visit if I have not filled in the questionnaire yet "
            "(by email, and by text message if I asked for them)"
        ),
        required=False,
    )

    def __init__(self, *args, patient=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if patient is not None:
            initial.setdefault("date_of_birth", patient.date_of_birth)
            # The stored E.164 number shown as she would write it.
            initial.setdefault("phone", phone_display(patient.phone))
            initial.setdefault("visit_reminders", patient.visit_reminders)
            initial.setdefault("texts", patient.text_consents.filter(withdrawn_at__isnull=True).exists())
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
        # A form posted without it keeps the language she has.
        self.fields["language"].required = False
        self.helper = FormHelper(self)
        self.helper.attrs = dict(NO_BROWSER_VALIDATION)
        self.helper.layout = Layout(
            "first_name",
            "last_name",
            "date_of_birth",
            "phone",
            "texts",
            "language",
            "visit_reminders",
            Submit("save", _("Save changes")),
        )


class EmailChangeForm(PasswordCheckMixin, forms.Form):
    """A new address for her account, with her password again (whoever finds her session open
    cannot move the account to an inbox of theirs). Wrong passwords count towards the login lockout.

    Whether another account uses the address is said only once the password is right, in the words
    sign-up uses: it reveals nothing that sign-up does not already tell anyone.
    """

    email = forms.EmailField(
        label=_("New email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter the new email."),
            "invalid": _("Enter a valid email address, for example name@example.com."),
        },
    )
    password = password_field()

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
        self.helper = FormHelper(self)
        self.helper.attrs = dict(NO_BROWSER_VALIDATION)
        self.helper.form_action = reverse_lazy("patients:email_change")
        self.helper.layout = Layout("email", "password", Submit("change_email", _("Change email")))

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if login_key(email) == self.user.login_key:
            raise forms.ValidationError(_("This is already the email you log in with."), code="unchanged")
        return email

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        if email and "password" in cleaned and self.email_taken(email):
            self.add_error("email", self.taken_error())
        return cleaned

    def email_taken(self, email) -> bool:
        return User.objects.filter(login_key=login_key(email)).exclude(pk=self.user.pk).exists()

    @staticmethod
    def taken_error():
        return forms.ValidationError(
            _("Another account uses this email. Enter an address of yours that no account uses."),
            code="unique",
        )
