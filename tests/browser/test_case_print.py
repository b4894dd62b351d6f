"""The printable case summary, printed by Chromium to A4: one page, even for a busy case."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.models import DEMO_PROFILE, SINGLE_ROW_ID, ClinicProfile
from clinic.phones import phone_display
from patients.services import submission_draft, submission_record, submission_submit
from tests import factories
from triage.audit.writer import Actor
from triage.cases.services import case_add_note, case_change_status
from triage.models import Case, CaseLevel

from .support import QUIET, login, typed

pytestmark = pytest.mark.django_db(transaction=True)

# The printable part of an A4 sheet at 96 dpi: 210 × 297 mm less print.css's 12 mm page margins,
# so the screenshot is laid out as the printed page is.
A4_PRINTABLE = {"width": 703, "height": 1032}


# A busy but ordinary case: recurring painful bleeding, infection signs, overdue screening,
# a note from the patient, earlier questionnaires and the doctor's notes.
BUSY = typed(QUIET) | {
    "discharge_after_sex": True,
    "discharge_color": "yellow_green",
    "bleeding_after_sex": True,
    "bleeding_episodes_3m": 4,
    "bleeding_first_noticed_weeks": 12,
    "bleeding_amount": "moderate",
    "bleeding_trend": "more",
    "pain_during_sex": 6,
    "burning": True,
    "last_cervical_screening": "over_5y",
    "notes": "Ho notato il sanguinamento soprattutto nelle ultime settimane, a volte con dolore al basso "
    "ventre anche il giorno dopo. Non ho mai avuto problemi simili prima.",
}


def busy_case(doctor) -> Case:
    """A case that fills the summary: many flags, long notes, earlier questionnaires, timeline entries."""
    patient = factories.make_patient(
        email="francesca@example.com", first_name="Francesca", last_name="De Santis", phone="+39 347 555 0101"
    )
    now = timezone.now()
    for days in (60, 20):
        submission_record(
            patient=patient,
            answers=BUSY | {"notes": "", "bleeding_episodes_3m": 2},
            submitted_at=now - timedelta(days=days),
        )
    case = submission_submit(patient=patient, key=submission_draft(patient).key, answers=BUSY).case
    case_add_note(
        case_id=case.pk,
        actor=Actor(doctor),
        text="Chiamata la paziente: visita fissata, porta l'ultimo Pap test.",
    )
    case = case_change_status(
        case_id=case.pk,
        actor=Actor(doctor),
        to_status=Case.Status.FOLLOW_UP,
        expected_version=case.version,
        follow_up_on=timezone.localdate() + timedelta(days=3),
    )
    return case


# The sheet's clinical summary of BUSY, after her age, and the count of her answers that say no.
BUSY_SUMMARY = {
    "en": "Discharge after intercourse: yellow or green · Bleeding after intercourse: 4 episodes in 3 months, "
    "moderate (needed a pad), more than before, first noticed 12 weeks ago · Pain during intercourse 6/10 · "
    "Burning · Last cervical screening: more than 5 years ago",
    "it": "Perdite dopo i rapporti: gialle o verdastre · Sanguinamento dopo i rapporti: 4 episodi in 3 mesi, "
    "moderato (è servito un assorbente), maggiore di prima, notato la prima volta 12 settimane fa · Dolore "
    "durante i rapporti 6/10 · Bruciore · Ultimo screening del collo dell'utero: più di 5 anni fa",
}
BUSY_FOLDED = {"en": "20 other answers: No", "it": "Altre 20 risposte: No"}

FOLDED_ON_PAPER = """() => {
  const fold = document.querySelector("details.answers-folded");
  const items = [...fold.querySelectorAll(".folded-answer")];
  return {
    open: fold.open,
    title: fold.querySelector("summary").textContent.trim(),
    items: items.length,
    shown: items.filter((item) => item.checkVisibility()).length,
    marks: [...document.querySelectorAll(".answers .answer-mark")].filter((m) => m.getBoundingClientRect().width > 0).length,
  };
}"""


@pytest.mark.parametrize("language", ["it", "en"])
def test_case_summary_prints_on_one_a4_page(new_context, shot, language):
    doctor = factories.make_doctor()
    case = busy_case(doctor)
    assert case.level == CaseLevel.PRIORITY
    page = new_context(viewport=A4_PRINTABLE, language=language).new_page()
    login(page, doctor.email)
    page.goto(f"/dashboard/cases/{case.pk}/print/")
    assert "Francesca De Santis" in page.inner_text("main")

    page.emulate_media(media="print")
    # The clinical summary heads the answers; on paper every answer shows, those that say no included.
    line = page.inner_text("#clinical-summary")
    years = {"it": "anni", "en": "years"}[language]
    assert line.startswith(f"{case.submission.age} {years} · {BUSY_SUMMARY[language]}")
    assert line.endswith({"it": "ha scritto note", "en": "has notes"}[language])
    folded = page.evaluate(FOLDED_ON_PAPER)
    assert (folded["open"], folded["title"]) == (True, BUSY_FOLDED[language])
    assert folded["items"] == folded["shown"] == 20
    assert folded["marks"] == 9
    screenshot = shot(page, "a4-print")
    pdf = page.pdf(format="A4", print_background=True)
    (screenshot.parent / "case-summary.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages == 1, f"the case summary takes {pages} A4 pages"


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_patients_copy_of_her_answers_prints_on_one_a4_page(new_context, shot, language):
    # The row the first migration creates is gone once an earlier browser test has flushed the tables.
    ClinicProfile.objects.update_or_create(id=SINGLE_ROW_ID, defaults=DEMO_PROFILE)
    patient = factories.make_patient(
        email="francesca@example.com", first_name="Francesca", last_name="De Santis"
    )
    submission = submission_submit(patient=patient, key=submission_draft(patient).key, answers=BUSY)
    page = new_context(viewport=A4_PRINTABLE, language=language).new_page()
    login(page, patient.user.email)
    page.goto(f"/questionnaire/{submission.pk}/print/")
    assert "Francesca De Santis" in page.inner_text("main")
    header = page.inner_text("header")
    assert (
        DEMO_PROFILE["name"] in header
        and DEMO_PROFILE["address"] in header
        and phone_display(DEMO_PROFILE["phone"]) in header
    )
    assert page.locator("[data-print-page]").is_visible()

    page.emulate_media(media="print")
    assert not page.locator("[data-print-page]").is_visible()  # the button stays off the paper
    screenshot = shot(page, "a4-print")
    pdf = page.pdf(format="A4", print_background=True)
    (screenshot.parent / "answers.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages == 1, f"her copy takes {pages} A4 pages"
