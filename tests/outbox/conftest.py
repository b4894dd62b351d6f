import pytest

from tests import factories

from .fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

MOBILE = "+393331234567"


@pytest.fixture
def twilio(settings):
    """The fake Twilio server, and the portal set to send through it."""
    fake = FakeTwilio().start()
    settings.SMS_BACKEND = "twilio"
    settings.SMS_TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.SMS_TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.SMS_TWILIO_API_URL = fake.url
    settings.SMS_TWILIO_MESSAGING_SERVICE_SID = ""
    settings.SMS_FROM_NUMBER = "+393330000000"
    # Long enough for a loaded test machine; the timeout tests shorten it.
    settings.SMS_TIMEOUT_SECONDS = 5
    yield fake
    fake.stop()


@pytest.fixture
def texting_patient(db):
    """A patient with a mobile number who opted in to texts at sign-up."""
    return factories.make_patient(email="texts@example.com", phone=MOBILE, texts=True)
