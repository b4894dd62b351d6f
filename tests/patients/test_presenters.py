"""Her list: date and time, and a status in patient words, derived in one place from the case."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from patients.presenters import FOLLOW_UP, READ, RECEIVED, submission_status
from patients.selectors import submission_list_for
from tests import factories
from triage.audit.writer import Actor
from triage.cases.services import case_change_status
from triage.models import CaseLevel

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 3, 12, 11, 0, tzinfo=ROME)
LIST_URL = reverse("patients:submission_list")


def shown(value, format_name, language="en"):
    """A date as the pages show it in `language` (its format is the locale's, not this test's)."""
    with translation.override(language):
        return date_format(timezone.localtime(value) if hasattr(value, "tzinfo") else value, format_name)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def listing(client):
    client.cookies["django_language"] = "en"
    return client.get(LIST_URL).content.decode()


def statuses(patient):
    return {item.pk: submission_status(item).code for item in submission_list_for(patient)}


def test_a_new_case_is_received_until_a_doctor_opens_it(patient, doctor, other_patient):
    case = factories.make_case(patient, level=CaseLevel.PRIORITY, submitted_at=NOW - timedelta(hours=3))
    theirs = factories.make_case(other_patient, submitted_at=NOW - timedelta(hours=2))
    assert statuses(patient) == {case.pk: RECEIVED}

    # Someone else's case opened by the doctor changes nothing for her.
    doctor_client = Client()
    doctor_client.force_login(doctor)
    assert doctor_client.get(reverse("triage:case_detail", args=[theirs.pk])).status_code == 200
    assert statuses(patient) == {case.pk: RECEIVED}

    # Her row seen on the worklist is in her access log, but her answers are not read yet.
    assert doctor_client.get(reverse("triage:dashboard")).status_code == 200
    assert statuses(patient) == {case.pk: RECEIVED}

    assert doctor_client.get(reverse("triage:case_detail", args=[case.pk])).status_code == 200
    assert statuses(patient) == {case.pk: READ}


def test_status_changes_read_as_the_patient_would_say_them(patient_client, patient, doctor):
    case = factories.make_case(patient, submitted_at=NOW - timedelta(days=1))
    page = listing(patient_client)
    assert 'data-status="received">Received<' in page
    assert "New" not in page and "In review" not in page

    case = case_change_status(case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=1)
    assert 'data-status="read">Read by the doctor<' in listing(patient_client)

    case = case_change_status(
        case_id=case.pk,
        actor=Actor(doctor),
        to_status="follow_up",
        expected_version=case.version,
        follow_up_on=date(2026, 3, 20),
    )
    assert statuses(patient) == {case.pk: FOLLOW_UP}
    booked = f"Follow-up booked for {shown(date(2026, 3, 20), 'DATE_FORMAT')}"
    assert f'data-status="follow_up">{booked}<' in listing(patient_client)

    case_change_status(
        case_id=case.pk, actor=Actor(doctor), to_status="closed", expected_version=case.version, reason="seen"
    )
    page = listing(patient_client)
    assert 'data-status="closed">Closed<' in page
    assert "Follow-up booked" not in page


def test_the_list_shows_the_date_and_the_time_of_sending(patient_client, patient):
    sent = datetime(2026, 3, 5, 9, 30, tzinfo=ROME)
    factories.make_case(patient, submitted_at=sent)
    page = listing(patient_client)
    assert f"Sent on {shown(sent, 'DATETIME_FORMAT')}" in page
    assert "9:30" in shown(sent, "DATETIME_FORMAT")  # the time, not only the day


def test_the_italian_list_names_the_status_in_italian(patient_client, patient):
    factories.make_case(patient, submitted_at=NOW - timedelta(hours=1), status="closed")
    patient_client.cookies["django_language"] = "it"
    page = patient_client.get(LIST_URL).content.decode()
    assert 'data-status="closed">Chiuso<' in page


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_reads_a_constant_number_of_queries(
    patient_client, patient, doctor, size, django_assert_max_num_queries
):
    doctor_client = Client()
    doctor_client.force_login(doctor)
    for n in range(size):
        case = factories.make_case(patient, level=n % 5, submitted_at=NOW - timedelta(hours=n + 1))
        if n % 2:
            doctor_client.get(reverse("triage:case_detail", args=[case.pk]))
    patient_client.get(LIST_URL)  # warms the session and the clinic profile cache
    # The session and her account, her questionnaires with their cases' state, her next visit and
    # her live alarms for the top of the page.
    with django_assert_max_num_queries(7):
        page = listing(patient_client)
    assert page.count('data-status="read"') == size // 2
    assert page.count('data-status="received"') == size - size // 2
