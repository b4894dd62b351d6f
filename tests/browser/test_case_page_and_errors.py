"""In Chromium: the case page's clinical summary and folded answers, its trend chart on screen and on paper,
the grouped access log, the error pages."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from patients.services import submission_record
from tests import factories
from triage.audit.writer import Actor, audit_record
from triage.models import AuditEvent

from .support import DESKTOP, PHONE, QUIET, PageChecker, login, typed

pytestmark = pytest.mark.django_db(transaction=True)

BLEEDING = typed(QUIET) | {
    "bleeding_after_sex": True,
    "bleeding_episodes_3m": 3,
    "bleeding_first_noticed_weeks": 10,
    "bleeding_amount": "light",
    "bleeding_trend": "more",
    "clots": False,
    "pain_during_sex": 5,
}

CHART = """() => {
  const svg = document.querySelector("svg.trend-chart");
  const box = svg.getBoundingClientRect();
  const point = svg.querySelector(".trend-point");
  return {
    width: box.width,
    height: box.height,
    visible: getComputedStyle(svg).display !== "none" && box.width > 0,
    points: svg.querySelectorAll(".trend-point").length,
    stroke: getComputedStyle(point).stroke,
    name: svg.getAttribute("aria-labelledby").split(" ").map((id) => document.getElementById(id).textContent.trim()),
  };
}"""


def history(patient, count):
    now = timezone.now()
    submission = None
    for index in range(count):
        answers = BLEEDING | {"bleeding_episodes_3m": index + 1, "pain_during_sex": min(index * 2, 10)}
        submission = submission_record(
            patient=patient, answers=answers, submitted_at=now - timedelta(days=30 * (count - index))
        )
    return submission


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_trend_chart_is_drawn_accessible_and_printable(new_context, shot, language):
    patient = factories.make_patient()
    latest = history(patient, 6)
    doctor = factories.make_doctor()

    for viewport in (DESKTOP, PHONE):
        page = new_context(viewport=viewport, language=language).new_page()
        check = PageChecker(page, shot, suffix="phone" if viewport == PHONE else "desktop")
        login(page, doctor.email)
        check.visit(f"/dashboard/cases/{latest.pk}/")
        chart = page.evaluate(CHART)
        assert chart["visible"]
        # Fills the card on a phone, keeps a readable size on a desktop.
        assert 300 <= chart["width"] <= 700
        assert chart["height"] > chart["width"] / 3
        assert chart["points"] == 6 * 4
        assert chart["name"][0] and "6" in chart["name"][1]
        page.locator("details.trend-data summary").click()
        assert page.locator("details.trend-data table tbody tr").count() == 6
        check("case with trend table open")
        check.assert_clean()

    page.emulate_media(media="print")
    chart = page.evaluate(CHART)
    assert chart["visible"]
    assert chart["stroke"] == "rgb(0, 0, 0)"
    shot(page, "case-printed")


# Her answers for the summary: a recurring bleed after intercourse with clots, burning, and notes.
SUMMARISED = BLEEDING | {
    "bleeding_episodes_3m": 4,
    "bleeding_first_noticed_weeks": 22,
    "clots": True,
    "burning": True,
    "notes": "Ho paura che sia qualcosa di grave.",
}
SUMMARY_LINE = {
    "en": "Bleeding after intercourse: 4 episodes in 3 months, light, more than before, clots, first noticed "
    "22 weeks ago · Pain during intercourse 5/10 · Burning · Last cervical screening: less than 3 years ago",
    "it": "Sanguinamento dopo i rapporti: 4 episodi in 3 mesi, lieve, maggiore di prima, coaguli, notato la "
    "prima volta 22 settimane fa · Dolore durante i rapporti 5/10 · Bruciore · Ultimo screening del collo "
    "dell'utero: meno di 3 anni fa",
}
NOTES_MARKER = {"en": "has notes", "it": "ha scritto note"}
# Rule set 3's questions she saw (26, and 5 bleeding details), less those in view: her menopause,
# the 8 positive answers (the bleeding, 5 of its details, pain, burning), screening and notes.
FOLDED = {"en": "20 other answers: No", "it": "Altre 20 risposte: No"}

SUMMARY = """() => {
  const line = document.querySelector("#clinical-summary");
  const answers = document.querySelector("#answers-title");
  const fold = document.querySelector("details.answers-folded");
  const marks = [...document.querySelectorAll(".answers dt .answer-mark")];
  return {
    lineTop: line.getBoundingClientRect().top + window.scrollY,
    answersTop: answers.getBoundingClientRect().top + window.scrollY,
    assessmentTop: document.querySelector("#assessment-title").getBoundingClientRect().top + window.scrollY,
    fold: fold.querySelector("summary").textContent.trim(),
    open: fold.open,
    folded: fold.querySelectorAll("dt").length,
    foldedShown: [...fold.querySelectorAll("dt")].filter((dt) => dt.checkVisibility()).length,
    marks: marks.length,
    marksShown: marks.filter((mark) => mark.getBoundingClientRect().width > 0).length,
    markText: marks[0] && marks[0].textContent,
  };
}"""


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_case_page_starts_with_the_summary_and_folds_the_answers_that_say_no(new_context, shot, language):
    patient = factories.make_patient()
    case = submission_record(patient=patient, answers=SUMMARISED, submitted_at=timezone.now()).case
    doctor = factories.make_doctor()

    for viewport in (DESKTOP, PHONE):
        page = new_context(viewport=viewport, language=language).new_page()
        check = PageChecker(page, shot, suffix="phone" if viewport == PHONE else "desktop")
        login(page, doctor.email)
        check.visit(f"/dashboard/cases/{case.pk}/")
        line = page.locator("#clinical-summary")
        assert line.is_visible()
        years = {"it": f"{case.submission.age} anni", "en": f"{case.submission.age} years"}[language]
        assert line.inner_text().startswith(f"{years} · {SUMMARY_LINE[language]}")
        assert line.inner_text().endswith(NOTES_MARKER[language])
        assert "paura" not in line.inner_text()
        found = page.evaluate(SUMMARY)
        assert found["assessmentTop"] < found["lineTop"] < found["answersTop"]
        assert (found["fold"], found["open"], found["foldedShown"]) == (FOLDED[language], False, 0)
        assert found["folded"] == 20
        # Each positive answer has its mark, seen and not only coloured.
        assert found["marks"] == found["marksShown"] == 8
        assert found["markText"] == "+"

        page.locator("details.answers-folded summary").click()
        assert page.evaluate(SUMMARY)["foldedShown"] == 20
        check("case with the answers that say no unfolded")
        check.assert_clean()


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_access_log_and_the_error_pages_are_accessible(new_context, shot, language):
    patient = factories.make_patient()
    case = factories.make_case(patient, level=2, score=6)
    doctor = factories.make_doctor()

    request = RequestFactory().get(f"/dashboard/cases/{case.pk}/")
    request.user = doctor
    for _ in range(5):
        audit_record(Actor.from_request(request), AuditEvent.Action.CASE_VIEW, obj=case, patient=patient.pk)

    page = new_context(viewport=PHONE, language=language).new_page()
    check = PageChecker(page, shot)
    response = page.goto("/no-such-page/")
    assert response.status == 404
    check("404 before login")
    assert page.locator("main a[href='/accounts/login/']").count() == 1
    favicon = page.request.get("/favicon.ico")
    assert favicon.status == 200
    assert favicon.body()[:4] == b"\x00\x00\x01\x00"

    login(page, patient.user.email)
    check.visit("/accounts/access-log/")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    assert {"it": "5 volte", "en": "5 times"}[language] in rows.first.inner_text()
    response = page.goto("/dashboard/")
    assert response.status == 403
    check("403 for a patient")
    response = page.goto("/no-such-page/")
    assert response.status == 404
    check("404 after login")
    check.assert_clean()
