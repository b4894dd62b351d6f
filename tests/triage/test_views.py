"""The worklist and case pages (triage/worklist/views.py, triage/cases/views.py): who may see them, caching, what the case page shows."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_case
from tests.triage.worklist import DASHBOARD, E, M
from triage.models import Case, CaseEvent
from triage.rules import RULE_SETS

# --- Who may see what ------------------------------------------------------------------------------


ROLES = [(None, 302), ("patient", 403), ("doctor", 200)]


@pytest.mark.parametrize(("role", "status"), ROLES)
@pytest.mark.parametrize("name", ["triage:dashboard", "triage:export_csv"])
def test_worklist_pages_are_for_doctors_only(client_as, case, role, status, name):
    response = client_as(role).get(reverse(name))

    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403), ("doctor", 200)])
def test_case_page_is_for_doctors_only(client_as, case, role, status):
    response = client_as(role).get(reverse("triage:case_detail", args=[case.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403), ("doctor", 302)])
def test_next_case_is_for_doctors_only(client_as, case, role, status):
    response = client_as(role).get(reverse("triage:case_next", args=[case.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403), ("doctor", 302)])
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("triage:case_status", {"to_status": "in_review", "version": 1}),
        ("triage:case_note", {"text": "Richiamare la paziente."}),
        ("triage:case_assign", {"assignment": "take"}),
    ],
)
def test_case_changes_are_for_doctors_only(client_as, case, role, status, name, data):
    response = client_as(role).post(reverse(name, args=[case.pk]), data)

    assert response.status_code == status
    changed = Case.objects.get(pk=case.pk).status != "new" or CaseEvent.objects.exists()
    assert changed is (role == "doctor")


def test_staff_pages_are_never_cached(doctor_client, case):
    for url in (DASHBOARD, reverse("triage:case_detail", args=[case.pk]), reverse("triage:export_csv")):
        response = doctor_client.get(url)
        assert "no-store" in response["Cache-Control"]


def test_case_page_of_a_missing_case_is_404(doctor_client):
    assert doctor_client.get(reverse("triage:case_detail", args=[999999])).status_code == 404


def test_case_changes_refuse_get(doctor_client, case):
    assert doctor_client.get(reverse("triage:case_status", args=[case.pk])).status_code == 405
    assert doctor_client.get(reverse("triage:case_note", args=[case.pk])).status_code == 405


# --- Worklist page ---------------------------------------------------------------------------------


def test_worklist_has_no_inline_script(doctor_client, case):
    html = doctor_client.get(DASHBOARD).content.decode()

    assert "<script>" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert "js/dashboard.js" in html


def test_worklist_is_in_italian_by_default(doctor_client, case):
    html = doctor_client.get(DASHBOARD).content.decode()

    assert 'lang="it"' in html


# --- Case page -------------------------------------------------------------------------------------


ANSWERS = {
    "menopause_status": "premenopausal",
    "pregnancy_status": "possible",
    "discharge_after_sex": False,
    "bleeding_after_sex": True,
    "bleeding_episodes_3m": 3,
    "bleeding_first_noticed_weeks": 6,
    "bleeding_amount": "moderate",
    "bleeding_trend": "more",
    "clots": False,
    "soaks_pad_hourly": False,
    "pain_during_sex": 2,
    "pelvic_pain_days": 2,
    "notes": "Dolore da due giorni.",
}


@pytest.mark.parametrize("version", [1, 2])
def test_case_page_shows_answers_by_section_and_the_assessment_of_its_own_rule_set(
    doctor_client, patient, version
):
    case = make_case(
        patient,
        level=E,
        score=23,
        flags=["ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "PREGNANCY_PAIN"],
        answers=ANSWERS,
        rules_version=version,
    )
    flag_rules = RULE_SETS[version].flag_rules_by_code

    html = doctor_client.get(
        reverse("triage:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    for section in ("Cycle and pregnancy", "Bleeding after intercourse", "Other symptoms", "Notes"):
        assert section in html
    assert "Possibly (for example a late period, no test yet)" in html
    assert "Dolore da due giorni." in html
    # The discharge colour was not asked (no discharge), so it is not shown as an answer.
    assert "Discharge colour" not in html
    for code in ("ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "PREGNANCY_PAIN"):
        assert flag_rules[code].label in html
        assert flag_rules[code].reason in html
        # Each assessment explains itself with its own rule set's words, never the other's.
        other = RULE_SETS[3 - version].flag_rules_by_code[code].reason
        assert other == flag_rules[code].reason or other not in html
    assert "Score 23" in html
    assert f"Rules version {version}" in html
    assert "Emergency" in html


def test_case_page_of_a_failed_assessment_says_so(doctor_client, patient):
    case = make_case(patient, level=M, score=0)

    html = doctor_client.get(
        reverse("triage:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Manual review" in html
    assert "could not assess this questionnaire" in html


def test_case_page_shows_timeline_with_reasons_and_notes(doctor_client, case, doctor):
    CaseEvent.objects.create(
        case=case,
        kind="status",
        actor=doctor,
        from_status="new",
        to_status="closed",
        text="Vista ieri in studio.",
    )
    CaseEvent.objects.create(case=case, kind="note", actor=doctor, text="Paziente richiamata.")

    html = doctor_client.get(
        reverse("triage:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Status: New → Closed" in html
    assert "Vista ieri in studio." in html
    assert "Paziente richiamata." in html
    assert html.index("Vista ieri in studio.") < html.index("Paziente richiamata.")


def test_case_page_shows_stored_answers_the_questionnaire_does_not_know(doctor_client, patient):
    """A case the engine could not assess must be readable in full."""
    case = make_case(patient, level=M, answers={"bleeding_after_sex": True, "legacy_field": "sì"})

    html = doctor_client.get(
        reverse("triage:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Other stored answers" in html
    assert "legacy_field" in html and "sì" in html
