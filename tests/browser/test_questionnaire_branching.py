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
)

pytestmark = pytest.mark.django_db(transaction=True)

DETAILS = {
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


# Each revealing question, its step, and answers to try in turn (the last one hides the details).
BRANCHINGS = [
    (1, "pregnancy_status", ["possible", "confirmed", "not_pregnant"]),
    (2, "discharge_after_sex", ["yes", "no"]),
    (3, "bleeding_after_sex", ["yes", "no"]),
    (4, "pelvic_pain_days", ["2", "1", "0"]),
]


def typed_answer(value):
    return {"yes": True, "no": False}.get(value, int(value) if value.isdigit() else value)


def test_details_appear_only_while_their_question_reveals_them(page, shot):
    """On each step, the page shows exactly RULES.md's visible questions of that step."""
    patient = factories.make_patient()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    for step, question, values in BRANCHINGS:
        assert page.url.endswith(step_url(step))
        names = set(SECTIONS[step - 1][1])
        assert set(page.evaluate(ANSWERABLE)) == rules.visible_fields({}) & names, step
        assert not page.locator(".no-js-hint").first.is_visible()
        fill_answers(page, QUIET)
        for value in values:
            fill_answers(page, {question: value})
            expected = rules.visible_fields({question: typed_answer(value)}) & names
            assert set(page.evaluate(ANSWERABLE)) == expected, (question, value)
            if len(expected) > len(rules.visible_fields({}) & names):
                fill_answers(page, DETAILS)
                shot(page, f"step-{step}-details-open")
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
