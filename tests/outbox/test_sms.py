"""The providers: Twilio's Messages API against the local fake server, the log, the webhook signature."""

import base64
import hashlib
import hmac
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from outbox import sms
from outbox.sms import (
    InvalidNumber,
    InvalidSignature,
    NoCredit,
    RateLimited,
    RecipientOptedOut,
    SmsError,
    SmsTimeout,
    TwilioBackend,
    sms_backend,
    text_for_log,
)

from . import fake_twilio
from .conftest import MOBILE


def test_twilio_send_posts_the_documented_form_with_basic_auth_and_returns_the_sid(twilio):
    provider_id = TwilioBackend().send(MOBILE, "Studio: hello", "StudioRossi")

    assert provider_id.startswith("SM") and len(provider_id) == 34
    [request] = twilio.received
    assert request.path == f"/2010-04-01/Accounts/{fake_twilio.ACCOUNT_SID}/Messages.json"
    assert twilio.authorised(request.authorization)
    assert request.fields == {"To": MOBILE, "Body": "Studio: hello", "From": "StudioRossi"}


def test_without_a_sender_name_twilio_sends_from_the_messaging_service_or_the_number(twilio, settings):
    settings.SMS_TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    TwilioBackend().send(MOBILE, "x", "")
    settings.SMS_TWILIO_MESSAGING_SERVICE_SID = ""
    TwilioBackend().send(MOBILE, "x", "")

    assert twilio.received[0].fields["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in twilio.received[0].fields
    assert twilio.received[1].fields["From"] == "+393330000000"


@pytest.mark.parametrize(
    ("reply", "error", "permanent"),
    [
        pytest.param(fake_twilio.INVALID_NUMBER, InvalidNumber, True, id="invalid-number"),
        pytest.param(fake_twilio.NOT_A_MOBILE, InvalidNumber, True, id="not-a-mobile"),
        pytest.param(fake_twilio.OPTED_OUT, RecipientOptedOut, True, id="opted-out"),
        pytest.param(fake_twilio.NO_CREDIT, NoCredit, False, id="no-credit"),
        pytest.param(fake_twilio.RATE_LIMITED, RateLimited, False, id="rate-limited"),
        pytest.param(
            fake_twilio.error(500, 20500, "Internal Server Error"), SmsError, False, id="server-error"
        ),
    ],
)
def test_twilio_error_replies_become_typed_errors(twilio, reply, error, permanent):
    twilio.replies = [reply]
    with pytest.raises(error) as raised:
        TwilioBackend().send(MOBILE, "x", "StudioRossi")
    assert raised.value.permanent is permanent
    # Only the status and Twilio's code are kept, never its message (it may quote the number).
    assert str(raised.value) == f"Twilio {reply.status} code {reply.body['code']}"


def test_a_429_carries_the_providers_wait(twilio):
    twilio.replies = [fake_twilio.RATE_LIMITED, fake_twilio.error(429, 20429, "Too Many Requests")]
    with pytest.raises(RateLimited) as first:
        TwilioBackend().send(MOBILE, "x", "S")
    with pytest.raises(RateLimited) as second:
        TwilioBackend().send(MOBILE, "x", "S")
    assert first.value.retry_after == 900
    assert second.value.retry_after is None


def test_no_answer_within_the_timeout_is_a_timeout(twilio, settings):
    settings.SMS_TIMEOUT_SECONDS = 0.3
    twilio.replies = [fake_twilio.HANG]
    with pytest.raises(SmsTimeout):
        TwilioBackend().send(MOBILE, "x", "S")


def test_wrong_credentials_are_an_error_worth_retrying_once_fixed(twilio, settings):
    settings.SMS_TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(SmsError) as raised:
        TwilioBackend().send(MOBILE, "x", "S")
    assert type(raised.value) is SmsError
    assert "401 code 20003" in str(raised.value)


def test_a_closed_port_is_an_error_worth_retrying(twilio, settings):
    twilio.stop()
    with pytest.raises(SmsError) as raised:
        TwilioBackend().send(MOBILE, "x", "S")
    assert not raised.value.permanent


def test_twilio_without_credentials_is_refused(settings):
    settings.SMS_BACKEND = "twilio"
    settings.SMS_TWILIO_ACCOUNT_SID = ""
    with pytest.raises(ImproperlyConfigured):
        sms_backend()


def test_the_log_backend_masks_the_number_and_cuts_link_tokens(caplog, settings):
    settings.SMS_BACKEND = "log"
    text = (
        "Studio: please sign up https://portal.example.org/accounts/signup/invite/AbCdEf0123456789xyzSECRET/"
    )
    with caplog.at_level(logging.INFO, logger="outbox.sms"):
        provider_id = sms_backend().send(MOBILE, text, "StudioRossi")

    assert provider_id == "log-1"
    [line] = [record.getMessage() for record in caplog.records]
    assert "+39 *** *** 4567" in line
    assert "3331234567" not in line
    assert "AbCdEf…" in line and "SECRET" not in line
    assert "https://portal.example.org/accounts/signup/invite/" in line


def test_ordinary_links_are_logged_whole():
    assert text_for_log("S: x https://portal.example.org/start/ Tel. 06 1234 5678") == (
        "S: x https://portal.example.org/start/ Tel. 06 1234 5678"
    )


def twilio_signature(url, params, token=fake_twilio.AUTH_TOKEN):
    signed = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def test_twilio_inbound_checks_the_signature_and_reads_a_stop(twilio):
    url = "https://portal.example.org/texts/inbound/"
    params = {"From": MOBILE, "Body": "Stop", "MessageSid": "SM1", "OptOutType": "STOP"}
    inbound = TwilioBackend().inbound(url, params, {"X-Twilio-Signature": twilio_signature(url, params)})
    assert inbound.from_number == MOBILE and inbound.opt_out

    with pytest.raises(InvalidSignature):
        TwilioBackend().inbound(url, params, {"X-Twilio-Signature": twilio_signature(url, params, "other")})
    with pytest.raises(InvalidSignature):
        TwilioBackend().inbound(
            url, {**params, "From": "+393339999999"}, {"X-Twilio-Signature": twilio_signature(url, params)}
        )


@pytest.mark.parametrize(
    ("body", "opt_out"),
    [("STOP", True), (" basta ", True), ("Stop.", True), ("Grazie", False), ("stop please", False)],
)
def test_opt_out_keywords(body, opt_out):
    assert sms.is_opt_out(body) is opt_out
