"""A case's follow-up date reads the same on every page: the worklist row, its CSV, the case page,
the printed case and the patient's own list.

It is the date of the booked visit the case waits for; once that visit is attended, missed or
cancelled, no page shows a date any more.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from patients.presenters import submission_status
from patients.selectors import submission_list_for
from tests.factories import make_case, make_visit
from tests.triage.worklist import DASHBOARD, F, hours_ago
from triage.audit.writer import Actor
from triage.cases.selectors import case_follow_up_on, follow_up_date
from triage.models import Case, Visit
from triage.visits.services import visit_change


@pytest.fixture
def booked(patient, doctor):
    """A case in "follow-up booked", waiting for a visit five days ahead."""
    case = make_case(patient, level=F, score=2, flags=["RECURRENT"], submitted_at=hours_ago(3))
    visit = make_visit(patient, days_ahead=5, hour=10, kind=Visit.Kind.FOLLOW_UP)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.FOLLOW_UP, follow_up_visit=visit)
    return Case.objects.select_related("follow_up_visit").get(pk=case.pk), visit


def shown_dates(client, case) -> dict[str, bool]:
    """Whether each page shows the follow-up visit's date (short or long form)."""
    day = timezone.localdate(case.follow_up_visit.starts_at)
    short, iso = date_format(day, "SHORT_DATE_FORMAT"), day.isoformat()
    page = client.get(DASHBOARD, {"all": "1"}).content.decode()
    (row,) = [
        markup
        for markup in re.findall(r'<tr class="queue-row.*?</tr>', page, re.S)
        if f"/cases/{case.pk}/" in markup
    ]
    csv = client.get(reverse("triage:export_csv"), {"all": "1"}).content.decode("utf-8-sig")
    detail = client.get(reverse("triage:case_detail", args=[case.pk])).content.decode()
    printed = client.get(reverse("triage:case_print", args=[case.pk])).content.decode()
    (mine,) = [item for item in submission_list_for(case.patient) if item.pk == case.pk]
    return {
        "worklist row": short in row,
        "CSV": iso in csv,
        "case page": date_format(timezone.localtime(case.follow_up_visit.starts_at), "DATETIME_FORMAT")
        in detail,
        "print": short in printed,
        "her status": submission_status(mine).follow_up_on == day,
    }


def test_a_booked_follow_up_shows_its_date_everywhere(doctor_client, booked):
    case, _visit = booked

    assert shown_dates(doctor_client, case) == dict.fromkeys(
        ["worklist row", "CSV", "case page", "print", "her status"], True
    )


@pytest.mark.parametrize("state", [Visit.State.ATTENDED, Visit.State.NO_SHOW])
def test_once_the_follow_up_visit_is_over_no_page_shows_its_date(doctor_client, doctor, booked, state):
    case, visit = booked

    # Closing a visit that has not started is what the visit page allows too (`check=False`).
    visit_change(visit_id=visit.pk, actor=Actor(doctor), state=state, check=False)
    shown = shown_dates(doctor_client, Case.objects.select_related("follow_up_visit").get(pk=case.pk))

    assert shown == dict.fromkeys(["worklist row", "CSV", "case page", "print", "her status"], False)


def test_the_follow_up_date_is_the_booked_visits_local_date_and_only_for_a_follow_up_case(booked):
    case, visit = booked
    day = timezone.localdate(visit.starts_at)

    assert case_follow_up_on(case) == day
    assert follow_up_date(Case.Status.FOLLOW_UP, Visit.State.BOOKED, visit.starts_at) == day
    assert follow_up_date(Case.Status.IN_REVIEW, Visit.State.BOOKED, visit.starts_at) is None
    assert follow_up_date(Case.Status.FOLLOW_UP, Visit.State.CANCELLED, visit.starts_at) is None
    assert follow_up_date(Case.Status.FOLLOW_UP, None, None) is None
