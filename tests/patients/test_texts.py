"""Her consent to text messages: opting in at sign-up or in her profile, a landline refused next to
the field, opting out in her profile or by a STOP reply (signed by the provider), both with the time;
her texts in her data export and gone with her account."""

import base64
import hashlib
import hmac
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboundText
from outbox.notices import Notice, notify_patient
from patients.gdpr import patient_data_export, patient_erase
from patients.models import Patient, TextConsent
from tests import factories
from tests.test_support import run_tasks

from .test_accounts import SIGNUP_URL, signup_data

MOBILE = "+393331234567"
LANDLINE = "06 1234 5678"
PROFILE = {"first_name": "Maria", "last_name": "Rossi", "date_of_birth": "1990-03-01", "language": "en"}


@pytest.fixture(autouse=True)
def _still_clock():
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.mark.django_db
def test_she_opts_in_to_texts_at_sign_up_separately_from_email(client):
    response = client.post(SIGNUP_URL, signup_data(phone="333 000 1111", texts="on"))

    assert response.status_code == 302
    patient = Patient.objects.get(user__email="new.patient@example.com")
    consent = patient.text_consents.get()
    assert (consent.given_at, consent.given_via, consent.withdrawn_at) == (timezone.now(), "signup", None)
    assert patient.accepts_texts()


@pytest.mark.django_db
def test_sign_up_without_ticking_texts_records_no_opt_in(client):
    client.post(SIGNUP_URL, signup_data())
    patient = Patient.objects.get(user__email="new.patient@example.com")
    assert not patient.text_consents.exists()
    assert not patient.accepts_texts()


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        pytest.param(LANDLINE, "This number cannot receive text messages (it is a landline).", id="landline"),
        pytest.param("", "Enter your mobile number to receive text messages.", id="no-number"),
    ],
)
@pytest.mark.django_db
def test_sign_up_refuses_texts_to_a_landline_next_to_the_phone_keeping_what_she_typed(client, phone, message):
    response = client.post(SIGNUP_URL, signup_data(phone=phone, texts="on"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_phone_error"' in html
    assert message in html
    assert 'value="Lucia"' in html
    assert f'value="{phone}"' in html or not phone
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_the_landline_message_is_in_italian_too(client):
    response = client.post(SIGNUP_URL, signup_data(phone=LANDLINE, texts="on"), HTTP_ACCEPT_LANGUAGE="it")
    assert "Questo numero non può ricevere SMS (è un numero fisso)." in response.content.decode()


@pytest.mark.django_db
def test_she_opts_in_and_out_in_her_profile_with_the_time_and_sees_the_state(patient_client, patient):
    url = reverse("patients:profile")
    html = patient_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Off: you have not asked for text messages." in html

    assert patient_client.post(url, {**PROFILE, "phone": "333 123 4567", "texts": "on"}).status_code == 302
    opted_in = timezone.now()
    consent = patient.text_consents.get()
    assert (consent.given_at, consent.given_via) == (opted_in, "profile")
    html = patient_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "On since" in html
    assert 'id="id_texts" checked' in html

    # Saving again changes nothing; unticking opts her out.
    patient_client.post(url, {**PROFILE, "phone": "333 123 4567", "texts": "on"})
    assert patient.text_consents.count() == 1
    with time_machine.travel(opted_in + timezone.timedelta(minutes=10), tick=False):
        assert patient_client.post(url, {**PROFILE, "phone": "333 123 4567"}).status_code == 302
        consent.refresh_from_db()
        assert (consent.withdrawn_at, consent.withdrawn_via) == (timezone.now(), "profile")
    patient.refresh_from_db()
    assert not patient.accepts_texts()
    html = patient_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Off since" in html and "(Profile)" in html


@pytest.mark.django_db
def test_her_profile_refuses_texts_to_a_landline_next_to_the_field(patient_client, patient):
    url = reverse("patients:profile")
    response = patient_client.post(
        url, {**PROFILE, "phone": LANDLINE, "texts": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_phone_error"' in html and "it is a landline" in html
    assert f'value="{LANDLINE}"' in html
    assert not patient.text_consents.exists()


@pytest.mark.django_db
def test_changing_to_a_landline_while_opted_in_is_refused(patient_client):
    patient = factories.make_patient(email="t@example.com", phone=MOBILE, texts=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(patient.user)
    response = client.post(reverse("patients:profile"), {**PROFILE, "phone": LANDLINE, "texts": "on"})
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.phone == MOBILE


# --- The provider's webhook ---

TOKEN = "test-auth-token-0123456789abcdef"
WEBHOOK = "/texts/inbound/"


@pytest.fixture
def twilio_settings(settings):
    settings.SMS_BACKEND = "twilio"
    settings.SMS_TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.SMS_TWILIO_AUTH_TOKEN = TOKEN
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    return settings


def signed(params, url="https://portal.example.org/texts/inbound/", token=TOKEN):
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


@pytest.mark.django_db
def test_a_signed_stop_reply_opts_her_out_with_the_time(twilio_settings):
    patient = factories.make_patient(phone=MOBILE, texts=True)
    other = factories.make_patient(email="other@example.com", phone="+393339999999", texts=True)
    params = {
        "From": MOBILE,
        "To": "+393330000000",
        "Body": "STOP",
        "OptOutType": "STOP",
        "MessageSid": "SM1",
    }

    response = Client().post(WEBHOOK, params, HTTP_X_TWILIO_SIGNATURE=signed(params))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    consent = patient.text_consents.get()
    assert (consent.withdrawn_at, consent.withdrawn_via) == (timezone.now(), TextConsent.Via.KEYWORD)
    assert other.accepts_texts()
    # Nothing more goes to her by text; the email still does.
    assert notify_patient(patient, Notice.NEW_MESSAGE, key="m1").text is False


@pytest.mark.django_db
def test_an_ordinary_reply_changes_nothing(twilio_settings):
    patient = factories.make_patient(phone=MOBILE, texts=True)
    params = {"From": MOBILE, "Body": "Grazie, a martedì"}
    assert Client().post(WEBHOOK, params, HTTP_X_TWILIO_SIGNATURE=signed(params)).status_code == 200
    assert patient.accepts_texts()


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(None, id="unsigned"),
        pytest.param("bm9wZQ==", id="wrong"),
        pytest.param(signed({"From": MOBILE, "Body": "STOP"}, token="another"), id="other-token"),
    ],
)
@pytest.mark.django_db
def test_an_unsigned_or_forged_stop_is_refused(twilio_settings, signature):
    patient = factories.make_patient(phone=MOBILE, texts=True)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    response = Client().post(WEBHOOK, {"From": MOBILE, "Body": "STOP"}, **headers)
    assert response.status_code == 403
    assert patient.accepts_texts()


@pytest.mark.django_db
def test_without_a_provider_the_webhook_accepts_nothing(settings):
    settings.SMS_BACKEND = "log"
    assert Client().post(WEBHOOK, {"From": MOBILE, "Body": "STOP"}).status_code == 403
    assert Client().get(WEBHOOK).status_code == 405


# --- Her data ---


@pytest.mark.django_db
def test_her_export_lists_her_text_consents_and_the_texts_sent(sms_outbox):
    patient = factories.make_patient(phone=MOBILE, texts=True)
    notify_patient(patient, Notice.NEW_MESSAGE, key="m1")
    run_tasks()

    data = json.loads(json.dumps(patient_data_export(patient)))

    assert data["text_message_consents"] == [
        {
            "given_at": timezone.now().isoformat(),
            "given_via": "signup",
            "withdrawn_at": None,
            "withdrawn_via": "",
        }
    ]
    [sent] = data["text_messages"]
    assert sent["to"] == MOBILE and sent["text"] == sms_outbox[0][1]


@pytest.mark.django_db
def test_erasure_removes_her_number_her_texts_and_her_consents(sms_outbox):
    patient = factories.make_patient(phone=MOBILE, texts=True)
    notify_patient(patient, Notice.NEW_MESSAGE, key="m1")
    run_tasks()
    assert OutboundText.objects.filter(phone=MOBILE).exists()

    patient_erase(patient)

    assert not OutboundText.objects.exists()
    assert not TextConsent.objects.exists()
    assert not Patient.objects.filter(phone=MOBILE).exists()


@pytest.mark.django_db
def test_closing_her_account_opts_her_out_and_stops_queued_texts(sms_outbox):
    from django.test import RequestFactory

    from patients.gdpr import patient_account_close

    patient = factories.make_patient(phone=MOBILE, texts=True)
    factories.record(patient, {})  # a clinical record: her account is closed, not erased
    notify_patient(patient, Notice.NEW_MESSAGE, key="m1")
    request = RequestFactory().post("/accounts/delete/")
    request.user = patient.user

    assert patient_account_close(patient, request) == "closed"
    run_tasks()

    assert sms_outbox == []
    assert OutboundText.objects.get().status == "cancelled"
    consent = patient.text_consents.get()
    assert (consent.withdrawn_at, consent.withdrawn_via) == (timezone.now(), "account_closed")


@pytest.mark.django_db
def test_sending_the_questionnaire_texts_her_the_confirmation_without_health_data(sms_outbox):
    from .test_questionnaire import QUIET, form_key, post

    patient = factories.make_patient(phone=MOBILE, texts=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(patient.user)
    key = form_key(client)
    response = post(client, "submit", key, **{**QUIET, "soaks_pad_hourly": "yes"})
    assert response.status_code == 302
    # Posting the same form again makes no second text.
    post(client, "submit", key, **{**QUIET, "soaks_pad_hourly": "yes"})
    run_tasks()

    [(to, text, _sender)] = sms_outbox
    assert to == MOBILE
    assert "We have received your questionnaire, thank you." in text or "Abbiamo ricevuto" in text
    for word in ("urgent", "emergen", "bleed", "pad", "Maria", "Rossi", "112"):
        assert word.lower() not in text.lower()
