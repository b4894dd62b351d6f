"""The questionnaire in steps in a real browser: she can stop anywhere and come back to her answers.

Closing the browser, switching language or an expired session loses nothing; every step and
the review page are accessible, fit a 320-px screen and have answers large enough to tap.
"""

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import translation
from django.utils.translation import gettext

from clinic.auth import SEEN_AT
from patients.models import Submission
from patients.questionnaire_forms import REQUIRED_MESSAGE
from tests import factories
from triage import rules
from triage.questionnaire import SECTIONS

from .support import (
    DESKTOP,
    PHONE,
    QUESTIONNAIRE_URL,
    QUIET,
    REVIEW_URL,
    PageChecker,
    answer_steps,
    fill_answers,
    login,
    step_url,
    submit_questionnaire,
)

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["it", "en"]
SIZES = {"phone": PHONE, "desktop": DESKTOP}
NARROW = {"width": 320, "height": 640}

# Three steps' worth of answers, with the details two of them reveal.
THREE_STEPS = QUIET | {
    "menopause_status": "perimenopausal",
    "pregnancy_status": "possible",
    "shoulder_tip_pain": "no",
    "discharge_after_sex": "yes",
    "discharge_color": "clear_white",
    "bleeding_after_sex": "yes",
    "bleeding_episodes_3m": "2",
    "bleeding_first_noticed_weeks": "3",
    "bleeding_amount": "spotting",
    "bleeding_trend": "first_time",
    "clots": "no",
}


def step_heading(step: int, language: str) -> str:
    with translation.override(language):
        return gettext("Step %(step)s of %(count)s: %(section)s") % {
            "step": step,
            "count": len(SECTIONS),
            "section": str(SECTIONS[step - 1][0]),
        }


def assert_answers_shown(page, answers: dict):
    """Each answer of the step shown is on the page as given: radios checked, numbers and text filled
    (questions the branching hides for these answers are not asked)."""
    shown = 0
    for name, value in answers.items():
        field = page.locator(f"#questionnaire [name={name}]").first
        if field.count() == 0 or field.is_disabled():
            continue
        if field.get_attribute("type") == "radio":
            assert page.is_checked(f"#questionnaire input[name={name}][value={value}]"), name
        else:
            assert field.input_value() == str(value), name
        shown += 1
    assert shown, f"no answer of {sorted(answers)} on {page.url}"


def open_language_switcher(page):
    """On a phone the switcher sits in the collapsed menu."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#nav-main.show").wait_for()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_three_steps_then_closing_the_browser_loses_nothing(new_context, shot, language, size):
    """She fills three steps and closes the browser; at her next login she lands on step 4 with them kept."""
    patient = factories.make_patient()
    context = new_context(viewport=SIZES[size], language=language)
    page = context.new_page()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    answer_steps(page, THREE_STEPS, steps=3)
    assert page.url.endswith(step_url(4))
    page.close()
    context.close()  # the session cookie ends with the browser

    page = new_context(viewport=SIZES[size], language=language).new_page()
    login(page, patient.user.email)

    assert page.url.endswith(step_url(4))
    assert page.locator("h1").inner_text().strip() == step_heading(4, language)
    shot(page, "back-on-step-4")
    for step in (3, 2, 1):
        submit_questionnaire(page, "back")
        assert page.url.endswith(step_url(step))
        assert_answers_shown(page, THREE_STEPS)
    assert page.is_visible("input[name=shoulder_tip_pain]"), "revealed details stay open"
    draft = Submission.objects.get(patient=patient)
    assert draft.answers["bleeding_amount"] == "spotting"
    assert draft.answers["discharge_color"] == "clear_white"


@pytest.mark.parametrize(("language", "other", "size"), [("it", "en", "desktop"), ("en", "it", "phone")])
def test_switching_language_mid_form_keeps_the_answers(new_context, shot, language, other, size):
    patient = factories.make_patient()
    page = new_context(viewport=SIZES[size], language=language).new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    answer_steps(page, THREE_STEPS, steps=1)
    fill_answers(page, {"discharge_after_sex": "yes", "discharge_color": "clear_white"})  # not saved yet

    open_language_switcher(page)
    with page.expect_navigation():
        page.click(f"button[name=language][value={other}]")

    assert page.url.endswith(step_url(2))
    assert page.evaluate("document.documentElement.lang") == other
    assert page.locator("h1").inner_text().strip() == step_heading(2, other)
    assert_answers_shown(page, THREE_STEPS)
    assert dialogs == [], "the switch saves the step, so leaving it asks nothing"
    shot(page, "switched")
    submit_questionnaire(page, "back")
    assert_answers_shown(page, THREE_STEPS)
    assert Submission.objects.get(patient=patient).answers["discharge_color"] == "clear_white"


def expire_sessions(context):
    """As if she had left the page idle longer than the patients' idle timeout."""
    for cookie in context.cookies():
        if cookie["name"] == "sessionid":
            session = SessionStore(session_key=cookie["value"])
            session[SEEN_AT] = time.time() - 2 * 60 * 60
            session.save()


@pytest.mark.parametrize(("language", "javascript"), [("it", True), ("en", False)])
def test_an_expired_session_then_login_keeps_the_answers(new_context, shot, language, javascript):
    patient = factories.make_patient()
    context = new_context(language=language, javascript=javascript)
    page = context.new_page()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    answer_steps(page, THREE_STEPS, steps=1)
    fill_answers(page, {"discharge_after_sex": "yes", "discharge_color": "clear_white"})
    expire_sessions(context)

    submit_questionnaire(page)  # Next, after the session has expired
    assert "/accounts/login/" in page.url
    assert page.locator(".messages").is_visible(), "she is told why she must log in again"
    shot(page, "login-after-expiry")
    page.fill("input[name=username]", patient.user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit][name=login]")

    assert page.url.endswith(step_url(2))
    assert_answers_shown(page, THREE_STEPS)
    shot(page, "answers-kept")
    draft = Submission.objects.get(patient=patient)
    assert draft.answers["discharge_after_sex"] is True
    assert draft.answers["discharge_color"] == "clear_white"
    submit_questionnaire(page)
    assert page.url.endswith(step_url(3))


def test_leaving_a_step_with_unsaved_answers_asks_first(page):
    patient = factories.make_patient()
    login(page, patient.user.email)
    page.goto(step_url(1))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))

    page.check("input[name=menopause_status][value=unsure]")
    with page.expect_event("dialog"):
        page.locator("nav a[href='/questionnaire/']").click(no_wait_after=True)

    assert dialogs == ["beforeunload"]
    assert page.url.endswith(step_url(1)), "staying was chosen"
    assert page.is_checked("input[name=menopause_status][value=unsure]")

    submit_questionnaire(page, "save")
    with page.expect_navigation():
        page.locator("nav a[href='/questionnaire/']").click()
    assert dialogs == ["beforeunload"], "once saved, leaving asks nothing"
    assert Submission.objects.get(patient=patient).answers == {"menopause_status": "unsure"}


# Every yes/no question with the answers that show it (the others are always shown).
REVEALING = {
    "shoulder_tip_pain": {"pregnancy_status": "possible"},
    "clots": {"bleeding_after_sex": "yes"},
    "other_bleeding_clots": {"intermenstrual_bleeding": "yes"},
    "hrt_recent_change": {"hrt": "yes"},
}
YES_NO = [field.name for field in rules.FIELDS if field.kind == rules.BOOL]


@pytest.mark.parametrize(("language", "size"), [("it", "phone"), ("en", "desktop")])
def test_the_message_of_every_yes_no_question_is_visible_next_to_it(new_context, shot, language, size):
    patient = factories.make_patient()
    page = new_context(viewport=SIZES[size], language=language).new_page()
    login(page, patient.user.email)
    with translation.override(language):
        message = str(REQUIRED_MESSAGE)

    seen = set()
    for name in YES_NO:
        if name in seen:
            continue
        step = next(number for number, (_t, names) in enumerate(SECTIONS, start=1) if name in names)
        page.goto(step_url(step))
        filled = REVEALING.get(name, {})
        fill_answers(page, filled)
        submit_questionnaire(page)
        for other in YES_NO:
            group = page.locator(f"#div_id_{other}")
            if other in filled or group.count() == 0 or not group.is_visible():
                continue
            error = page.locator(f"#id_{other}_error")
            assert error.is_visible(), f"the message of {other} is hidden"
            assert message in error.inner_text()
            box, fieldset = error.bounding_box(), group.bounding_box()
            assert box["height"] > 0 and fieldset["y"] <= box["y"] <= fieldset["y"] + fieldset["height"]
            assert page.locator(f"#form-errors a[href='#id_{other}_0']").count() == 1
            seen.add(other)
        shot(page, f"step-{step}-{name}")
    assert seen == set(YES_NO)


# Answers (radio labels, number and text inputs) and the step's buttons smaller than 44 × 44 px.
SMALL_TARGETS = """() => [
  ...document.querySelectorAll("#questionnaire .form-check-label, #questionnaire input[type=number],"
    + " #questionnaire textarea, main .sticky-actions .btn, main .review-change")
].filter((el) => el.checkVisibility()).map((el) => {
  const box = el.getBoundingClientRect();
  return box.width < 44 || box.height < 44
    ? `${el.tagName.toLowerCase()}[${el.getAttribute("for") || el.name || el.textContent.trim()}]`
      + ` ${Math.round(box.width)}x${Math.round(box.height)}`
    : null;
}).filter(Boolean)"""

EVERY_DETAIL = QUIET | {
    "pregnancy_status": "possible",
    "shoulder_tip_pain": "no",
    "discharge_after_sex": "yes",
    "discharge_color": "clear_white",
    "bleeding_after_sex": "yes",
    "bleeding_episodes_3m": "1",
    "bleeding_first_noticed_weeks": "1",
    "bleeding_amount": "streaks",
    "bleeding_trend": "first_time",
    "clots": "no",
    "pelvic_pain_days": "2",
    "pelvic_pain_severity": "3",
    "intermenstrual_bleeding": "yes",
    "other_bleeding_amount": "spotting",
    "other_bleeding_clots": "no",
    "intermenstrual_weeks": "1",
    "hrt": "yes",
    "hrt_type": "continuous_combined",
    "hrt_recent_change": "no",
    "notes": "Una nota",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", [NARROW, PHONE, DESKTOP], ids=["320px", "phone", "desktop"])
def test_every_step_and_the_review_are_accessible_and_fit_the_screen(new_context, shot, language, viewport):
    """axe-clean, no sideways scroll (320 px included), 44-px answers: each step empty, with its
    messages and with every detail open, then the review."""
    patient = factories.make_patient()
    page = new_context(viewport=viewport, language=language).new_page()
    check = PageChecker(page, shot, suffix=f"{viewport['width']}px")
    small = []
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    for step in range(1, len(SECTIONS) + 1):
        assert page.url.endswith(step_url(step))
        check(f"step {step}")
        if step < len(SECTIONS):
            submit_questionnaire(page)
            assert page.locator("#form-errors").is_visible()
            check(f"step {step} with its messages")
        fill_answers(page, EVERY_DETAIL)
        check(f"step {step} answered")
        small += page.evaluate(SMALL_TARGETS)
        submit_questionnaire(page)
    assert page.url.endswith(REVIEW_URL)
    check("review")
    small += page.evaluate(SMALL_TARGETS)
    check.assert_clean()
    assert not small, f"targets smaller than 44 × 44 px: {small}"
