"""Every text message, in both languages: one GSM-7 message of at most 160 characters with the longest
realistic clinic name, phone and link, and nothing but the clinic, the news in general words, the
link and the phone (no name, no health data)."""

import re

import pytest
from django.utils import translation

import outbox.notices
import patients.texts
import triage.visits.texts
from clinic.models import SMS_SENDER_MAX_LENGTH, ClinicProfile
from clinic.phones import phone_display
from outbox.gsm7 import gsm7_length
from outbox.notices import Notice
from outbox.texts import KINDS
from patients.models import User
from patients.services import submission_record
from tests import factories
from tests.patients.test_questionnaire import days_ago

from .conftest import MOBILE

# The longest values a clinic can realistically configure: an 11-character sender name (the most a
# phone network shows), the longest Italian number in its national format, and a link base at the
# length the start-up check allows (outbox.checks).
LONGEST_SENDER = "Studio Ross"
LONGEST_PHONE = "+39 031 1234 5678"
LONGEST_BASE = "https://portale.studio-rossi.com"

# Words that would tell a reader of her phone something about her health or who she is.
HEALTH_WORDS = re.compile(
    r"bleed|sangu|discharge|perdit|pain|dolor|urgent|emergen|priorit|follow|routine|flag|level|livello|"
    r"gyn|ginec|pregnan|gravid|sex|rapport|symptom|sintom|doctor|dottor|medic|cancer|tumor|infe|result|risult",
    re.IGNORECASE,
)

ABOUT = {
    "patients.texts.submission_received_text": "We have received your questionnaire, thank you.",
    "triage.visits.texts.visit_invitation_text": "Please fill in the questionnaire before your visit:",
    "triage.visits.texts.visit_reminder_text": "Reminder: please fill in the questionnaire before your visit:",
    "outbox.notices.patient_notice_text/new_message": "You have a new message from the clinic.",
    "outbox.notices.patient_notice_text/retriage": (
        "There is an update about your questionnaire: please read it in the portal or phone the clinic."
    ),
}


@pytest.fixture
def longest_clinic(db, settings):
    settings.SMS_LINK_BASE_URL = LONGEST_BASE
    assert len(LONGEST_BASE) == settings.SMS_LINK_BASE_MAX_LENGTH
    assert len(LONGEST_SENDER) == SMS_SENDER_MAX_LENGTH
    assert len(phone_display(LONGEST_PHONE)) == 13
    ClinicProfile.objects.update_or_create(
        id=1,
        defaults={"name": "Studio ginecologico Dott.ssa Rossi", "phone": LONGEST_PHONE, "sms_sender": ""},
    )


def every_text(patient) -> dict[str, str]:
    """Each kind of text, built for `patient` as the worker builds it."""
    visit = factories.make_visit(patient)
    # The visit's texts first: once her questionnaire is in, they build to nothing.
    texts = {
        "triage.visits.texts.visit_invitation_text": triage.visits.texts.visit_invitation_text(
            patient=patient, visit_id=visit.pk
        ),
        "triage.visits.texts.visit_reminder_text": triage.visits.texts.visit_reminder_text(
            patient=patient, visit_id=visit.pk, days=1
        ),
    }
    submission = submission_record(
        patient=patient, answers={"soaks_pad_hourly": True}, submitted_at=days_ago(0)
    )
    texts["patients.texts.submission_received_text"] = patients.texts.submission_received_text(
        patient=patient, submission_id=submission.pk
    )
    for notice in Notice:
        texts[f"outbox.notices.patient_notice_text/{notice.value}"] = outbox.notices.patient_notice_text(
            patient=patient, notice=notice.value
        )
    return texts


def test_every_kind_of_text_is_covered_here():
    assert set(KINDS) == {name.split("/")[0] for name in ABOUT}


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_text_fits_one_gsm7_message_with_the_longest_clinic_details(longest_clinic, language):
    patient = factories.make_patient(phone=MOBILE, texts=True)
    User.objects.filter(pk=patient.user_id).update(language=language)
    patient.user.language = language
    # The clinic's name stands in when there is no sender name: cut to 11 characters.
    texts = every_text(patient)

    assert set(texts) == set(ABOUT)
    for name, text in texts.items():
        assert text is not None, name
        length = gsm7_length(text)
        assert length is not None, f"{name} is not GSM-7: {text!r}"
        assert length <= 160, f"{name} is {length} characters: {text!r}"
        assert text.startswith("Studio gine: "), text


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_text_holds_only_the_clinic_the_news_a_link_and_the_phone(longest_clinic, language):
    patient = factories.make_patient(
        phone=MOBILE, texts=True, first_name="Annunziata", last_name="Bellini", email="annunziata@example.com"
    )
    User.objects.filter(pk=patient.user_id).update(language=language)
    patient.user.language = language
    ClinicProfile.objects.filter(id=1).update(sms_sender=LONGEST_SENDER)

    for name, text in every_text(patient).items():
        with translation.override(language):
            about = translation.gettext(ABOUT[name])
        link = re.escape(LONGEST_BASE) + r"/(start/)?"
        assert re.fullmatch(rf"Studio Ross: {re.escape(about)} {link} Tel\. 031 1234 5678", text), text
        for personal in ("Annunziata", "Bellini", "annunziata@", "3331234567", "333 123 4567"):
            assert personal not in text
        assert not HEALTH_WORDS.search(about), about


def test_the_italian_re_triage_notice_is_the_rules_wording(longest_clinic):
    patient = factories.make_patient(phone=MOBILE, texts=True)
    User.objects.filter(pk=patient.user_id).update(language="it")
    patient.user.language = "it"
    text = outbox.notices.patient_notice_text(patient=patient, notice="retriage")
    assert "C'è un aggiornamento sul suo questionario: lo legga nel portale o chiami lo studio." in text


def test_a_phone_too_long_for_one_message_is_left_out_rather_than_the_text_split(longest_clinic):
    ClinicProfile.objects.filter(id=1).update(phone="+1 212 555 0123 ext. 12345", sms_sender=LONGEST_SENDER)
    patient = factories.make_patient(phone=MOBILE, texts=True)
    User.objects.filter(pk=patient.user_id).update(language="en")
    patient.user.language = "en"

    short = outbox.notices.patient_notice_text(patient=patient, notice="new_message")
    long = outbox.notices.patient_notice_text(patient=patient, notice="retriage")

    assert short.endswith("Tel. +1 212-555-0123 ext. 12345")
    assert long.endswith(f"{LONGEST_BASE}/")
    assert gsm7_length(long) <= 160


def test_start_up_refuses_a_link_base_too_long_for_texts(settings):
    from outbox.checks import text_settings_check

    settings.SMS_LINK_BASE_URL = LONGEST_BASE
    assert text_settings_check(None) == []
    settings.SMS_LINK_BASE_URL = LONGEST_BASE + "x"
    assert [error.id for error in text_settings_check(None)] == ["outbox.E001"]
    settings.SMS_BACKEND = "nowhere"
    assert [error.id for error in text_settings_check(None)] == ["outbox.E001", "outbox.E003"]
