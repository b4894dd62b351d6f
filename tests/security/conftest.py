"""Builders shared by the security tests: second-factor devices and logged-in clients."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.auth import HAS_SECOND_FACTOR
from clinic.two_factor import PENDING_KEY


def make_totp_device(user, confirmed=True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=confirmed)


def make_recovery_codes(user, codes=("recover1", "recover2")) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def pending_device(client: Client, user) -> TOTPDevice:
    """The unsaved authenticator the set-up page shows, from the secret kept in the session."""
    return TOTPDevice(user=user, name="authenticator", key=client.session[PENDING_KEY], confirmed=False)


def totp_now(device: TOTPDevice) -> str:
    """The code the authenticator app shows right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def login_verified(client: Client, user, device=None) -> Client:
    """Log in and mark the session as having passed the second factor (a device is made if needed)."""
    device = device or make_totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[HAS_SECOND_FACTOR] = True
    session.save()
    return client


@pytest.fixture
def client():
    """Pages in English, so that assertions read the source strings whatever the translations say."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def otp_required(settings):
    """Production's rule: staff must pass a second factor."""
    settings.OTP_REQUIRED_FOR_STAFF = True
    return settings
