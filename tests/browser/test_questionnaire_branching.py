"""Branching in the browser: what the page shows is what the server's rules expect, with or without JavaScript."""

import pytest

from patients.models import Submission
from tests import factories
from triage import rules
from triage.models import CaseLevel
from triage.questionnaire import SECTIONS

from .support import (
    QUESTIONNAIRE_URL,
    QUIET,
    answer_steps,
    fill_answers,
    login,
    normalized,
    send_questionnaire,
    step_url,
    submit_questionnaire,
    typed,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Answers to detail questions, each hidden again by the last answer its branching test gives.
DETAILS = {
    "pregnancy_weeks": "20",
    "other_bleeding_amount": "heavy",
    "other_bleeding_clots": "yes",
    "intermenstrual_weeks": "14",
    "hrt_type": "sequential",
    "hrt_recent_change": "yes",
    "bleeding_episodes_3m": "4",
    "bleeding_first_noticed_weeks": "10",
    "bleeding_amount": "heavy",
    "bleeding_trend": "more",
    "clots": "yes",
    "discharge_color": "yellow_green",
    "pelvic_pain_severity": "9",
    "shoulder_tip_pain": "yes",
}
BLEEDING_DETAILS = rules.SHOWN_WHEN["clots"].details

# Names of the questions a person can answer right now: shown and enabled.
ANSWERABLE = """() => [...new Set(
  [...document.querySelectorAll("#questionnaire input, #questionnaire textarea, #questionnaire select")]
    .filter((el) => el.type !== "hidden" && !el.disabled && el.checkVisibility())
    .map((el) => el.name)
)]"""


# Each step, its revealing questions and answers to try in turn (the last one hides the details).
BRANCHINGS = [
    (
        1,
        [
            ("pregnancy_status", ["possible", "confirmed", "not_pregnant"]),
            # RULES.md 3.2: a late period without a test, or with a positive one, shows shoulder-tip pain.
            ("period_late", ["late_no_test", "late_test_negative", "late_test_positive", "no"]),
            # After the menopause neither the late period nor contraception is asked.
            ("menopause_status", ["postmenopausal", "premenopausal"]),
        ],
    ),
    (2, [("discharge_after_sex", ["yes", "no"])]),
    (3, [("bleeding_after_sex", ["yes", "no"])]),
    (4, [("pelvic_pain_days", ["2", "1", "0"]), ("intermenstrual_bleeding", ["yes", "no"])]),
    (5, [("hrt", ["yes", "no"])]),
]


def typed_answer(question, value):
    return typed({question: value})[question]


def test_details_appear_only_while_their_question_reveals_them(page, shot):
    """On each step, the page shows exactly RULES.md's visible questions of that step."""
    patient = factories.make_patient()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    for step, branchings in BRANCHINGS:
        assert page.url.endswith(step_url(step))
        names = set(SECTIONS[step - 1][1])
        assert set(page.evaluate(ANSWERABLE)) == rules.visible_fields({}) & names, step
        assert not page.locator(".no-js-hint").first.is_visible()
        fill_answers(page, QUIET)
        answered = typed(QUIET)
        quiet_visible = rules.visible_fields(answered) & names
        assert set(page.evaluate(ANSWERABLE)) == quiet_visible, step
        for question, values in branchings:
            for value in values:
                fill_answers(page, {question: value})
                answered[question] = typed_answer(question, value)
                expected = rules.visible_fields(answered) & names
                assert set(page.evaluate(ANSWERABLE)) == expected, (question, value)
                if expected - quiet_visible:
                    fill_answers(page, DETAILS)
                    shot(page, f"step-{step}-{question}-{value}")
        submit_questionnaire(page)

    # Details typed in, then hidden again by the last answer, are not sent.
    answer_steps(page, QUIET)
    send_questionnaire(page)
    submission = Submission.objects.get(patient=patient)
    assert submission.status == Submission.Status.SUBMITTED
    assert not set(submission.answers) & set(DETAILS)
    assert submission.case.level == CaseLevel.ROUTINE


def test_questionnaire_works_without_javascript(new_context, shot):
    """Every question of a step is on the page; the server keeps only the ones its rules show and asks
    for the missing ones, step by step, and at Send."""
    patient = factories.make_patient()
    page = new_context(javascript=False).new_page()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    for step in (1, 2):
        assert set(page.evaluate(ANSWERABLE)) == set(SECTIONS[step - 1][1])
        assert page.locator(".no-js-hint").first.is_visible()
        answer_steps(page, QUIET | {"discharge_after_sex": "no"}, steps=1)
    assert page.url.endswith(step_url(3))
    assert set(page.evaluate(ANSWERABLE)) == set(SECTIONS[2][1])
    shot(page, "bleeding-step")

    # Bleeding "yes" with its details left empty: the server asks for exactly the questions it shows.
    fill_answers(page, QUIET | {"bleeding_after_sex": "yes"})
    submit_questionnaire(page)
    invalid = set(page.eval_on_selector_all("[aria-invalid=true]", "els => els.map((el) => el.name)"))
    assert invalid == set(BLEEDING_DETAILS)
    assert page.is_checked("input[name=bleeding_after_sex][value=yes]"), "answers are kept"
    shot(page, "details-missing")

    # Bleeding "no" with details filled in anyway: they are dropped and do not raise the level.
    fill_answers(page, QUIET | DETAILS | {"bleeding_after_sex": "no"})
    submit_questionnaire(page)
    assert page.url.endswith(step_url(4))
    answer_steps(page, QUIET | DETAILS)
    send_questionnaire(page)
    submission = Submission.objects.get(patient=patient)
    assert submission.status == Submission.Status.SUBMITTED
    assert page.url.endswith(f"/questionnaire/{submission.pk}/")
    assert not set(submission.answers) & set(DETAILS)
    assert submission.case.level == CaseLevel.ROUTINE
    advice = normalized(page.locator("main section.alert").inner_text())
    assert normalized(rules.ADVICE[rules.Level.ROUTINE]["it"]) in advice
    shot(page, "result")


def test_possible_pregnancy_with_a_streak_of_blood_gets_the_urgent_advice_first(page, shot):
    """Rule set 2: bleeding in a possible pregnancy is assessed the same day, and the page says so first."""
    patient = factories.make_patient()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    answer_steps(
        page,
        QUIET
        | {
            "pregnancy_status": "possible",
            "shoulder_tip_pain": "no",
            "bleeding_after_sex": "yes",
            "bleeding_episodes_3m": "1",
            "bleeding_first_noticed_weeks": "0",
            "bleeding_amount": "streaks",
            "bleeding_trend": "first_time",
            "clots": "no",
        },
    )
    send_questionnaire(page)

    submission = Submission.objects.get(patient=patient)
    assert submission.case.level == CaseLevel.URGENT
    first = page.locator("main > *").first
    assert first.get_attribute("role") == "alert"
    assert normalized(rules.ADVICE[rules.Level.URGENT]["it"]) in normalized(first.inner_text())
    assert page.locator("main a[href='tel:112']").first.is_visible()
    shot(page, "urgent-advice")


NARROW = {"width": 320, "height": 640}


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_new_questions_work_on_a_320_px_phone_in_her_language(new_context, shot, language):
    """RULES.md 3.3 on a 320-px screen: each new question in her words, shown by its branching, a bad
    number explained next to it with her answers kept, listed on the review page, and assessed."""
    from django.utils import translation
    from django.utils.translation import gettext

    from triage.questionnaire import HELP_TEXTS, QUESTION_LABELS

    from .support import REVIEW_URL, assert_no_sideways_scroll

    with translation.override(language):
        label = {name: str(text) for name, text in QUESTION_LABELS.items()}
        help_text = {name: str(text) for name, text in HELP_TEXTS.items()}
        too_many_weeks = gettext("Enter a number up to %(limit_value)s.") % {"limit_value": 45}
    patient = factories.make_patient()
    page = new_context(viewport=NARROW, language=language).new_page()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)

    def shown(name):
        return page.locator(f"#div_id_{name}").is_visible()

    # Not pregnant and periods not stopped: the late period and contraception are asked.
    fill_answers(page, QUIET)
    assert shown("period_late") and shown("contraception")
    assert not shown("pregnancy_weeks") and not shown("shoulder_tip_pain")
    assert label["period_late"] in normalized(page.locator("#div_id_period_late").inner_text())
    assert help_text["period_late"] in normalized(page.locator("#div_id_period_late").inner_text())
    fill_answers(page, {"period_late": "late_no_test"})
    assert shown("shoulder_tip_pain"), "a late period without a test is a possible pregnancy"
    assert_no_sideways_scroll(page, "step 1 with a late period")
    shot(page, "late-period")

    # A confirmed pregnancy: weeks are asked, the late period and contraception are not.
    fill_answers(page, {"pregnancy_status": "confirmed"})
    assert shown("pregnancy_weeks") and shown("shoulder_tip_pain")
    assert not shown("period_late") and not shown("contraception")
    fill_answers(page, {"pregnancy_weeks": "46", "shoulder_tip_pain": "no"})
    submit_questionnaire(page)
    error = page.locator("#id_pregnancy_weeks_error")
    assert error.is_visible() and too_many_weeks in error.inner_text()
    group, box = page.locator("#div_id_pregnancy_weeks").bounding_box(), error.bounding_box()
    assert group["y"] <= box["y"] <= group["y"] + group["height"], "the message is next to the question"
    assert page.input_value("#questionnaire input[name=pregnancy_weeks]") == "46"
    assert page.is_checked("#questionnaire input[name=pregnancy_status][value=confirmed]")
    assert_no_sideways_scroll(page, "step 1 with an error")
    shot(page, "weeks-out-of-range")
    fill_answers(page, {"pregnancy_weeks": "24"})
    submit_questionnaire(page)

    answer_steps(page, QUIET, steps=2)
    # Bleeding between periods shows its three details.
    fill_answers(page, QUIET | {"intermenstrual_bleeding": "yes"})
    for name in ("other_bleeding_amount", "other_bleeding_clots", "intermenstrual_weeks"):
        assert shown(name), name
    assert page.locator("#questionnaire input[name=other_bleeding_amount][value=none]").count() == 0
    fill_answers(
        page, {"other_bleeding_amount": "light", "other_bleeding_clots": "no", "intermenstrual_weeks": "0"}
    )
    assert_no_sideways_scroll(page, "step 4 with bleeding between periods")
    shot(page, "bleeding-between-periods")
    submit_questionnaire(page)
    # HRT shows its two details.
    fill_answers(page, QUIET | {"hrt": "yes"})
    assert shown("hrt_type") and shown("hrt_recent_change")
    fill_answers(page, {"hrt": "no"})
    answer_steps(page, QUIET)

    assert page.url.endswith(REVIEW_URL)
    review = normalized(page.locator("main").inner_text())
    for name in ("pregnancy_weeks", "other_bleeding_amount", "intermenstrual_weeks"):
        assert label[name] in review, name
    assert label["period_late"] not in review and label["contraception"] not in review
    assert_no_sideways_scroll(page, "review")
    send_questionnaire(page)

    submission = Submission.objects.get(patient=patient)
    assert submission.answers["pregnancy_weeks"] == 24
    assert "period_late" not in submission.answers and "contraception" not in submission.answers
    assert submission.case.level == CaseLevel.EMERGENCY
    assert "LATER_PREGNANCY_BLEEDING" in submission.case.flags
    first = page.locator("main > *").first
    assert normalized(rules.ADVICE[rules.Level.EMERGENCY][language]) in normalized(first.inner_text())
    assert_no_sideways_scroll(page, "advice")
    shot(page, "advice")
