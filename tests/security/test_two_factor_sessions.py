"""Two-step login and the sessions already open: turning it on or off needs more than an old session."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories

from .conftest import pending_device, totp_now


@pytest.mark.django_db
def test_turning_two_step_login_off_needs_a_verified_session(patient):
    TOTPDevice.objects.create(user=patient.user, name="authenticator", confirmed=True)
    client = Client()
    client.force_login(patient.user)
    response = client.post("/accounts/2fa/disable/", {"password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/")
    assert TOTPDevice.objects.filter(user=patient.user).exists()


@pytest.mark.django_db
def test_turning_two_step_login_on_ends_the_accounts_other_sessions(patient, other_patient):
    older = Client()
    older.force_login(patient.user)
    assert older.get("/questionnaire/").status_code == 200
    someone_else = Client()
    someone_else.force_login(other_patient.user)
    enabling = Client()
    enabling.force_login(patient.user)
    enabling.get("/accounts/2fa/setup/")
    device = pending_device(enabling, patient.user)
    assert (
        enabling.post(
            "/accounts/2fa/setup/", {"password": factories.PASSWORD, "code": totp_now(device)}
        ).status_code
        == 200
    )

    response = older.get("/questionnaire/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert enabling.get("/questionnaire/").status_code == 200
    assert someone_else.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_opening_the_set_up_page_writes_no_device(patient):
    client = Client()
    client.force_login(patient.user)
    first = client.get("/accounts/2fa/setup/")
    again = client.get("/accounts/2fa/setup/")
    assert first.status_code == again.status_code == 200
    assert not TOTPDevice.objects.exists()
    # The same secret on every visit until it is confirmed, so a scanned code stays valid.
    secret = 'class="totp-secret user-select-all">'
    assert first.content.decode().split(secret)[1][:32] == again.content.decode().split(secret)[1][:32]


@pytest.mark.django_db
def test_turning_two_step_login_on_needs_the_password(patient):
    client = Client()
    client.force_login(patient.user)
    client.get("/accounts/2fa/setup/")
    device = pending_device(client, patient.user)
    for password in ("", "not-the-password-1"):
        response = client.post("/accounts/2fa/setup/", {"password": password, "code": totp_now(device)})
        assert response.status_code == 200
        assert 'name="password"' in response.content.decode()
    assert not TOTPDevice.objects.exists()
