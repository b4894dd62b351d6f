"""The email verification link: signed, single use, expiring.

Built on Django's password-reset token machinery (`PasswordResetTokenGenerator`): the token is
an HMAC of the account's id, email and verification state with a timestamp, keyed with the secret
key (and its fallbacks), so nothing is stored, verifying changes the state and so uses the link up,
and a changed email makes every earlier link void.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode


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


def email_verification_user(uidb64: str) -> int | None:
    """The account id a link names, or None for a mangled one."""
    try:
        return int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
