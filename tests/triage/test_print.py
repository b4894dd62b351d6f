import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape

from tests import factories
from tests.factories import record
from triage import rules
from triage.models import AuditEvent, CaseEvent

QUIET = factories.QUIET_ANSWERS
BLEEDING = {
    **QUIET,
    "bleeding_after_sex": True,
    "bleeding_episodes_3m": 3,
    "bleeding_first_noticed_weeks": 8,
    "bleeding_amount": "moderate",
    "bleeding_trend": "more",
    "clots": False,
    "pain_during_sex": 6,
}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def print_url(submission) -> str:
    return f"/dashboard/cases/{submission.pk}/print/"


@pytest.fixture
def phoned_patient(db):
    return factories.make_patient(
        email="lucia@example.com", first_name="Lucia", last_name="Ferri", phone="+39 333 7654321"
    )


@pytest.fixture
def case_with_story(phoned_patient, doctor):
    """A recurring bleed with an earlier report, a note and a status change."""
    record(phoned_patient, {**BLEEDING, "bleeding_amount": "spotting"}, days_ago=20)
    submission = record(phoned_patient, {**BLEEDING, "notes": "Ha paura di un polipo"})
    CaseEvent.objects.create(
        case=submission.case, kind=CaseEvent.Kind.NOTE, actor=doctor, text="Call her back on Monday"
    )
    CaseEvent.objects.create(
        case=submission.case,
        kind=CaseEvent.Kind.STATUS,
        actor=doctor,
        from_status="new",
        to_status="in_review",
    )
    return submission


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403), ("doctor", 200)])
def test_print_page_is_for_doctors_and_audited(client_as, phoned_patient, role, status):
    submission = record(phoned_patient, BLEEDING)

    response = client_as(role, patient=phoned_patient).get(print_url(submission))

    assert response.status_code == status
    printed = AuditEvent.objects.filter(action=AuditEvent.Action.CASE_PRINT)
    if status != 200:
        assert not printed.exists()
        return
    assert "no-store" in response["Cache-Control"]
    event = printed.get()
    assert (event.object_id, event.patient_id) == (str(submission.pk), phoned_patient.pk)


@pytest.mark.django_db
def test_print_page_shows_identity_assessment_answers_history_and_notes(doctor_client, case_with_story):
    submission = case_with_story
    case = submission.case
    html = doctor_client.get(print_url(submission), **ENGLISH).content.decode()

    with translation.override("en"):
        birth_date = date_format(date(1990, 3, 1), "SHORT_DATE_FORMAT")
    # The phone is stored as E.164 and printed in the Italian national format.
    for text in ("Lucia Ferri", "lucia@example.com", "333 765 4321", birth_date):
        assert text in html
    assert f"{submission.age} years" in html
    assert f"Score {case.score}" in html
    assert f"Rules version {rules.RULES_VERSION}" in html
    assert case.flags, "the story raises flags"
    for code in case.flags:
        rule = rules.FLAG_RULES_BY_CODE[code]
        assert rule.label in html
        assert escape(rule.reason) in html
    # Answers by section, the patient's own note, the earlier questionnaire, the doctor's timeline.
    assert "Bleeding after intercourse" in html
    assert "Ha paura di un polipo" in html
    assert "Earlier questionnaires" in html
    assert "spotting" in html
    assert "Call her back on Monday" in html
    assert "Status: New → In review" in html


@pytest.mark.django_db
def test_print_history_shares_the_case_page_rows_without_links_or_gauge(doctor_client, case_with_story):
    earlier = case_with_story.patient.submissions.exclude(pk=case_with_story.pk).get()
    printed = doctor_client.get(print_url(case_with_story), **ENGLISH).content.decode()
    screen = doctor_client.get(f"/dashboard/cases/{case_with_story.pk}/", **ENGLISH).content.decode()

    bleeding = '<span class="history-bleeding">spotting<span class="d-block small text-body-secondary">'
    for html in (printed, screen):
        assert bleeding in html
        assert "3 episodes in 3 months · more than before" in html
    assert f'href="/dashboard/cases/{earlier.pk}/"' in screen
    assert f'href="/dashboard/cases/{earlier.pk}/"' not in printed
    assert "amount-gauge" in screen and "amount-gauge" not in printed
    assert "this questionnaire" in screen and "this questionnaire" not in printed


@pytest.mark.django_db
def test_print_page_has_no_navigation_and_a_print_stylesheet(doctor_client, case_with_story):
    html = doctor_client.get(print_url(case_with_story), **ENGLISH).content.decode()
    assert "<nav" not in html
    assert "navbar" not in html
    assert 'href="/static/css/print.css"' in html
    assert 'href="/static/bootstrap/css/bootstrap.min.css"' in html
    assert re.search(r'<html lang="en">', html)
    # The Content Security Policy allows no inline code or styles.
    assert not re.search(r"<script>(?!</script>)|<script(?![^>]*src=)[^>]*>|\son\w+=|\sstyle=", html)
    assert 'src="/static/js/print.js"' in html
    # The screen-only toolbar (Print button, way back) comes before the sheet and is hidden on paper.
    assert html.index('class="d-print-none') < html.index("data-print-page") < html.index("<header")


def test_print_stylesheet_asks_for_one_a4_page():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "print.css").read_text()
    # Whether it fits is proven in a real browser (tests/browser/test_case_print.py).
    assert re.search(r"@page\s*{\s*size:\s*A4;", css)
    js = (Path(settings.BASE_DIR) / "static" / "js" / "print.js").read_text()
    assert "window.print()" in js


@pytest.mark.django_db
def test_print_page_queries_do_not_grow_with_history_and_notes(
    doctor_client, phoned_patient, doctor, django_assert_max_num_queries
):
    small = record(phoned_patient, BLEEDING, days_ago=200)
    with CaptureQueriesContext(connection) as first:
        assert doctor_client.get(print_url(small)).status_code == 200

    for days_ago in range(60, 0, -10):
        big = record(phoned_patient, BLEEDING, days_ago=days_ago)
    for n in range(6):
        CaseEvent.objects.create(case=big.case, kind=CaseEvent.Kind.NOTE, actor=doctor, text=f"note {n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = doctor_client.get(print_url(big)).content.decode()
    assert "note 5" in html
    assert len(first.captured_queries) <= 12


@pytest.mark.django_db
def test_case_page_links_to_print_and_fhir(doctor_client, phoned_patient):
    submission = record(phoned_patient, QUIET)
    html = doctor_client.get(f"/dashboard/cases/{submission.pk}/").content.decode()
    assert f'href="{print_url(submission)}"' in html
    assert f'href="/dashboard/cases/{submission.pk}/fhir.json"' in html
