"""Her consent to text messages in a real browser, on a 320 px phone and a desktop, in both languages:
a landline refused next to the phone field with what she typed kept, a mobile recorded with the time
(at sign-up and in her profile), and opting out in her profile."""

import pytest
from django.utils import formats, timezone, translation

from patients.models import Patient, TextConsent, User
from tests import factories

from .support import DESKTOP, PageChecker, login

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 320, "height": 568}
LANDLINE = "06 1234 5678"
MOBILE = "333 123 4567"
WORDS = {
    "en": {
        "landline": "This number cannot receive text messages (it is a landline).",
        "welcome": "Welcome! Your account is ready.",
        "saved": "Your profile has been saved.",
        "on": "On since {when}",
        "off": "Off since {when} (Profile)",
        "never": "Off: you have not asked for text messages.",
    },
    "it": {
        "landline": "Questo numero non può ricevere SMS (è un numero fisso).",
        "welcome": "Benvenuta! Il suo account è pronto.",
        "saved": "Il suo profilo è stato salvato.",
        "on": "Attivi dal {when}",
        "off": "Disattivati dal {when} (Profilo)",
        "never": "Disattivati: non ha chiesto di ricevere SMS.",
    },
}
VIEWPORTS = [pytest.param(SMALL_PHONE, id="phone-320"), pytest.param(DESKTOP, id="desktop")]
LANGUAGES = ["it", "en"]


def shown(moment, language) -> str:
    """A moment as her profile prints it, in her language."""
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def assert_refused_next_to_the_phone(page, language):
    """The landline's message sits in the phone field's own group, tied to the input."""
    error = page.locator("#id_phone_error")
    assert WORDS[language]["landline"] in error.inner_text()
    assert page.locator("#div_id_phone").locator("#id_phone_error").count() == 1
    assert "id_phone_error" in (page.get_attribute("#id_phone", "aria-describedby") or "")
    assert page.get_attribute("#id_phone", "aria-invalid") == "true"


def consents_text(page) -> str:
    return " ".join(page.locator("[data-testid=text-consents]").inner_text().split())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_at_sign_up_a_landline_is_refused_and_a_mobile_recorded_with_the_time(
    new_context, shot, language, viewport
):
    page = new_context(viewport=viewport, language=language).new_page()
    check = PageChecker(page, shot, suffix="phone" if viewport == SMALL_PHONE else "desktop")
    check.visit("/accounts/signup/")
    typed = {
        "email": "lucia.ferri@example.com",
        "first_name": "Lucia",
        "last_name": "Ferri",
        "date_of_birth": "1986-05-14",
        "phone": LANDLINE,
    }
    for name, value in typed.items():
        page.fill(f"input[name={name}]", value)
    page.fill("input[name=password1]", factories.PASSWORD)
    page.fill("input[name=password2]", factories.PASSWORD)
    page.check("input[name=texts]")
    page.check("input[name=consent]")
    with page.expect_navigation():
        page.click("form [type=submit][name=signup]")

    assert_refused_next_to_the_phone(page, language)
    # Everything she typed is still there (the portal never sends a password back).
    for name, value in typed.items():
        assert page.input_value(f"input[name={name}]") == value, name
    assert page.is_checked("input[name=texts]")
    assert page.is_checked("input[name=consent]")
    assert not User.objects.filter(email="lucia.ferri@example.com").exists()
    check("signup-landline-refused")

    page.fill("input[name=phone]", MOBILE)
    page.fill("input[name=password1]", factories.PASSWORD)
    page.fill("input[name=password2]", factories.PASSWORD)
    before = timezone.now()
    with page.expect_navigation():
        page.click("form [type=submit][name=signup]")
    after = timezone.now()

    assert WORDS[language]["welcome"] in page.locator(".messages").inner_text()
    patient = Patient.objects.get(user__email="lucia.ferri@example.com")
    assert patient.phone == "+393331234567"
    consent = patient.text_consents.get()
    assert consent.given_via == TextConsent.Via.SIGNUP and consent.withdrawn_at is None
    assert before <= consent.given_at <= after
    page.goto("/accounts/profile/")
    assert WORDS[language]["on"].format(when=shown(consent.given_at, language)) in consents_text(page)
    assert page.is_checked("#id_texts")
    check("profile-opted-in-at-sign-up")
    check.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_in_her_profile_she_opts_in_with_a_mobile_not_a_landline_and_opts_out(
    new_context, shot, language, viewport
):
    patient = factories.make_patient(email="anna@example.com", first_name="Anna", last_name="Verdi")
    # Her profile's language field keeps the pages in hers once saved.
    User.objects.filter(pk=patient.user_id).update(language=language)
    page = new_context(viewport=viewport, language=language).new_page()
    check = PageChecker(page, shot, suffix="phone" if viewport == SMALL_PHONE else "desktop")
    login(page, "anna@example.com")
    check.visit("/accounts/profile/")
    assert WORDS[language]["never"] in consents_text(page)

    page.fill("#id_first_name", "Annamaria")
    page.fill("#id_phone", LANDLINE)
    page.check("#id_texts")
    with page.expect_navigation():
        page.click("form [type=submit][name=save]")

    assert_refused_next_to_the_phone(page, language)
    assert page.input_value("#id_first_name") == "Annamaria"
    assert page.input_value("#id_phone") == LANDLINE
    assert page.is_checked("#id_texts")
    assert not patient.text_consents.exists()
    patient.user.refresh_from_db()
    assert patient.user.first_name == "Anna"
    check("profile-landline-refused")

    page.fill("#id_phone", MOBILE)
    before = timezone.now()
    with page.expect_navigation():
        page.click("form [type=submit][name=save]")
    after = timezone.now()

    assert WORDS[language]["saved"] in page.locator(".messages").inner_text()
    consent = patient.text_consents.get()
    assert consent.given_via == TextConsent.Via.PROFILE and before <= consent.given_at <= after
    assert WORDS[language]["on"].format(when=shown(consent.given_at, language)) in consents_text(page)
    assert page.is_checked("#id_texts")
    check("profile-opted-in")

    page.uncheck("#id_texts")
    before = timezone.now()
    with page.expect_navigation():
        page.click("form [type=submit][name=save]")
    after = timezone.now()

    consent.refresh_from_db()
    assert consent.withdrawn_via == TextConsent.Via.PROFILE and before <= consent.withdrawn_at <= after
    patient.refresh_from_db()
    assert not patient.accepts_texts()
    assert WORDS[language]["off"].format(when=shown(consent.withdrawn_at, language)) in consents_text(page)
    assert not page.is_checked("#id_texts")
    check("profile-opted-out")
    check.assert_clean()
