"""The text-message providers, behind one small interface.

A provider is an `SmsBackend`: `send(to, text, sender)` hands one text to it
and returns the provider's id for it, or raises one of the errors below,
which say what the outbox should do next (`outbox.texts`):

- `InvalidNumber`: the number cannot take texts; permanent, never retried.
- `RecipientOptedOut`: she answered STOP to the provider; permanent, and her
  consent is withdrawn.
- `NoCredit`: the account has no credit or is suspended; retried (an operator
  can top it up), and logged as an error.
- `RateLimited`: too many requests; retried after the provider's wait.
- `SmsTimeout`: no answer in `SMS_TIMEOUT_SECONDS`; retried.
- `SmsError`: anything else the provider or the network reports; retried.

`SMS_BACKEND` names the provider: "twilio" (Twilio's Messages API over
HTTPS), "log" (the default: the text is written to the log with the number
masked, like Django's console email backend), or a dotted path to a class.
A second provider is one more class here.

Inbound messages (her STOP) reach `SmsBackend.inbound()`, which checks the
provider's signature and says which number opted out.
"""

import base64
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass

import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from clinic.phones import phone_masked

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider did not take the text; worth another attempt."""

    permanent = False
    retry_after: int | None = None


class InvalidNumber(SmsError):
    """The number cannot receive texts (not a number, a landline, not reachable)."""

    permanent = True


class RecipientOptedOut(SmsError):
    """The provider blocks texts to this number: she sent STOP."""

    permanent = True


class NoCredit(SmsError):
    """The provider's account has no credit or is suspended."""


class RateLimited(SmsError):
    """Too many requests: try again after `retry_after` seconds (None: the usual wait)."""

    def __init__(self, message: str = "", retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class SmsTimeout(SmsError):
    """No answer in time; the text may or may not have been taken."""


class InvalidSignature(Exception):
    """An inbound request that the provider did not sign."""


@dataclass(frozen=True)
class Inbound:
    """What an inbound message means for the portal: who wrote, and whether it was an opt-out."""

    from_number: str
    opt_out: bool


# The keywords a provider treats as opting out, Twilio's defaults and the Italian words.
OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "BASTA", "ANNULLA"}
)


def is_opt_out(body: str) -> bool:
    return (body or "").strip().strip(".!").upper() in OPT_OUT_KEYWORDS


class SmsBackend:
    """One provider. Subclasses implement `send`, and `inbound` if it receives replies."""

    name = ""

    def send(self, to: str, text: str, sender: str) -> str:
        """Hand the text to the provider; returns its id for the message."""
        raise NotImplementedError

    def inbound(self, url: str, params: dict[str, str], headers) -> Inbound:
        """Read an inbound message posted to `url`; raises `InvalidSignature` unless the provider signed it."""
        raise InvalidSignature("this provider receives no messages")


# A path segment (not the host) this long is a secret, such as an invitation or reset token: logs
# show its first characters only.
_SECRET_SEGMENT = re.compile(r"(?<=[^/]/)([A-Za-z0-9_\-:.]{6})[A-Za-z0-9_\-:.]{10,}")


def text_for_log(text: str) -> str:
    """The text as a log may show it: any long token in a link cut to its first characters."""
    return _SECRET_SEGMENT.sub(r"\1…", text)


class LogBackend(SmsBackend):
    """No provider: the text is written to the log (INFO), its number masked and its link tokens cut."""

    name = "log"

    def __init__(self):
        self.sent = 0

    def send(self, to: str, text: str, sender: str) -> str:
        self.sent += 1
        logger.info("Text message from %s to %s: %s", sender or "-", phone_masked(to), text_for_log(text))
        return f"log-{self.sent}"


class TwilioBackend(SmsBackend):
    """Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource), over HTTPS.

    POST /2010-04-01/Accounts/{AccountSid}/Messages.json with basic
    authentication and the form fields To, Body and From (the clinic's sender
    name or number) or MessagingServiceSid. A 201 returns the message's `sid`;
    an error returns a JSON body with Twilio's error `code`.
    """

    name = "twilio"
    INVALID_NUMBER_CODES = frozenset({21211, 21214, 21217, 21401, 21407, 21408, 21612, 21614})
    OPTED_OUT_CODES = frozenset({21610})
    NO_CREDIT_CODES = frozenset({10001, 20005, 21606, 30002})
    RATE_LIMIT_CODES = frozenset({20429, 14107})

    def __init__(self, *, pool: urllib3.PoolManager | None = None):
        self.account_sid = settings.SMS_TWILIO_ACCOUNT_SID
        self.auth_token = settings.SMS_TWILIO_AUTH_TOKEN
        if not self.account_sid or not self.auth_token:
            raise ImproperlyConfigured(
                "DJANGO_SMS_BACKEND=twilio needs DJANGO_SMS_TWILIO_ACCOUNT_SID and DJANGO_SMS_TWILIO_AUTH_TOKEN."
            )
        self.url = f"{settings.SMS_TWILIO_API_URL}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        self.pool = pool or urllib3.PoolManager(retries=False)

    def _fields(self, to: str, text: str, sender: str) -> dict[str, str]:
        fields = {"To": to, "Body": text}
        if sender:
            fields["From"] = sender
        elif settings.SMS_TWILIO_MESSAGING_SERVICE_SID:
            fields["MessagingServiceSid"] = settings.SMS_TWILIO_MESSAGING_SERVICE_SID
        elif settings.SMS_FROM_NUMBER:
            fields["From"] = settings.SMS_FROM_NUMBER
        else:
            raise ImproperlyConfigured(
                "Text messages need a sender: the clinic profile's sender name, "
                "DJANGO_SMS_TWILIO_MESSAGING_SERVICE_SID or DJANGO_SMS_FROM_NUMBER."
            )
        return fields

    def send(self, to: str, text: str, sender: str) -> str:
        headers = urllib3.make_headers(basic_auth=f"{self.account_sid}:{self.auth_token}")
        headers["Accept"] = "application/json"
        try:
            response = self.pool.request_encode_body(
                "POST",
                self.url,
                fields=self._fields(to, text, sender),
                headers=headers,
                encode_multipart=False,
                timeout=urllib3.Timeout(total=settings.SMS_TIMEOUT_SECONDS),
                redirect=False,
            )
        except urllib3.exceptions.TimeoutError:
            raise SmsTimeout("no answer from Twilio") from None
        except urllib3.exceptions.HTTPError as exc:
            raise SmsError(f"Twilio unreachable: {type(exc).__name__}") from None
        return self._read(response)

    def _read(self, response) -> str:
        try:
            body = json.loads(response.data or b"{}")
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        status = response.status
        if status in (200, 201) and body.get("sid"):
            return str(body["sid"])
        code = body.get("code")
        # Only the status and Twilio's code are kept: its message may quote the number.
        detail = f"Twilio {status} code {code}"
        if status == 429 or code in self.RATE_LIMIT_CODES:
            raise RateLimited(detail, retry_after=_seconds(response.headers.get("Retry-After")))
        if code in self.OPTED_OUT_CODES:
            raise RecipientOptedOut(detail)
        if code in self.INVALID_NUMBER_CODES:
            raise InvalidNumber(detail)
        if code in self.NO_CREDIT_CODES or status == 402:
            raise NoCredit(detail)
        raise SmsError(detail)

    def inbound(self, url: str, params: dict[str, str], headers) -> Inbound:
        """Twilio's webhook for a message to the clinic's number, signed as its security docs say:
        base64(HMAC-SHA1(auth token, URL + every POST parameter's name and value, sorted by name)).
        With Advanced Opt-Out on, Twilio names a STOP in `OptOutType`."""
        signed = url + "".join(f"{key}{params[key]}" for key in sorted(params))
        digest = hmac.new(self.auth_token.encode(), signed.encode(), hashlib.sha1).digest()
        expected = base64.b64encode(digest).decode()
        if not hmac.compare_digest(expected, headers.get("X-Twilio-Signature", "")):
            raise InvalidSignature("bad Twilio signature")
        opt_out = params.get("OptOutType", "").upper() == "STOP" or is_opt_out(params.get("Body", ""))
        return Inbound(from_number=params.get("From", ""), opt_out=opt_out)


def _seconds(value) -> int | None:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return None


BACKENDS = {"log": LogBackend, "twilio": TwilioBackend}


def sms_backend() -> SmsBackend:
    """The provider `SMS_BACKEND` names, made afresh (settings may change in tests)."""
    name = settings.SMS_BACKEND
    backend_class = BACKENDS.get(name) or import_string(name)
    return backend_class()
