"""The worklist marks every case whose notes are not empty (RULES.md 11.2, S12)."""

import pytest

from tests.factories import make_case
from tests.triage.worklist import DASHBOARD, P, hours_ago
from triage.worklist.selectors import WorklistFilters, case_worklist_page

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
IT = {"HTTP_ACCEPT_LANGUAGE": "it"}


@pytest.mark.parametrize(
    ("answers", "marked"),
    [
        ({"notes": "Ho avuto febbre alta ieri"}, True),
        ({"notes": ""}, False),
        ({"notes": None}, False),
        ({}, False),
    ],
    ids=["written", "empty", "null", "absent"],
)
def test_the_row_knows_whether_she_wrote_notes(patient, answers, marked):
    make_case(patient, level=P, answers={"bleeding_after_sex": True, **answers}, submitted_at=hours_ago(1))

    (row,) = case_worklist_page(WorklistFilters()).rows

    assert row.has_notes is marked


def test_the_worklist_shows_the_marker_in_both_languages(doctor_client, patient):
    make_case(patient, level=P, answers={"notes": "svenuta due volte"}, submitted_at=hours_ago(1))
    make_case(patient, level=P, answers={"notes": ""}, submitted_at=hours_ago(2))

    english = doctor_client.get(DASHBOARD, **EN).content.decode()
    italian = doctor_client.get(DASHBOARD, **IT).content.decode()

    assert english.count("has notes") == 1
    assert italian.count("ha scritto note") == 1
    assert "svenuta" not in english
