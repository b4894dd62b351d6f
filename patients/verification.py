"""The email verification link: signed, single use, expiring.

Built on Django's password-reset token machinery (`PasswordResetTokenGenerator`): the token is
an HMAC of the account's id, email and verification state with a timestamp, keyed with the secret
key (and its fallbacks), so nothing is stored, verifying changes the state and so uses the link up,
and a changed email makes every earlier link void.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode

from clinic.identity import login_key


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "patients.verification.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        verified = "" if user.email_verified_at is None else user.email_verified_at.replace(microsecond=0)
        return f"{user.pk}{user.login_key}{verified}{user.is_active}{timestamp}"

    def check_token(self, user, token):
        """As Django's check, with the verification's own lifetime (`EMAIL_VERIFICATION_TIMEOUT`)."""
        if not (user and token) or not isinstance(token, str):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - ts) <= settings.EMAIL_VERIFICATION_TIMEOUT


email_verification_token = EmailVerificationTokenGenerator()


class EmailChangeTokenGenerator(EmailVerificationTokenGenerator):
    """The link that confirms a new address, sent to that address: the same machinery and lifetime,
    its own salt, and the hash covers the address waiting for confirmation as well as the current
    one. A link made for an earlier pending address confirms nothing once she asked for another,
    and confirming (which replaces the address and clears the pending one) uses it up."""

    key_salt = "patients.verification.EmailChangeTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.login_key}{login_key(user.pending_email)}{user.is_active}{timestamp}"

    def check_token(self, user, token):
        return bool(user and user.pending_email) and super().check_token(user, token)


email_change_token = EmailChangeTokenGenerator()


def email_digest(email: str) -> str:
    """A keyed digest of an address (as logins compare it): lets a queued email say which address it
    was meant for without the outbox ever holding the address."""
    return salted_hmac("patients.verification.email_digest", login_key(email)).hexdigest()[:32]


def email_masked(email: str) -> str:
    """An address shown so that its owner recognises it and nobody else learns it:
    "carla.conti@example.com" is "c***@e***.com"."""
    local, _at, domain = (email or "").rpartition("@")
    name, dot, tld = domain.rpartition(".")
    if not (local and name and dot):
        return "***"
    return f"{local[0]}***@{name[0]}***.{tld}"


def email_verification_user(uidb64: str) -> int | None:
    """The account id a link names, or None for a mangled one."""
    try:
        return int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
