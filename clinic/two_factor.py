"""Second factor: an authenticator app (TOTP) plus single-use recovery codes, on django-otp.

The views stay thin; everything that writes a device lives here.
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


# Where the secret of an authenticator being set up waits for its first code.
PENDING_KEY = "clinic.pending_totp_key"


def pending_totp_device(session, user) -> TOTPDevice:
    """The authenticator being set up, unsaved: its secret waits in the session, the same until confirmed.

    Opening the set-up page writes no device; `totp_confirm` saves one once a
    first code proves that the app holds the secret.
    """
    key = session.get(PENDING_KEY)
    if not isinstance(key, str) or len(key) != 40:
        key = random_hex(20)
        session[PENDING_KEY] = key
    return TOTPDevice(user=user, name=AUTHENTICATOR_NAME, key=key, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The secret in the base32 form authenticator apps accept when typed in."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_svg(device: TOTPDevice, title: str) -> str:
    """The device's otpauth URL as an inline SVG QR code (no inline style, so the CSP allows it)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=title, svgclass="totp-qr"
    )


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.OTP_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_confirm(session, user, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Save the pending authenticator once a first code matches; returns it and fresh recovery codes.

    Any earlier authenticator is removed, so one account has one.
    """
    pending = pending_totp_device(session, user)
    totp = TOTP(pending.bin_key, pending.step, pending.t0, pending.digits, pending.drift)
    token = normalize_code(code)
    if not token.isdigit() or not totp.verify(int(token), pending.tolerance):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    pending.confirmed = True
    pending.last_t = totp.t()  # the code just used cannot be used again
    pending.drift = totp.drift
    pending.save()
    session.pop(PENDING_KEY, None)
    return pending, _new_recovery_codes(user)


@transaction.atomic
def recovery_codes_renew(user) -> list[str]:
    return _new_recovery_codes(user)


@transaction.atomic
def second_factor_remove(user) -> None:
    for device in devices_for_user(user, confirmed=None):
        device.delete()


def normalize_code(code: str) -> str:
    """Codes as typed: spaces and dashes dropped, letters lower-cased like the stored recovery codes."""
    return "".join(ch for ch in (code or "") if ch not in " -\t").lower()


class Throttled(Exception):
    """Too many wrong codes in a row: the devices refuse to check more for a while."""


def second_factor_check(user, code: str):
    """The device that accepts `code` (authenticator first, then recovery codes), or None.

    A recovery code is used up when it is accepted.
    """
    code = normalize_code(code)
    if not code or len(code) > 16:
        return None
    devices = list(devices_for_user(user, confirmed=True))
    if devices and not any(device.verify_is_allowed()[0] for device in devices):
        raise Throttled
    kinds = (TOTPDevice, StaticDevice) if code.isdigit() else (StaticDevice,)
    for device in devices:
        if isinstance(device, kinds) and device.verify_is_allowed()[0]:
            verified = verify_token(user, device.persistent_id, code)
            if verified is not None:
                return verified
    return None


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
