"""Branching in the browser: what the page shows is what the server's rules expect, with or without JavaScript."""

import pytest

from patients.models import Submission
from tests import factories
from triage import rules
from triage.models import CaseLevel

from .support import QUESTIONNAIRE_URL, QUIET, fill_answers, login, normalized, submit_questionnaire

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


def test_details_appear_only_while_their_question_reveals_them(page, shot):
    """For each of the four branchings, the page shows exactly RULES.md's visible questions."""
    patient = factories.make_patient()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    assert set(page.evaluate(ANSWERABLE)) == rules.visible_fields({})
    assert not page.locator(".no-js-hint").first.is_visible()
    shot(page, "unanswered", full_page=False)

    for bleeding, discharge in [("yes", "no"), ("yes", "yes"), ("no", "yes"), ("no", "no")]:
        page.check(f"input[name=bleeding_after_sex][value={bleeding}]")
        page.check(f"input[name=discharge_after_sex][value={discharge}]")
        expected = rules.visible_fields(
            {"bleeding_after_sex": bleeding == "yes", "discharge_after_sex": discharge == "yes"}
        )
        assert set(page.evaluate(ANSWERABLE)) == expected, (bleeding, discharge)
        if bleeding == "yes":
            fill_answers(page, {name: DETAILS[name] for name in BLEEDING_DETAILS})
            shot(page, "bleeding-details-open")

    # A number reveals the pain's severity from 1 day; a possible or confirmed pregnancy, the shoulder.
    for days, pregnancy in [
        ("2", "possible"),
        ("0", "confirmed"),
        ("1", "not_pregnant"),
        ("0", "not_pregnant"),
    ]:
        page.fill("input[name=pelvic_pain_days]", days)
        page.check(f"input[name=pregnancy_status][value={pregnancy}]")
        answers = {"bleeding_after_sex": False, "discharge_after_sex": False}
        expected = rules.visible_fields(
            answers | {"pelvic_pain_days": int(days), "pregnancy_status": pregnancy}
        )
        assert set(page.evaluate(ANSWERABLE)) == expected, (days, pregnancy)
        if days != "0" and pregnancy != "not_pregnant":
            fill_answers(page, {"pelvic_pain_severity": "9", "shoulder_tip_pain": "yes"})
            shot(page, "pain-and-pregnancy-details-open")

    # Details typed in, then hidden again by answering no, are not sent.
    fill_answers(page, QUIET)
    submit_questionnaire(page)
    submission = Submission.objects.get(patient=patient)
    assert submission.status == Submission.Status.SUBMITTED
    assert not set(submission.answers) & set(DETAILS)
    assert submission.case.level == CaseLevel.ROUTINE


def test_questionnaire_works_without_javascript(new_context, shot):
    """Every question is on the page; the server keeps only the ones its rules show and asks for the missing ones."""
    patient = factories.make_patient()
    page = new_context(javascript=False).new_page()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)
    assert set(page.evaluate(ANSWERABLE)) == set(rules.FIELDS_BY_NAME)
    assert page.locator(".no-js-hint").first.is_visible()
    shot(page, "all-questions")

    # Bleeding "yes" with its details left empty: the server asks for exactly the questions it shows.
    fill_answers(page, QUIET | {"bleeding_after_sex": "yes", "discharge_after_sex": "no"})
    submit_questionnaire(page)
    invalid = set(page.eval_on_selector_all("[aria-invalid=true]", "els => els.map((el) => el.name)"))
    expected = rules.visible_fields({"bleeding_after_sex": True, "discharge_after_sex": False})
    assert invalid == expected - set(QUIET) - {"notes"}
    assert invalid == set(BLEEDING_DETAILS)
    assert page.is_checked("input[name=bleeding_after_sex][value=yes]"), "answers are kept"
    assert not Submission.objects.filter(patient=patient, status=Submission.Status.SUBMITTED).exists()
    shot(page, "details-missing")

    # Bleeding "no" with details filled in anyway: they are dropped and do not raise the level.
    fill_answers(page, QUIET | DETAILS | {"bleeding_after_sex": "no", "discharge_after_sex": "no"})
    submit_questionnaire(page)
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
    fill_answers(page, QUIET | {"pregnancy_status": "possible"})
    fill_answers(
        page,
        {
            "shoulder_tip_pain": "no",
            "bleeding_after_sex": "yes",
            "bleeding_episodes_3m": "1",
            "bleeding_first_noticed_weeks": "0",
            "bleeding_amount": "streaks",
            "bleeding_trend": "first_time",
            "clots": "no",
        },
    )
    submit_questionnaire(page)

    submission = Submission.objects.get(patient=patient)
    assert submission.case.level == CaseLevel.URGENT
    first = page.locator("main > *").first
    assert first.get_attribute("role") == "alert"
    assert normalized(rules.ADVICE[rules.Level.URGENT]["it"]) in normalized(first.inner_text())
    assert page.locator("main a[href='tel:112']").first.is_visible()
    shot(page, "urgent-advice")
