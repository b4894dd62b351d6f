"""The worklist's filter form and the links that carry its filters (triage/worklist/forms.py)."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_doctor
from tests.triage.worklist import DASHBOARD, names_of

# --- Filter form -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "ignored"),
    [
        ({"level": "urgent"}, "Level"),
        ({"level": ["4", "9"]}, "Level"),
        ({"flag": "NOT_A_FLAG"}, "Flag"),
        ({"status": "lost"}, "Status"),
        ({"submitted_from": "yesterday"}, "Submitted from"),
        ({"submitted_to": "2026-02-30"}, "Submitted until"),
        ({"submitted_from": "2026-05-10", "submitted_to": "2026-05-01"}, "Submitted until"),
        ({"q": "x" * 500}, "Patient name or email"),
        ({"after": "abc"}, "Page"),
        ({"before": "-4"}, "Page"),
        ({"page": "9999"}, "Page"),
    ],
)
def test_bad_parameters_are_ignored_with_a_notice(doctor_client, varied, params, ignored):
    response = doctor_client.get(DASHBOARD, params, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert ignored in response.context["ignored"]
    assert "were ignored" in response.content.decode()


def test_a_bad_value_keeps_the_good_ones(doctor_client, varied):
    response = doctor_client.get(DASHBOARD, {"level": ["4", "x"], "flag": "bogus"})

    assert names_of(response, varied) == {"emergency"}


def test_filter_form_shows_the_current_filters(doctor_client, varied):
    html = doctor_client.get(DASHBOARD, {"level": "4", "status": "new", "q": "Ross"}).content.decode()

    assert re.search(r'name="level" value="4"[^>]*checked', html)
    assert not re.search(r'name="level" value="2"[^>]*checked', html)
    assert re.search(r'name="status" value="new"[^>]*checked', html)
    assert 'value="Ross"' in html


# --- Links that keep the filters -------------------------------------------------------------------


def test_filtered_links_keep_the_filters_and_carry_the_search_by_reference(doctor_client, varied):
    response = doctor_client.get(DASHBOARD, {"flag": "RECURRENT", "q": "rossi"})
    html = response.content.decode()

    case_url = reverse("triage:case_detail", args=[varied["priority_followup"]])
    ref = re.search(rf'{case_url}\?flag=RECURRENT&amp;search=([\w-]+)"', html).group(1)
    assert f'{reverse("triage:export_csv")}?flag=RECURRENT&amp;search={ref}"' in html
    # The search text is in no link: only in the search box the doctor typed it into.
    assert not re.search(r'href="[^"]*rossi', html)
    assert re.search(r'name="q"[^>]*value="rossi"', html)


def test_a_search_reference_brings_the_search_back_in_the_same_session_only(doctor_client, varied, client):
    html = doctor_client.get(DASHBOARD, {"flag": "RECURRENT", "q": "verdi"}).content.decode()
    ref = re.search(r"search=([\w-]+)", html).group(1)

    followed = doctor_client.get(DASHBOARD, {"flag": "RECURRENT", "search": ref})
    assert followed.context["filters"].q == "verdi"
    assert re.search(r'name="q"[^>]*value="verdi"', followed.content.decode())

    other = make_doctor(email="other.doctor@example.com")
    client.force_login(other)
    elsewhere = client.get(DASHBOARD, {"flag": "RECURRENT", "search": ref})
    assert elsewhere.context["filters"].q == ""


def test_pagination_links_keep_filters(doctor_client, sixty):
    html = doctor_client.get(DASHBOARD, {"level": "1"}).content.decode()

    assert "?level=1&amp;after=" in html
    assert "?level=1&amp;page=last" in html


def test_case_page_links_to_next_case_with_filters(doctor_client, case):
    html = doctor_client.get(
        reverse("triage:case_detail", args=[case.pk]), {"flag": "RECURRENT"}
    ).content.decode()

    assert f'{reverse("triage:case_next", args=[case.pk])}?flag=RECURRENT"' in html
