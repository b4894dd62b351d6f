"""Two-factor login: staff must pass it before any case data whenever debug is off; patients may opt in."""

import os
import re
import subprocess
import sys
from base64 import b32encode
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from patients.models import User
from tests import factories
from triage.models import AuditEvent

from .conftest import login_verified, make_recovery_codes, make_totp_device, pending_device, totp_now

ROOT = Path(__file__).resolve().parents[2]
LOGIN_URL = "/accounts/login/"


def password_login(client, user):
    """Log in with the password on a browser that chose English (the pages stay in it)."""
    client.cookies["django_language"] = "en"
    response = client.post(LOGIN_URL, {"username": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response


def test_production_settings_require_the_second_factor_for_staff():
    """Imported as in production (secret set, debug off), the settings turn enforcement on."""
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_DEBUG": "",
        "DJANGO_OTP_REQUIRED": "",
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
    }
    code = "from django.conf import settings; print(settings.DEBUG, settings.OTP_REQUIRED_FOR_STAFF)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "True"]
    demo = {**env, "DJANGO_SECRET_KEY": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=demo, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "False"]


@pytest.mark.django_db
def test_staff_without_a_device_must_set_one_up_before_any_case_data(client, doctor, patient, otp_required):
    case = factories.make_case(patient, level=3)
    password_login(client, doctor)
    for url in ("/", "/dashboard/", f"/dashboard/cases/{case.pk}/", "/dashboard/export.csv", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/2fa/setup/"), url
    response = client.post(
        f"/dashboard/cases/{case.pk}/notes/", {"text": "should not be saved"}, follow=False
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/setup/"
    assert not case.events.exists()
    assert not AuditEvent.objects.exists(), "no case was opened"


@pytest.mark.django_db
def test_a_superuser_is_a_doctor_and_is_held_to_the_second_factor_too(client, otp_required):
    admin = User.objects.create_superuser(email="admin@example.com", password=factories.PASSWORD)
    password_login(client, admin)
    for url in ("/dashboard/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/2fa/setup/"), url


@pytest.mark.django_db
def test_staff_setup_shows_a_qr_code_then_ten_recovery_codes_once(client, doctor, otp_required):
    password_login(client, doctor)
    page = client.get("/accounts/2fa/setup/?next=/dashboard/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg width="' in html and 'class="totp-qr"' in html
    assert "style=" not in html.split('<div class="totp-qr-box')[1].split("</div>")[0]
    secret = re.search(r'<code class="totp-secret[^"]*">([A-Z2-7]+)</code>', html).group(1)
    assert len(secret) == 32
    assert not TOTPDevice.objects.filter(user=doctor).exists(), "opening the page writes no device"
    device = pending_device(client, doctor)
    assert b32encode(device.bin_key).decode().rstrip("=") == secret

    wrong = client.post("/accounts/2fa/setup/", {"password": factories.PASSWORD, "code": "000000"})
    assert wrong.status_code == 200
    assert "That code is not valid" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=doctor).exists()

    done = client.post("/accounts/2fa/setup/", {"password": factories.PASSWORD, "code": totp_now(device)})
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=doctor).values_list("token", flat=True))
    assert TOTPDevice.objects.get(user=doctor).confirmed
    assert client.get("/dashboard/").status_code == 200
    # Shown once: the manage page only counts them.
    manage = client.get("/accounts/2fa/").content.decode()
    assert not any(code in manage for code in codes)


@pytest.mark.django_db
def test_staff_with_a_device_must_enter_a_code_and_gets_a_new_session_id(
    client, doctor, patient, otp_required
):
    case = factories.make_case(patient, level=2)
    device = make_totp_device(doctor)
    password_login(client, doctor)
    response = client.get(f"/dashboard/cases/{case.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/2fa/verify/?next=%2Fdashboard%2Fcases%2F{case.pk}%2F"
    # A second device cannot be added from a session that has not passed the first.
    assert client.get("/accounts/2fa/setup/")["Location"] == "/accounts/2fa/verify/"
    assert TOTPDevice.objects.filter(user=doctor).count() == 1

    wrong = client.post("/accounts/2fa/verify/", {"code": "123456", "next": f"/dashboard/cases/{case.pk}/"})
    assert "That code is not valid" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    before = client.session.session_key
    ok = client.post(
        "/accounts/2fa/verify/", {"code": totp_now(device), "next": f"/dashboard/cases/{case.pk}/"}
    )
    assert ok.status_code == 302
    assert ok["Location"] == f"/dashboard/cases/{case.pk}/"
    assert client.session.session_key != before
    assert client.get(f"/dashboard/cases/{case.pk}/").status_code == 200


@pytest.mark.django_db
def test_verify_never_redirects_off_site(client, doctor, otp_required):
    device = make_totp_device(doctor)
    password_login(client, doctor)
    response = client.post(
        "/accounts/2fa/verify/", {"code": totp_now(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/start/"  # where every login lands


@pytest.mark.django_db
def test_a_recovery_code_works_once(client, doctor, otp_required):
    make_totp_device(doctor)
    make_recovery_codes(doctor, codes=("abcdefgh", "ijklmnop"))
    password_login(client, doctor)
    response = client.post("/accounts/2fa/verify/", {"code": "ABCD-EFGH", "next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"
    assert not StaticToken.objects.filter(token="abcdefgh").exists()

    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_login(other, doctor)
    again = other.post("/accounts/2fa/verify/", {"code": "abcdefgh"})
    assert again.status_code == 200
    assert other.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_repeated_wrong_codes_are_throttled(client, doctor, otp_required):
    device = make_totp_device(doctor)
    password_login(client, doctor)
    with time_machine.travel(timezone.now(), tick=False):  # the wait after a wrong code has not passed
        for _ in range(3):
            client.post("/accounts/2fa/verify/", {"code": "000000"})
        response = client.post("/accounts/2fa/verify/", {"code": totp_now(device)})
        assert response.status_code == 200
        assert "Too many wrong codes" in response.content.decode()
        assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_staff_cannot_turn_the_second_factor_off_when_it_is_required(client, doctor, otp_required):
    login_verified(client, doctor)
    assert client.get("/accounts/2fa/disable/")["Location"] == "/accounts/2fa/"
    client.post("/accounts/2fa/disable/", {"password": factories.PASSWORD})
    assert TOTPDevice.objects.filter(user=doctor).exists()


@pytest.mark.django_db
def test_with_debug_settings_the_demo_login_stays_one_step(client, doctor, settings):
    assert settings.OTP_REQUIRED_FOR_STAFF is False  # tests import the settings as the local demo does
    response = client.post(LOGIN_URL, {"username": doctor.email, "password": factories.PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_patient_may_turn_the_second_factor_on_and_then_login_asks_for_it(client, patient):
    password_login(client, patient.user)
    assert (
        "Turn on two-step login" in client.get("/accounts/2fa/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    client.get("/accounts/2fa/setup/")
    device = pending_device(client, patient.user)
    done = client.post("/accounts/2fa/setup/", {"password": factories.PASSWORD, "code": totp_now(device)})
    assert done.status_code == 200
    client.post("/accounts/logout/")

    password_login(client, patient.user)
    response = client.get("/questionnaire/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/")
    device = TOTPDevice.objects.get(user=patient.user)
    device.last_t = -1  # the same time step may be used again in this test
    device.save()
    client.post("/accounts/2fa/verify/", {"code": totp_now(device)})
    assert client.get("/questionnaire/").status_code == 200


@pytest.mark.django_db
def test_a_patient_may_turn_the_second_factor_off_with_her_password(client, patient):
    login_verified(client, patient.user)
    wrong = client.post("/accounts/2fa/disable/", {"password": "wrong-password"})
    assert wrong.status_code == 200
    assert TOTPDevice.objects.filter(user=patient.user).exists()
    client.post("/accounts/2fa/disable/", {"password": factories.PASSWORD})
    assert not TOTPDevice.objects.filter(user=patient.user).exists()
    client.post("/accounts/logout/")
    password_login(client, patient.user)
    assert client.get("/questionnaire/").status_code == 200


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(client, patient):
    login_verified(client, patient.user)
    make_recovery_codes(patient.user, codes=("oldcode1",))
    response = client.post("/accounts/2fa/recovery-codes/")
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == 10
    assert not StaticToken.objects.filter(token="oldcode1").exists()
