"""Her home page on a 320 px phone, in both languages: the live alarm first, one dominant call button;
and the questionnaire's first question above the fold."""

import pytest

from clinic.models import DEMO_PROFILE, SINGLE_ROW_ID, ClinicProfile
from tests import factories
from triage.models import CaseLevel

from .support import QUESTIONNAIRE_URL, assert_no_sideways_scroll, login, step_url

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 320, "height": 568}
WORDS = {
    "en": {"alarm": "Get urgent care now", "call": "Call 112 now", "status": "Status:"},
    "it": {"alarm": "Si rechi subito", "call": "Chiami subito il 112", "status": "Stato:"},
}


def box(locator):
    return locator.bounding_box()


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_home_card_of_an_emergency_on_a_small_phone(new_context, shot, language):
    ClinicProfile.objects.update_or_create(
        id=SINGLE_ROW_ID, defaults={**DEMO_PROFILE, "phone": "+39 02 7654 3210"}
    )
    patient = factories.make_patient()
    factories.make_case(patient, level=CaseLevel.PRIORITY)
    factories.make_case(patient, level=CaseLevel.EMERGENCY)
    page = new_context(viewport=SMALL_PHONE, language=language).new_page()
    login(page, patient.user.email)
    page.goto("/")
    shot(page, f"home-{language}", full_page=False)
    shot(page, f"home-{language}-full")
    assert_no_sideways_scroll(page, "home")

    cards = page.locator("main .home-card")
    assert cards.count() == 2
    alarm = cards.first
    assert "home-card-alarm" in alarm.get_attribute("class")
    call = alarm.locator("a.call-emergency")
    assert call.get_attribute("href") == "tel:112"
    assert WORDS[language]["call"] in call.inner_text()
    clinic = alarm.locator("a.clinic-call")
    # The emergency button dominates: larger type, full width; the clinic's is smaller but still a target.
    font = "(element) => parseFloat(getComputedStyle(element).fontSize)"
    assert call.evaluate(font) > clinic.evaluate(font)
    assert box(call)["width"] >= box(clinic)["width"]
    assert box(clinic)["height"] >= 44
    # The call to 112 shows without scrolling.
    assert box(call)["y"] + box(call)["height"] <= SMALL_PHONE["height"]
    assert WORDS[language]["status"] in alarm.inner_text()
    assert page.locator("main .home-card .patient-status").count() == 2


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_first_question_shows_without_scrolling_on_a_small_phone(new_context, shot, language):
    patient = factories.make_patient()
    page = new_context(viewport=SMALL_PHONE, language=language).new_page()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    assert page.url.endswith(step_url(1))
    shot(page, f"step-1-{language}", full_page=False)
    first = page.locator("#questionnaire fieldset .mb-3, #questionnaire fieldset [id^=div_id_]").first
    label = first.locator("label, legend").first
    assert box(label)["y"] + box(label)["height"] <= SMALL_PHONE["height"]
    assert_no_sideways_scroll(page, "step 1")


def test_a_pain_score_is_chosen_with_a_tap_and_without_javascript(new_context, shot):
    patient = factories.make_patient()
    page = new_context(viewport=SMALL_PHONE, language="en", javascript=False).new_page()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    for step in range(1, 5):
        if page.locator("#questionnaire .scale-choices").count():
            break
        page.goto(step_url(step + 1))
    choices = page.locator("#questionnaire .scale-choices").first
    labels = choices.locator("label.form-check-label")
    assert labels.count() == 11
    assert all(box(labels.nth(n))["height"] >= 44 for n in range(11))
    target = box(labels.nth(7))
    page.mouse.click(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)
    name = choices.locator("input").first.get_attribute("name")
    assert page.locator(f"input[name={name}][value='7']").is_checked()
    shot(page, "scale-chosen", full_page=False)
    assert_no_sideways_scroll(page, "scale")
