"""What her pages show after a re-assessment (RULES.md 11.2, S4 c, S5): a move up gives her the new
advice at once, as a live alarm dated on the re-assessment day, with the earlier advice below as a
dated record; a move down changes nothing she sees until a doctor signs it off."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clinic.models import ClinicProfile
from tests import factories
from tests.triage.retriage import RETRIAGED, SENT, reassess
from tests.triage.worklist import F, P, U
from triage.audit.writer import Actor
from triage.cases.retriage_tasks import case_keep_higher, case_sign_off_lower
from triage.cases.services import case_change_status, case_log_contact

pytestmark = pytest.mark.django_db

NEXT_DAY = RETRIAGED + timedelta(hours=20)  # Thursday 11:00
WORDS = {
    "en": {
        "updated": "Advice updated on 9 December 2026",
        "given": "Advice given on 7 December 2026",
        "urgent": "Get checked today",
        "follow_up": "Book a visit in the coming weeks",
        "priority": "Please phone the clinic soon",
        "unacted": "If you have not been seen yet, go to an emergency department today or phone the clinic",
    },
    "it": {
        "updated": "Indicazioni aggiornate il 9 dicembre 2026",
        "given": "Indicazioni date il 7 dicembre 2026",
        "urgent": "Si faccia valutare oggi",
        "follow_up": "Prenoti una visita nelle prossime settimane",
    },
}


@pytest.fixture(autouse=True)
def clinic_phone():
    ClinicProfile.objects.update(phone="+39 02 7654 3210")


def her_pages(patient, case, moment, language="en") -> dict[str, str]:
    """Her home, her questionnaires list and this questionnaire's page, as she reads them at `moment`."""
    client = Client()
    client.cookies["django_language"] = language
    with time_machine.travel(moment, tick=False):
        client.force_login(patient.user)
        return {
            name: client.get(url).content.decode()
            for name, url in (
                ("home", reverse("home")),
                ("list", reverse("patients:submission_list")),
                ("detail", reverse("patients:submission_detail", args=[case.pk])),
            )
        }


def block(page: str, marker: str) -> str:
    """The section that holds `marker` (a class or an id), up to its end."""
    start = page.rindex("<section", 0, page.index(marker))
    return page[start : page.index("</section>", start)]


def live_alarm(page: str) -> str:
    """The first live alarm of a page: the banner, the home card's or the questionnaire page's."""
    return block(page, "advice-live")


@pytest.fixture
def moved_up(patient):
    case = factories.make_case(patient, level=F, score=2, submitted_at=SENT)
    reassess(case, U, at=RETRIAGED)
    return case


@pytest.mark.parametrize("language", ["en", "it"])
def test_her_pages_show_the_new_advice_as_a_live_alarm_dated_on_the_reassessment_day(
    patient, moved_up, language
):
    words = WORDS[language]
    pages = her_pages(patient, moved_up, NEXT_DAY, language)

    for name, page in pages.items():
        alarm = live_alarm(page)
        assert words["updated"] in alarm, name
        assert words["urgent"] in alarm, name
        # Never the new advice dated on the day she sent the questionnaire.
        assert words["given"] not in alarm, name
        assert 'role="alert"' in alarm, name
        main = page[page.index('<main id="main"') :]
        assert main.index("advice-live") < main.index("<h1") or name == "home", name

    # Below the new advice, the earlier one as a dated record: on her home and her questionnaire.
    for name in ("home", "detail"):
        page = pages[name]
        record = block(page, "advice-earlier")
        assert words["given"] in record and words["follow_up"] in record, name
        assert page.index("advice-live") < page.index("advice-earlier"), name
        assert 'role="alert"' not in record
    # Her list names it in one line under the questionnaire.
    item = pages["list"][pages["list"].index("submission-item") :]
    assert words["updated"] in item and words["given"] in item


def test_the_alarm_is_dated_on_the_reassessment_in_the_banner_of_her_other_pages(patient, moved_up):
    client = Client()
    client.cookies["django_language"] = "en"
    with time_machine.travel(NEXT_DAY, tick=False):
        client.force_login(patient.user)
        page = client.get(reverse("patients:profile")).content.decode()

    banner = block(page, "alarm-banner")
    assert WORDS["en"]["updated"] in banner
    assert reverse("patients:submission_detail", args=[moved_up.pk]) in banner


def test_s3_counts_its_24_hours_from_the_reassessment(patient, moved_up):
    before = her_pages(patient, moved_up, RETRIAGED + timedelta(hours=23))
    after = her_pages(patient, moved_up, RETRIAGED + timedelta(hours=25))

    for name in before:
        assert WORDS["en"]["urgent"] in live_alarm(before[name]), name
        assert WORDS["en"]["unacted"] not in live_alarm(before[name]), name
        assert WORDS["en"]["unacted"] in live_alarm(after[name]), name


def test_what_the_clinic_did_before_the_move_up_does_not_fold_the_new_alarm(patient, doctor):
    case = factories.make_case(patient, level=F, score=2, submitted_at=SENT)
    with time_machine.travel(SENT + timedelta(hours=2), tick=False):
        case_change_status(case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=1)
        case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="spoke", seen=0)
    reassess(case, U, at=RETRIAGED)

    pages = her_pages(patient, case, NEXT_DAY)
    for name, page in pages.items():
        assert WORDS["en"]["updated"] in live_alarm(page), name

    with time_machine.travel(RETRIAGED + timedelta(hours=1), tick=False):
        case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="spoke", seen=1)

    pages = her_pages(patient, case, NEXT_DAY)
    for name, page in pages.items():
        assert "advice-live" not in page, name
    assert "The clinic spoke with you on 9 December 2026." in pages["home"]
    # Folded, the record keeps the date of the update.
    assert WORDS["en"]["updated"] in block(pages["detail"], "advice-past")


def test_a_move_up_into_priority_updates_her_advice_dated_on_the_reassessment_day(patient):
    case = factories.make_case(patient, level=F, score=2, submitted_at=SENT)
    reassess(case, P, at=RETRIAGED)

    pages = her_pages(patient, case, NEXT_DAY)

    card = pages["home"][pages["home"].index("home-card") :]
    assert WORDS["en"]["priority"] in card
    assert WORDS["en"]["updated"] in card
    assert "advice-live" not in pages["home"]
    assert WORDS["en"]["given"] in block(pages["detail"], "advice-earlier")


def test_a_move_down_changes_nothing_she_sees_until_a_doctor_signs_it_off(patient, doctor):
    case = factories.make_case(patient, level=U, score=7, submitted_at=SENT)
    before = her_pages(patient, case, NEXT_DAY)
    lower = reassess(case, F, score=1, flags=[], at=RETRIAGED)

    held = her_pages(patient, case, NEXT_DAY)

    for name, page in held.items():
        alarm = live_alarm(page)
        # Her urgent advice of Monday, unacted for three days: S3's headline over it.
        assert WORDS["en"]["unacted"] in alarm and WORDS["en"]["given"] in alarm, name
        assert WORDS["en"]["follow_up"] not in page, name
        assert "Advice updated on" not in page, name
        assert page.count("advice-live") == before[name].count("advice-live"), name

    signed = NEXT_DAY + timedelta(hours=1)
    with time_machine.travel(signed, tick=False):
        case_sign_off_lower(case_id=case.pk, actor=Actor(doctor), assessment_id=lower.pk)

    after = her_pages(patient, case, signed + timedelta(hours=1))
    card = after["home"][after["home"].index("home-card") :]
    assert WORDS["en"]["follow_up"] in card
    assert "Advice updated on 10 December 2026" in card
    assert "advice-live" not in after["home"]
    # The urgent advice she had stays as its dated record.
    record = block(after["detail"], "advice-earlier")
    assert WORDS["en"]["given"] in record and WORDS["en"]["urgent"] in record


def test_keeping_the_higher_level_leaves_her_advice_as_it_was(patient, doctor):
    case = factories.make_case(patient, level=U, score=7, submitted_at=SENT)
    lower = reassess(case, F, score=1, flags=[], at=RETRIAGED)
    with time_machine.travel(NEXT_DAY, tick=False):
        case_keep_higher(case_id=case.pk, actor=Actor(doctor), assessment_id=lower.pk)

    pages = her_pages(patient, case, NEXT_DAY + timedelta(hours=1))

    for name, page in pages.items():
        alarm = live_alarm(page)
        assert WORDS["en"]["given"] in alarm and WORDS["en"]["unacted"] in alarm, name
        assert "advice-earlier" not in page, name


@pytest.mark.parametrize("name", ["home", "list", "detail"])
def test_her_pages_read_the_same_number_of_queries_with_many_updated_advices(
    patient, doctor, name, django_assert_max_num_queries
):
    def add(count):
        cases = []
        for n in range(count):
            case = factories.make_case(
                patient, level=[F, P, U][n % 3], submitted_at=SENT + timedelta(minutes=n)
            )
            reassess(case, [U, F, P][n % 3], at=RETRIAGED)
            cases.append(case)
        return cases

    first = add(2)[0]
    url = {
        "home": reverse("home"),
        "list": reverse("patients:submission_list"),
        "detail": reverse("patients:submission_detail", args=[first.pk]),
    }[name]
    client = Client()
    with time_machine.travel(NEXT_DAY, tick=False):
        client.force_login(patient.user)
        client.get(url)  # warms the session and the clinic profile's cache
        with django_assert_max_num_queries(12) as small:
            client.get(url)
        small_count = len(small.captured_queries)
    add(12)
    with time_machine.travel(NEXT_DAY, tick=False):
        client.get(url)
        with django_assert_max_num_queries(small_count) as big:
            page = client.get(url).content.decode()
    assert len(big.captured_queries) == small_count > 0
    assert "Advice updated on" in page or "Indicazioni aggiornate il" in page
