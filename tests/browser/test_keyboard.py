"""The questionnaire with the keyboard alone: Tab between questions, arrows and Space for choices,
Enter on Next for each step, then on Send from the review."""

import pytest

from patients.models import Submission
from tests import factories

from .support import QUESTIONNAIRE_URL, QUIET, login

pytestmark = pytest.mark.django_db(transaction=True)

# What a keyboard user answers; bleeding "yes" opens the detail questions as she goes.
ANSWERS = QUIET | {
    "menopause_status": "perimenopausal",
    "bleeding_after_sex": "yes",
    "bleeding_episodes_3m": "2",
    "bleeding_first_noticed_weeks": "3",
    "bleeding_amount": "light",
    "bleeding_trend": "first_time",
    "clots": "no",
    "pain_during_sex": "2",
    "last_cervical_screening": "never",
    "notes": "Solo tastiera",
}

# The focused element, whether its focus can be seen, and whether anything covers it.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {
    tag: el.tagName.toLowerCase(),
    type: el.type || "",
    name: el.name || "",
    value: el.value || "",
    inForm: Boolean(el.closest("#questionnaire, #send-questionnaire")),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    covered: hit !== el && !el.contains(hit) && !(el.labels && [...el.labels].includes(hit)),
    label: el.tagName.toLowerCase() + (el.name ? `[name=${el.name}][value=${el.value}]` : "")
      + (el.getAttribute("href") ? `[href=${el.getAttribute("href")}]` : ""),
    hit: hit ? `${hit.tagName.toLowerCase()}.${hit.className}` : "nothing",
    options: el.type === "radio"
      ? [...document.querySelectorAll(`input[type=radio][name="${el.name}"]`)].map((r) => r.value)
      : [],
  };
}"""


def answer_focused(page, state, wanted):
    if state["type"] == "radio":
        # Focus lands on the first option of an unanswered group; arrows move and choose.
        steps = state["options"].index(wanted) - state["options"].index(state["value"])
        if steps == 0:
            page.keyboard.press("Space")
        for _ in range(steps):
            page.keyboard.press("ArrowDown")
    else:
        page.keyboard.type(wanted)


def test_questionnaire_can_be_completed_with_the_keyboard_alone(page, shot):
    patient = factories.make_patient()
    login(page, patient.user.email)
    page.goto(QUESTIONNAIRE_URL)

    answered, unseen_focus, covered, steps = [], [], [], 0
    for _ in range(500):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        label = state["label"]
        if not state["outline"]:
            unseen_focus.append(label)
        if state["covered"]:
            covered.append(f"{label} (under {state['hit']})")
        if not state["inForm"]:
            continue
        if state["tag"] == "button" and state["value"] == "next":
            # Enter on Next saves the step and opens the next one (or the review).
            with page.expect_navigation():
                page.keyboard.press("Enter")
            steps += 1
            continue
        if state["tag"] == "button" and state["value"] == "submit":
            shot(page, "before-sending")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
        if state["name"] in ANSWERS and state["name"] not in answered:
            answer_focused(page, state, ANSWERS[state["name"]])
            answered.append(state["name"])
            if state["name"] == "bleeding_after_sex":
                shot(page, "bleeding-details-opened", full_page=False)
    else:
        pytest.fail(f"the send button was never reached by Tab; answered {answered}")

    assert steps == 6, "each step was left with its Next button"
    assert not unseen_focus, f"focus is not visible on {unseen_focus}"
    assert not covered, f"the focused element is hidden under something on {covered}"
    assert answered == list(dict.fromkeys(name for name in _page_order() if name in ANSWERS))
    submission = Submission.objects.get(patient=patient)
    assert submission.status == Submission.Status.SUBMITTED, "the questionnaire was not accepted"
    assert page.url.endswith(f"/questionnaire/{submission.pk}/")
    assert submission.answers["menopause_status"] == "perimenopausal"
    assert submission.answers["bleeding_amount"] == "light"
    assert submission.answers["bleeding_episodes_3m"] == 2
    assert submission.answers["last_cervical_screening"] == "never"
    assert submission.answers["notes"] == "Solo tastiera"
    assert page.locator("main section.alert").is_visible()
    shot(page, "result")


def _page_order():
    from triage.questionnaire import SECTIONS

    return [name for _title, names in SECTIONS for name in names]
