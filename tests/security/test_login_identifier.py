"""One login identifier: every door counts look-alike spellings of an email as the same account."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.identity import login_key
from patients.models import User
from tests import factories

WRONG = "not-the-password-1"
EMAIL = "renée@example.com"
# Spellings of EMAIL that NFKC, case-folding and trimming turn back into it.
VARIANTS = [
    "ｒenée@example.com",  # fullwidth first letter
    "rene\u0301e@example.com",  # e + combining acute accent
    "  renée@example.com ",  # surrounding spaces
    "ReNÉe@Example.COM",  # mixed case
    "RENÉE@EXAMPLE.COM",
]
DOORS = {"login": "/accounts/login/", "admin": "/admin/login/"}


@pytest.mark.parametrize("value", VARIANTS)
def test_every_variant_has_the_stored_login_key(value):
    assert login_key(value) == EMAIL


def test_a_dotless_i_is_not_an_i():
    assert login_key("vıctim@example.com") != login_key("victim@example.com")


@pytest.fixture
def account(db):
    """A doctor, so that both the login page and the admin's login accept her."""
    return factories.make_doctor(email=EMAIL)


def _post(client, door, username, password):
    return client.post(DOORS[door], {"username": username, "password": password, "next": "/admin/"})


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("door", DOORS)
def test_failures_under_look_alike_spellings_count_against_one_account(account, door):
    attacker = Client(REMOTE_ADDR="203.0.113.30")
    for variant in VARIANTS:
        _post(attacker, door, variant, WRONG)
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {EMAIL}
    for spelling in [EMAIL, *VARIANTS]:
        response = _post(attacker, door, spelling, factories.PASSWORD)
        assert response.status_code == 429, spelling
        assert not _logged_in(attacker)


@pytest.mark.django_db
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_look_alike_spelling_with_the_right_password_logs_into_the_one_account(account, door, variant):
    client = Client(REMOTE_ADDR="198.51.100.30")
    response = _post(client, door, variant, factories.PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(account.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("door", DOORS)
def test_a_dotless_i_spelling_does_not_reach_the_account(door):
    factories.make_doctor(email="victim@example.com")
    client = Client(REMOTE_ADDR="198.51.100.31")
    response = _post(client, door, "vıctim@example.com", factories.PASSWORD)
    assert response.status_code == 200
    assert not _logged_in(client)


@pytest.mark.django_db
def test_sign_up_refuses_a_look_alike_of_a_registered_email(client, account):
    for variant in VARIANTS:
        response = client.post(
            "/accounts/signup/",
            {
                "email": variant.strip(),
                "first_name": "Ada",
                "last_name": "Neri",
                "date_of_birth": "1990-01-01",
                "password1": factories.PASSWORD,
                "password2": factories.PASSWORD,
                "consent": "on",
            },
        )
        assert response.status_code == 200, variant
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_the_login_key_follows_a_changed_email(account):
    account.email = "Nuova@Example.com"
    account.save(update_fields=["email"])
    account.refresh_from_db()
    assert account.login_key == "nuova@example.com"


PASSWORD_DOORS = {"account delete": "/accounts/delete/", "two-step off": "/accounts/2fa/disable/"}


@pytest.mark.django_db
@pytest.mark.parametrize("door", PASSWORD_DOORS)
def test_wrong_passwords_at_re_entry_are_limited_then_end_the_session(patient, door, settings):
    TOTPDevice.objects.create(user=patient.user, name="authenticator", confirmed=True)
    client = Client(REMOTE_ADDR="203.0.113.40")
    client.force_login(patient.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=patient.user).persistent_id
    session.save()
    url = PASSWORD_DOORS[door]
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"password": WRONG})
        assert response.status_code == 200, attempt
        assert _logged_in(client)
    response = client.post(url, {"password": WRONG})
    assert response.status_code == 429
    assert not _logged_in(client)
    # The lock also holds at the login page, for that account from that address.
    response = client.post(
        "/accounts/login/", {"username": patient.user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 429
    assert User.objects.filter(pk=patient.user.pk).exists()
