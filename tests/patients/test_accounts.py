import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from patients.forms import MAX_AGE, MIN_AGE, validate_date_of_birth
from patients.models import Consent, User
from tests.factories import PASSWORD
from tests.test_support import run_tasks

SIGNUP_URL = "/accounts/signup/"


def signup_data(**overrides):
    data = {
        "email": "new.patient@example.com",
        "first_name": "Lucia",
        "last_name": "Ferri",
        "date_of_birth": "1992-07-15",
        "phone": "+39 333 000 1111",
        "password1": "correct-Horse-battery-9",
        "password2": "correct-Horse-battery-9",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def years_before(day: date, years: int) -> date:
    """The same day of the year `years` earlier; a 29 February falls back to the 28th in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def at_noon(day: date):
    """A clock moved to midday in the clinic's time zone, so that `day` is today."""
    return time_machine.travel(datetime.combine(day, time(12), tzinfo=ZoneInfo("Europe/Rome")))


# A leap day, where a birthday fourteen years back is not on the calendar.
SIGNUP_DAY = date(2028, 2, 29)


@pytest.mark.django_db
def test_signup_creates_patient_with_consent_and_logs_in(client, settings):
    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(email="new.patient@example.com")
    assert user.patient.date_of_birth == date(1992, 7, 15)
    # Stored as E.164, whatever spacing she typed.
    assert user.patient.phone == "+393330001111"
    assert user.check_password("correct-Horse-battery-9")
    consent = Consent.objects.get(patient=user.patient)
    assert consent.notice_version == settings.PRIVACY_NOTICE_VERSION
    assert abs((timezone.now() - consent.given_at).total_seconds()) < 60
    assert client.get(reverse("home")).wsgi_request.user == user


@pytest.mark.django_db
def test_signup_form_uses_the_documented_field_names(client):
    html = client.get(SIGNUP_URL).content.decode()
    for name in (
        "email",
        "first_name",
        "last_name",
        "date_of_birth",
        "phone",
        "password1",
        "password2",
        "consent",
    ):
        assert f'name="{name}"' in html
    assert 'type="date"' in html
    assert reverse("privacy") in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param(
            {"date_of_birth": (SIGNUP_DAY + timedelta(days=1)).isoformat()}, "date_of_birth", id="future-dob"
        ),
        pytest.param(
            {"date_of_birth": (years_before(SIGNUP_DAY, 14) + timedelta(days=1)).isoformat()},
            "date_of_birth",
            id="under-14",
        ),
        pytest.param(
            {"date_of_birth": years_before(SIGNUP_DAY, 111).isoformat()}, "date_of_birth", id="over-110"
        ),
        pytest.param({"date_of_birth": "15/07/1992"}, "date_of_birth", id="malformed-dob"),
        pytest.param({"email": "not-an-email"}, "email", id="malformed-email"),
        pytest.param({"email": "PATIENT@Example.com"}, "email", id="registered-email-other-case"),
        pytest.param({"password2": "something-else-entirely-7"}, "password2", id="mismatched-passwords"),
        pytest.param({"password1": "12345678", "password2": "12345678"}, "password2", id="weak-password"),
        pytest.param({"consent": None}, "consent", id="missing-consent"),
        pytest.param({"first_name": ""}, "first_name", id="missing-first-name"),
        pytest.param({"phone": "call me maybe"}, "phone", id="bad-phone"),
    ],
)
@pytest.mark.django_db
def test_signup_rejects_bad_input_next_to_the_field_and_keeps_the_rest(client, patient, overrides, field):
    data = signup_data(**overrides)

    with at_noon(SIGNUP_DAY):
        response = client.post(SIGNUP_URL, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    for kept in ("first_name", "last_name"):
        if data.get(kept):
            assert f'value="{data[kept]}"' in html
    assert "correct-Horse-battery-9" not in html
    assert User.objects.count() == 1  # only the existing patient


# Month ends, leap days and the days around them, where a calendar year back is not the same date.
AWKWARD_DAYS = [
    date(2026, 11, 30),
    date(2026, 12, 31),
    date(2027, 1, 1),
    date(2027, 2, 28),
    date(2027, 3, 1),
    date(2028, 2, 28),
    date(2028, 2, 29),
    date(2028, 3, 1),
    date(2026, 3, 31),
]


@pytest.mark.parametrize("today", AWKWARD_DAYS, ids=str)
def test_date_of_birth_accepts_the_age_limits_and_refuses_a_day_beyond(today):
    youngest = years_before(today, MIN_AGE)
    oldest = years_before(today, MAX_AGE + 1) + timedelta(days=1)

    with at_noon(today):
        validate_date_of_birth(youngest)
        validate_date_of_birth(oldest)
        with pytest.raises(ValidationError) as too_young:
            validate_date_of_birth(youngest + timedelta(days=1))
        with pytest.raises(ValidationError) as too_old:
            validate_date_of_birth(oldest - timedelta(days=1))

    assert too_young.value.code == "too_young"
    assert too_old.value.code == "too_old"


@pytest.mark.django_db
def test_login_with_email_in_any_case_and_logout_by_post(client, patient):
    response = client.post(reverse("login"), {"username": "Patient@EXAMPLE.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(patient.user.pk)

    assert client.get(reverse("logout")).status_code == 405
    assert client.session.get("_auth_user_id") == str(patient.user.pk)

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_with_wrong_password_says_so(client, patient):
    response = client.post(reverse("login"), {"username": patient.user.email, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="patient@example.com"' in response.content.decode()


@pytest.mark.django_db
def test_password_reset_link_works_once(client, patient):
    client.post(reverse("password_reset"), {"email": "patient@example.com"})
    assert mail.outbox == []  # sent by the worker, not inside the request
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["patient@example.com"]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)

    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "brand-New-secret-77", "new_password2": "brand-New-secret-77"}
    )
    assert response.status_code == 302
    patient.user.refresh_from_db()
    assert patient.user.check_password("brand-New-secret-77")

    response = client.get(link, follow=True)
    assert response.context["validlink"] is False


@pytest.mark.django_db
def test_password_reset_for_unknown_email_looks_the_same(client, patient):
    known = client.post(reverse("password_reset"), {"email": "patient@example.com"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    run_tasks()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_password_change(patient_client, patient):
    response = patient_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-Good-phrase-5",
            "new_password2": "another-Good-phrase-5",
        },
    )
    assert response.status_code == 302
    patient.user.refresh_from_db()
    assert patient.user.check_password("another-Good-phrase-5")


@pytest.mark.django_db
def test_profile_edit_saves_and_rejects_bad_dates(patient_client, patient):
    url = reverse("patients:profile")
    response = patient_client.post(
        url, {"first_name": "Marta", "last_name": "Rossi", "date_of_birth": "1985-01-02", "phone": ""}
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    patient.user.refresh_from_db()
    assert patient.user.first_name == "Marta"
    assert patient.date_of_birth == date(1985, 1, 2)

    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = patient_client.post(url, {"first_name": "Mara", "last_name": "Rossi", "date_of_birth": future})
    assert response.status_code == 200
    assert "date_of_birth" in response.context["form"].errors
    assert 'value="Mara"' in response.content.decode()
    patient.refresh_from_db()
    assert patient.date_of_birth == date(1985, 1, 2)


@pytest.mark.parametrize(
    ("role", "home_target", "dashboard_status"),
    [(None, "/accounts/login/?next=/", 302), ("patient", None, 403), ("doctor", "/dashboard/", 200)],
)
@pytest.mark.django_db
def test_role_routing(client_as, role, home_target, dashboard_status):
    client = client_as(role)

    home = client.get("/")
    dashboard = client.get("/dashboard/")

    if home_target:
        assert home.status_code == 302
        assert home.url == home_target
    else:
        assert home.status_code == 200
        assert home.templates[0].name == "patients/home.html"
    assert dashboard.status_code == dashboard_status
    if role is None:
        assert dashboard.url.startswith("/accounts/login/")


@pytest.mark.django_db
def test_patient_pages_refuse_a_doctor(doctor_client):
    assert doctor_client.get(reverse("patients:profile")).status_code == 403


NAMES = ("--first-name", "Giulia", "--last-name", "Bianchi")


@pytest.mark.django_db
def test_create_doctor_noinput_reads_the_password_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("DJANGO_DOCTOR_PASSWORD", "Doctor-pass-phrase-1")
    call_command("create_doctor", "--email", "New.Doc@Example.com", *NAMES, "--noinput")

    user = User.objects.get(email="new.doc@example.com")
    assert user.is_staff
    assert not user.is_superuser
    assert user.is_doctor
    assert user.check_password("Doctor-pass-phrase-1")


@pytest.mark.django_db
def test_create_doctor_refuses_missing_password_and_duplicates(monkeypatch, doctor):
    monkeypatch.delenv("DJANGO_DOCTOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_DOCTOR_PASSWORD"):
        call_command("create_doctor", "--email", "x@example.com", *NAMES, "--noinput")
    monkeypatch.setenv("DJANGO_DOCTOR_PASSWORD", "Doctor-pass-phrase-1")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_doctor", "--email", "DOCTOR@example.com", *NAMES, "--noinput")


@pytest.mark.django_db
def test_create_doctor_prompts_for_the_password(monkeypatch):
    answers = iter(["Prompted-pass-phrase-2", "Prompted-pass-phrase-2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_doctor", "--email", "prompted@example.com", *NAMES)
    assert User.objects.get(email="prompted@example.com").check_password("Prompted-pass-phrase-2")


@pytest.mark.django_db
def test_email_is_unique_whatever_the_case():
    User.objects.create_user(email="Same@Example.com", password="x")
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError from either database
        User.objects.create_user(email="same@example.com", password="y")


@pytest.mark.django_db
def test_doctors_read_patient_data_on_the_worklist_only_not_in_the_admin(doctor):
    assert doctor.has_perm("triage.view_queue")
    for permission in (
        "triage.view_case",
        "triage.view_assessment",
        "patients.view_patient",
        "patients.view_submission",
        "triage.change_case",
        "patients.change_submission",
        "triage.view_auditevent",
    ):
        assert not doctor.has_perm(permission), permission


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("333 123 4567", "+393331234567"), ("+44 20 7946 0958", "+442079460958"), ("", "")],
)
@pytest.mark.django_db
def test_profile_stores_the_phone_as_e164_and_shows_it_as_she_would_write_it(
    patient_client, patient, typed, stored
):
    url = reverse("patients:profile")
    data = {"first_name": "Maria", "last_name": "Rossi", "date_of_birth": "1990-03-01", "phone": typed}

    assert patient_client.post(url, data).status_code == 302

    patient.refresh_from_db()
    assert patient.phone == stored
    if stored:
        assert f'value="{typed}"' in patient_client.get(url).content.decode()


@pytest.mark.django_db
def test_profile_refuses_a_phone_that_is_not_a_number_next_to_the_field(patient_client, patient):
    url = reverse("patients:profile")
    data = {"first_name": "Maria", "last_name": "Rossi", "date_of_birth": "1990-03-01", "phone": "333 12"}

    response = patient_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_phone_error"' in html
    assert "Enter a valid phone number" in html
    assert 'value="333 12"' in html
    patient.refresh_from_db()
    assert patient.phone == ""


@pytest.mark.django_db
def test_create_doctor_refuses_an_account_without_a_name(monkeypatch):
    """A patient's access log names whoever opened her record: a doctor always has a name."""
    monkeypatch.setenv("DJANGO_DOCTOR_PASSWORD", "a-Long-doctor-passphrase-7")
    with pytest.raises(CommandError, match="name"):
        call_command(
            "create_doctor",
            "--email",
            "nameless@example.com",
            "--first-name",
            " ",
            "--last-name",
            "X",
            "--noinput",
        )
    assert not User.objects.filter(email="nameless@example.com").exists()
