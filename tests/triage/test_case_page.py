"""The case page's advice given to the patient and its trend chart (triage/cases/views.py, triage/advice.py)."""

import html
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import QUIET_ANSWERS, make_case, record
from tests.triage.worklist import E, F, M, P
from triage import rules
from triage.advice import REVIEW_TEXT, advice_given, patient_language
from triage.cases.assessments import case_sync
from triage.models import Assessment, AuditEvent

SVG = "{http://www.w3.org/2000/svg}"
BLEEDING = {
    **QUIET_ANSWERS,
    "bleeding_after_sex": True,
    "bleeding_episodes_3m": 4,
    "bleeding_first_noticed_weeks": 8,
    "bleeding_amount": "moderate",
    "bleeding_trend": "more",
    "clots": False,
    "pain_during_sex": 3,
    "pelvic_pain_days": 2,
    "pelvic_pain_severity": 6,
}


def page(client, case_pk, language="en") -> str:
    response = client.get(reverse("triage:case_detail", args=[case_pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def section(markup: str, title_id: str) -> str:
    start = markup.index(f'id="{title_id}"')
    return markup[start : markup.index("</section>", start)]


def svg_of(markup: str) -> ET.Element:
    """The chart's SVG, parsed as XML: it must be well-formed on its own."""
    match = re.search(r"<svg\b.*?</svg>", markup, re.S)
    assert match, "no inline SVG on the page"
    return ET.fromstring(match.group(0))


# --- The advice she was given ---------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_case_page_quotes_the_advice_of_its_own_rule_set_with_level_and_date(doctor_client, patient, version):
    case = make_case(patient, level=P, score=6, rules_version=version)
    given = Assessment.objects.get(submission_id=case.pk)

    advice = section(page(doctor_client, case.pk), "advice-title")

    # Her language is the clinic's (Italian) while her account records no other.
    text = rules.rule_set(version).advice_text(rules.Level.PRIORITY, "it")
    assert html.escape(text) in advice
    other = rules.rule_set(3 - version).advice_text(rules.Level.PRIORITY, "it")
    assert other == text or html.escape(other) not in advice
    assert 'lang="it"' in advice
    assert "level-priority" in advice
    assert f"{timezone.localtime(given.created_at):%Y}" in advice
    assert "Italian" in advice


def test_advice_is_quoted_in_the_language_her_account_records(patient):
    case = make_case(patient, level=F, score=2)
    patient.user.language = "en"  # the profile's language, where the account keeps one

    given = advice_given(case, patient_language(patient.user))

    assert given.text == rules.rule_set(2).advice_text(rules.Level.FOLLOW_UP, "en")
    assert given.language_code == "en"


def test_case_page_quotes_the_review_advice_when_the_rules_could_not_assess(doctor_client, patient):
    case = make_case(patient, level=M)

    advice = section(page(doctor_client, case.pk, "it"), "advice-title")

    with translation.override("it"):
        assert html.escape(str(REVIEW_TEXT)) in advice


def test_case_page_quotes_the_advice_a_move_up_gave_her_and_names_the_earlier_one(doctor_client, patient):
    case = make_case(patient, level=F, score=2, submitted_at=timezone.now() - timedelta(days=2))
    moved = Assessment.objects.create(submission_id=case.pk, level=E, score=12, rules_version=2)
    case_sync(case.submission, moved)

    advice = section(page(doctor_client, case.pk), "advice-title")

    # She is shown the new advice, updated on the re-assessment's day...
    assert html.escape(rules.rule_set(2).advice_text(rules.Level.EMERGENCY, "it")) in advice
    assert "when her advice was updated" in advice
    assert "level-emergency" in advice
    # ...and the page says which one she had before, kept on her pages as a record.
    assert 'id="advice-earlier"' in advice
    assert "Follow-up" in advice


def test_case_page_without_reassessment_has_no_earlier_advice_note(doctor_client, patient):
    case = make_case(patient, level=F, score=2)

    markup = page(doctor_client, case.pk)
    assert 'id="advice-earlier"' not in markup
    assert "when she sent the questionnaire" in section(markup, "advice-title")


# --- The trend chart ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_trend_chart_is_valid_svg_with_its_text_alternative_and_a_data_table(doctor_client, patient):
    for days_ago in (120, 60):
        record(patient, {**QUIET_ANSWERS}, days_ago=days_ago)
    current = record(patient, BLEEDING, days_ago=1)

    markup = page(doctor_client, current.pk)
    svg = svg_of(markup)

    assert svg.get("role") == "img"
    labelled_by = svg.get("aria-labelledby").split()
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert [title.get("id"), desc.get("id")] == labelled_by
    assert "over time" in title.text
    assert "3 questionnaires" in desc.text
    # The latest values are said in words: 4 episodes, moderate, worst pain 6 (pelvic), its level.
    assert "bleeding episodes in 3 months 4;" in desc.text
    assert "amount moderate" in desc.text
    assert "worst pain 6 out of 10" in desc.text
    assert "style" not in ET.tostring(svg, encoding="unicode")
    panels = svg.findall(f"{SVG}g")
    assert [g.get("class").split()[-1] for g in panels] == [
        "trend-episodes",
        "trend-amount",
        "trend-pain",
        "trend-level",
    ]
    for g in panels:
        assert len(g.findall(f"{SVG}circle")) == 3
    table = section(markup, "trend-title")
    assert "<table" in table
    assert table.count("<tr") == 4  # header and three questionnaires
    assert 'aria-current="true"' in table


@pytest.mark.django_db
def test_trend_chart_with_one_questionnaire_shows_one_point_and_no_line(doctor_client, patient):
    current = record(patient, BLEEDING, days_ago=1)

    svg = svg_of(page(doctor_client, current.pk))

    for g in svg.findall(f"{SVG}g"):
        assert len(g.findall(f"{SVG}circle")) == 1
        assert g.find(f"{SVG}path") is None
    assert "One questionnaire" in svg.find(f"{SVG}desc").text


@pytest.mark.django_db
def test_trend_chart_numbers_are_plain_in_italian_too(doctor_client, patient):
    """Coordinates must never take the page language's decimal comma."""
    for days_ago in (200, 13, 7, 1):
        current = record(patient, BLEEDING, days_ago=days_ago)

    svg = svg_of(page(doctor_client, current.pk, "it"))

    for circle in svg.iter(f"{SVG}circle"):
        assert re.fullmatch(r"\d+", circle.get("cx"))
        assert re.fullmatch(r"\d+", circle.get("cy"))
    for path in svg.iter(f"{SVG}path"):
        assert re.fullmatch(r"M\d+,\d+( L\d+,\d+)+", path.get("d"))


@pytest.mark.django_db
def test_case_page_queries_do_not_grow_with_the_history(
    doctor_client, patient, django_assert_max_num_queries
):
    small = record(patient, BLEEDING, days_ago=300)
    with CaptureQueriesContext(connection) as first:
        page(doctor_client, small.pk)

    for days_ago in range(290, 0, -10):
        big = record(patient, BLEEDING, days_ago=days_ago)
    with django_assert_max_num_queries(len(first.captured_queries)):
        markup = page(doctor_client, big.pk)

    assert len(svg_of(markup).find(f"{SVG}g").findall(f"{SVG}circle")) == 30
    # Each view of the case is still audited.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CASE_VIEW, object_id=str(big.pk)).count() == 1
