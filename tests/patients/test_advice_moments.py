"""The actions under the advice fit the moment: the clinic's hours decide what comes first
(RULES.md 11.2, S9 and S14). The demo week is Monday to Friday 9:00-13:00 and 14:30-18:30."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from clinic.models import ClinicProfile
from tests import factories
from triage.audit.writer import Actor
from triage.models import CaseLevel

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
PHONE = "+39 02 7654 3210"
PHONE_HREF = 'href="tel:+390276543210"'
FRIDAY_NIGHT = datetime(2026, 12, 11, 22, 25, tzinfo=ROME)
SATURDAY_MORNING = datetime(2026, 12, 12, 10, 0, tzinfo=ROME)
MONDAY_OPENING = datetime(2026, 12, 14, 9, 0, tzinfo=ROME)
OUT_OF_HOURS = "If the clinic is closed and you need non-urgent medical advice"


@pytest.fixture(autouse=True)
def clinic_phone():
    ClinicProfile.objects.update(phone=PHONE, out_of_hours_phone="116117")


def advice_at(client, level, moment, *, language="en"):
    """The advice section of her questionnaire's page at `moment`, sent five minutes earlier."""
    patient = factories.make_patient(email=f"p{level}{moment:%d%H}@example.com")
    case = factories.make_case(patient, level=level, submitted_at=moment - timedelta(minutes=5))
    client.cookies["django_language"] = language
    with time_machine.travel(moment, tick=False):
        client.force_login(patient.user)
        page = client.get(reverse("patients:submission_detail", args=[case.pk])).content.decode()
    return re.search(
        r'<section class="alert[^>]*aria-labelledby="advice-title-main".*?</section>', page, re.S
    )[0]


def actions(advice):
    """(kind, primary) of each call action, in order."""
    return re.findall(r'data-kind="(\w+)" data-primary="(yes|no)"', advice)


@pytest.mark.parametrize("moment", [FRIDAY_NIGHT, SATURDAY_MORNING], ids=["friday-22-25", "saturday-10-00"])
def test_urgent_while_closed_leads_with_the_emergency_department_and_112(client, moment):
    advice = advice_at(client, CaseLevel.URGENT, moment)
    assert actions(advice) == [("emergency", "yes"), ("clinic", "no")]
    department = advice.index("The clinic is closed now: go to an emergency department today.")
    assert department < advice.index('href="tel:112"') < advice.index(PHONE_HREF)
    assert "Call the clinic from Monday 14 December, 09:00" in advice
    assert "116117" not in advice and OUT_OF_HOURS not in advice


def test_urgent_while_open_leads_with_the_clinic_then_112_if_worse(client):
    advice = advice_at(client, CaseLevel.URGENT, MONDAY_OPENING)
    assert actions(advice) == [("clinic", "yes"), ("emergency", "no")]
    assert "Call 112 if it gets worse" in advice
    assert "emergency department today." not in advice.split("Some of your answers")[0]


@pytest.mark.parametrize(
    "moment",
    [FRIDAY_NIGHT, SATURDAY_MORNING, MONDAY_OPENING],
    ids=["friday-22-25", "saturday-10-00", "monday-09-00"],
)
def test_emergency_always_leads_with_112_and_the_clinic_is_smaller(client, moment):
    advice = advice_at(client, CaseLevel.EMERGENCY, moment)
    assert actions(advice) == [("emergency", "yes"), ("clinic", "no")]
    assert re.search(r'class="btn btn-lg btn-danger call-emergency" href="tel:112"', advice)
    assert re.search(rf'class="btn btn-sm btn-outline-primary clinic-call" {re.escape(PHONE_HREF)}', advice)
    assert "116117" not in advice


@pytest.mark.parametrize("level", [CaseLevel.PRIORITY, CaseLevel.FOLLOW_UP], ids=["priority", "follow-up"])
def test_priority_and_follow_up_while_closed_give_the_next_opening_and_the_out_of_hours_line(client, level):
    advice = advice_at(client, level, SATURDAY_MORNING)
    assert actions(advice) == [("clinic", "yes")]
    assert "The clinic is closed now; it opens from Monday 14 December, 09:00." in advice
    assert (
        f"{OUT_OF_HOURS}, you can call the out-of-hours doctor service (continuità assistenziale) on 116117."
        in advice
    )
    assert 'href="tel:116117"' in advice


@pytest.mark.parametrize("level", [CaseLevel.PRIORITY, CaseLevel.FOLLOW_UP], ids=["priority", "follow-up"])
def test_priority_while_open_shows_the_hours_and_no_out_of_hours_line(client, level):
    advice = advice_at(client, level, MONDAY_OPENING)
    assert "Opening hours: Monday to Friday 9:00-13:00 and 14:30-18:30" in advice
    assert OUT_OF_HOURS not in advice


def test_no_out_of_hours_line_until_the_clinic_sets_one(client):
    ClinicProfile.objects.update(out_of_hours_phone="")
    advice = advice_at(client, CaseLevel.PRIORITY, SATURDAY_MORNING)
    assert OUT_OF_HOURS not in advice


def test_the_next_opening_reads_tomorrow_and_today(client):
    thursday_night = datetime(2026, 12, 10, 20, tzinfo=ROME)
    assert "it opens tomorrow from 09:00." in advice_at(client, CaseLevel.PRIORITY, thursday_night)
    lunch = datetime(2026, 12, 10, 13, 30, tzinfo=ROME)
    assert "it opens today from 14:30." in advice_at(client, CaseLevel.PRIORITY, lunch)


def test_the_emergency_numbers_come_from_the_profile(client):
    ClinicProfile.objects.update(emergency_number="118", second_emergency_number="112")
    advice = advice_at(client, CaseLevel.EMERGENCY, MONDAY_OPENING)
    assert 'href="tel:118"' in advice and "Call 118 now" in advice
    assert 'href="tel:112"' not in advice


def test_until_hours_are_set_the_clinic_counts_as_open(client):
    ClinicProfile.objects.get().opening_intervals.all().delete()
    advice = advice_at(client, CaseLevel.URGENT, FRIDAY_NIGHT)
    assert actions(advice) == [("clinic", "yes"), ("emergency", "no")]


def test_urgent_while_closed_in_italian(client):
    advice = advice_at(client, CaseLevel.URGENT, FRIDAY_NIGHT, language="it")
    assert "Lo studio ora è chiuso: vada oggi in pronto soccorso." in advice
    assert "Chiami lo studio lunedì 14 dicembre dalle 09:00" in advice


@pytest.mark.parametrize(("version", "net"), [(1, True), (2, True), (None, False)])
def test_rule_set_1_and_2_routine_advice_gets_the_safety_net_line(client, version, net):
    """RULES.md S10: the line follows the advice on her pages; the stored assessment is unchanged."""
    patient = factories.make_patient(email=f"net{version}@example.com")
    case = factories.make_case(patient, level=CaseLevel.ROUTINE, rules_version=version or 3)
    client.force_login(patient.user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("patients:submission_detail", args=[case.pk])).content.decode()
    line = "If you are or might be pregnant and have lower-belly pain or bleeding, get seen the same day."
    assert (line in page) is net


def test_what_happens_next_for_urgent_advice_while_closed_starts_with_the_emergency_department(client):
    patient = factories.make_patient(email="next@example.com")
    case = factories.make_case(
        patient, level=CaseLevel.URGENT, submitted_at=FRIDAY_NIGHT - timedelta(minutes=5)
    )
    client.cookies["django_language"] = "en"
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        client.force_login(patient.user)
        page = client.get(reverse("patients:submission_detail", args=[case.pk])).content.decode()
        home = client.get(reverse("home")).content.decode()
    for html in (page, home):
        step = html[html.index("What happens next:") :]
        step = step[: step.index("</p>")]
        assert "The clinic is closed now: go to an emergency department today" in step
        assert "Phone the clinic now" not in step


def test_routine_advice_names_her_booked_visit(client):
    patient = factories.make_patient(email="visit@example.com")
    case = factories.make_case(
        patient, level=CaseLevel.ROUTINE, submitted_at=MONDAY_OPENING - timedelta(hours=1)
    )
    factories.make_visit(
        patient, starts_at=datetime(2026, 12, 16, 10, 30, tzinfo=ROME), booked_at=MONDAY_OPENING
    )
    client.cookies["django_language"] = "en"
    with time_machine.travel(MONDAY_OPENING, tick=False):
        client.force_login(patient.user)
        page = client.get(reverse("patients:submission_detail", args=[case.pk])).content.decode()
    assert "Your booked visit: Wednesday 16 December 2026, 10:30" in page


def test_an_acted_on_alarm_keeps_two_small_call_buttons(client, doctor):
    from triage.cases.services import case_change_status

    patient = factories.make_patient(email="acted@example.com")
    case = factories.make_case(
        patient, level=CaseLevel.URGENT, submitted_at=FRIDAY_NIGHT - timedelta(minutes=5)
    )
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        case_change_status(
            case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=case.version
        )
    client.cookies["django_language"] = "en"
    with time_machine.travel(SATURDAY_MORNING, tick=False):
        client.force_login(patient.user)
        page = client.get(reverse("patients:submission_detail", args=[case.pk])).content.decode()
    record = page[page.index("advice-past") :]
    record = record[: record.index("</section>")]
    assert actions(record) == [("emergency", "no"), ("clinic", "no")]
    assert "go to an emergency department today." not in record.split("<details")[0]
