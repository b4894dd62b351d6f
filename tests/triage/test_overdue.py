"""Overdue cases on the worklist and the case page (RULES.md 11.2, S8): nobody acted on them by
their deadline, so they are marked with a shape and a word, counted, filterable and first in
their level."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_case, make_patient
from tests.triage.worklist import DASHBOARD, E, F, P, R, U
from triage.audit.writer import Actor
from triage.cases.deadlines import act_by
from triage.cases.services import case_change_status, case_log_contact
from triage.models import Case
from triage.worklist.selectors import PAGE_SIZE, WorklistFilters, case_next, case_worklist_page

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
IT = {"HTTP_ACCEPT_LANGUAGE": "it"}

# A Wednesday in the clinic's hours (Monday to Friday 9:00-13:00 and 14:30-18:30).
NOW = datetime.fromisoformat("2026-12-09T12:00:00+01:00")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def sent(patient, level, *, ago, score=0, **kwargs) -> Case:
    """A case sent `ago` before NOW, with the deadline `case_sync` gives it."""
    submitted_at = NOW - ago
    case = make_case(patient, level=level, score=score, submitted_at=submitted_at, **kwargs)
    Case.objects.filter(pk=case.pk).update(level_since=submitted_at, act_by=act_by(level, submitted_at))
    case.refresh_from_db()
    return case


def page(client, params=None, headers=EN):
    return client.get(DASHBOARD, params or {}, **headers)


def test_an_emergency_past_its_30_working_minutes_is_overdue_with_a_word_an_icon_and_how_long(
    doctor_client, patient
):
    # Sent at 9:20, due at 9:50: 2 h 10 min late at noon.
    late = sent(patient, E, ago=timedelta(hours=2, minutes=40))
    fresh = sent(patient, E, ago=timedelta(minutes=10))

    html = page(doctor_client).content.decode()

    row = html[html.index(f'id="case-{late.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "overdue-marker" in row
    assert '<span aria-hidden="true">◷</span> Overdue' in row
    assert "by 2 h 10 min" in row
    fresh_row = html[html.index(f'id="case-{fresh.pk}"') :]
    assert "overdue-marker" not in fresh_row[: fresh_row.index("</tr>")]


def test_the_marker_reads_in_italian(doctor_client, patient):
    sent(patient, P, ago=timedelta(days=7))

    html = page(doctor_client, headers=IT).content.decode()

    assert "In ritardo" in html
    # Due at the close of Friday 4 December: 4 days, 17 h 30 min late on Wednesday at noon.
    assert "di 4 giorni" in html


@pytest.mark.parametrize(
    ("level", "ago", "overdue"),
    [
        pytest.param(E, timedelta(minutes=29), False, id="emergency-within-30-minutes"),
        pytest.param(E, timedelta(minutes=31), True, id="emergency-after-30-minutes"),
        pytest.param(U, timedelta(hours=1, minutes=59), False, id="urgent-within-2-hours"),
        # From 9:59 to noon are 2 h 1 min of working time.
        pytest.param(U, timedelta(hours=2, minutes=1), True, id="urgent-after-2-hours"),
        # Sent on Thursday: Friday and Monday are its two working days (Tuesday 8 December is a holiday).
        pytest.param(P, timedelta(days=6), True, id="priority-after-2-working-days"),
        pytest.param(P, timedelta(days=5), False, id="priority-a-holiday-is-no-working-day"),
        pytest.param(P, timedelta(days=1), False, id="priority-within-2-working-days"),
        pytest.param(F, timedelta(days=13), False, id="follow-up-within-10-working-days"),
        pytest.param(F, timedelta(days=17), True, id="follow-up-after-10-working-days"),
        pytest.param(R, timedelta(days=300), False, id="routine-never"),
    ],
)
def test_each_level_is_overdue_after_its_own_time_to_act(doctor_client, patient, level, ago, overdue):
    case = sent(patient, level, ago=ago)

    response = page(doctor_client, {"all": "1"})

    assert response.context["overdue_count"] == int(overdue)
    (row,) = [row for row in response.context["page"].rows if row.pk == case.pk]
    html = response.content.decode()
    assert ("overdue-marker" in html[html.index(f'id="case-{case.pk}"') :][:3000]) is overdue


ACTED = {
    "in-review": lambda case, doctor: case_change_status(
        case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=case.version
    ),
    "visit-booked": lambda case, doctor: case_change_status(
        case_id=case.pk,
        actor=Actor(doctor),
        to_status="follow_up",
        expected_version=case.version,
        follow_up_on=(NOW + timedelta(days=3)).date(),
    ),
    "closed": lambda case, doctor: case_change_status(
        case_id=case.pk,
        actor=Actor(doctor),
        to_status="closed",
        expected_version=case.version,
        reason="Vista.",
    ),
    "spoke-with-her": lambda case, doctor: case_log_contact(
        case_id=case.pk, actor=Actor(doctor), outcome="spoke", seen=0
    ),
}


@pytest.mark.parametrize("action", ACTED)
def test_a_case_acted_on_is_no_longer_overdue(doctor_client, patient, doctor, action):
    case = sent(patient, E, ago=timedelta(hours=2))
    assert page(doctor_client).context["overdue_count"] == 1

    ACTED[action](case, doctor)

    response = page(doctor_client, {"all": "1"})
    assert response.context["overdue_count"] == 0
    assert "overdue-marker" not in response.content.decode()


def test_calls_without_an_answer_leave_it_overdue(doctor_client, patient, doctor):
    case = sent(patient, E, ago=timedelta(hours=2))
    case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="no_answer", seen=0)
    case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="left_message", seen=1)

    html = page(doctor_client).content.decode()

    assert "overdue-marker" in html
    assert "2 attempts, last" in html


def test_overdue_cases_come_first_within_their_level_then_the_usual_order(doctor_client, patient):
    urgent_on_time = sent(patient, U, score=9, ago=timedelta(minutes=30))
    urgent_overdue_low = sent(patient, U, score=1, ago=timedelta(hours=4))
    urgent_overdue_high = sent(patient, U, score=5, ago=timedelta(hours=3))
    emergency_on_time = sent(patient, E, ago=timedelta(minutes=5))
    priority_overdue = sent(patient, P, ago=timedelta(days=6))
    priority_on_time = sent(patient, P, score=9, ago=timedelta(hours=1))

    rows = page(doctor_client).context["page"].rows

    assert [row.pk for row in rows] == [
        emergency_on_time.pk,
        urgent_overdue_high.pk,
        urgent_overdue_low.pk,
        urgent_on_time.pk,
        priority_overdue.pk,
        priority_on_time.pk,
    ]


def test_only_overdue_combines_with_the_other_filters_and_the_header_says_so(doctor_client, patient):
    other = make_patient(email="bianca@example.com", first_name="Bianca", last_name="Neri")
    mine = sent(patient, U, ago=timedelta(hours=4))
    sent(patient, U, ago=timedelta(minutes=5))
    sent(other, U, ago=timedelta(hours=4))
    sent(patient, P, ago=timedelta(days=6))

    response = page(doctor_client, {"overdue": "1", "level": str(U), "q": "rossi"})

    assert [row.pk for row in response.context["page"].rows] == [mine.pk]
    assert response.context["total"] == 1
    assert response.context["overdue_count"] == 1
    assert "only overdue (not acted on by their deadline)" in response.context["summary"]
    html = response.content.decode()
    assert 'id="id_overdue" checked' in html
    italian = page(doctor_client, {"overdue": "1"}, headers=IT).content.decode()
    assert "solo in ritardo (nessuno è intervenuto entro la scadenza)" in italian


def test_the_header_counts_the_overdue_cases_and_links_the_filter(doctor_client, patient):
    for hours in (2, 3, 4):
        sent(patient, E, ago=timedelta(hours=hours))
    sent(patient, E, ago=timedelta(minutes=1))

    response = page(doctor_client)

    assert response.context["overdue_count"] == 3
    html = response.content.decode()
    link = html[html.index('class="level-count overdue-count') :]
    link = link[: link.index("</a>")]
    assert "overdue=1" in link
    assert "Overdue" in link
    assert '<strong class="level-count-number">3</strong>' in link


def test_no_overdue_chip_when_nothing_is_overdue(doctor_client, patient):
    sent(patient, E, ago=timedelta(minutes=1))

    assert "overdue-count" not in page(doctor_client).content.decode()


def test_pages_after_pages_list_every_case_once_in_order_across_the_overdue_boundary(patient):
    # Three pages: overdue and on-time urgent cases, then priority cases of both kinds.
    expected_overdue = [
        sent(patient, U, score=index % 3, ago=timedelta(hours=3, minutes=index)) for index in range(30)
    ]
    on_time = [sent(patient, U, score=index % 3, ago=timedelta(minutes=index)) for index in range(20)]
    priority = [
        sent(patient, P, ago=timedelta(days=6 if index % 2 else 0, minutes=index)) for index in range(10)
    ]
    filters = WorklistFilters()

    seen = []
    current = case_worklist_page(filters)
    seen.extend(current.rows)
    while current.has_next:
        current = case_worklist_page(filters, after=current.last_pk)
        seen.extend(current.rows)
        assert len(current.rows) <= PAGE_SIZE

    assert len(seen) == 60
    assert len({row.pk for row in seen}) == 60
    assert {row.pk for row in seen[:30]} == {case.pk for case in expected_overdue}
    assert {row.pk for row in seen[30:50]} == {case.pk for case in on_time}
    assert seen[50].act_by < NOW  # the overdue priority cases lead their level
    assert {row.pk for row in seen[50:55]} == {case.pk for case in priority[1::2]}
    # Backwards from the last page, the same list.
    back = []
    current = case_worklist_page(filters, last=True)
    back[:0] = current.rows
    while current.has_previous:
        current = case_worklist_page(filters, before=current.first_pk)
        back[:0] = current.rows
    assert [row.pk for row in back] == [row.pk for row in seen]
    # "Next case" walks the same order.
    following = [case_next(Case.objects.get(pk=row.pk), filters) for row in seen]
    assert following == [row.pk for row in seen[1:]] + [None]
    # One row a page, both ways: a cursor on every row, across every level and overdue boundary.
    pks = [row.pk for row in seen]
    after = [case_worklist_page(filters, after=pk, size=1).rows[0].pk for pk in pks[:-1]]
    before = [case_worklist_page(filters, before=pk, size=1).rows[0].pk for pk in pks[1:]]
    assert (after, before) == (pks[1:], pks[:-1])


def test_page_numbers_count_the_overdue_cases_before_the_page(doctor_client, patient):
    for index in range(30):
        sent(patient, U, ago=timedelta(hours=3, minutes=index))
    for index in range(10):
        sent(patient, U, ago=timedelta(minutes=index))
    first = page(doctor_client).context["page"]

    second = page(doctor_client, {"after": first.last_pk}).context["page"]

    assert (second.number, second.pages) == (2, 2)
    assert len(second.rows) == 15


def populate(patient, total: int) -> None:
    levels = (E, U, P, F)
    for index in range(total):
        overdue = index % 3 == 0
        ago = timedelta(days=20, minutes=index) if overdue else timedelta(seconds=index)
        sent(patient, levels[index % 4], score=index % 5, ago=ago)


def test_the_default_list_runs_the_same_queries_at_any_size(doctor, client, patient):
    counts = {}
    for total in (30, 150):
        Case.objects.all().delete()
        populate(patient, total)
        client.force_login(doctor)
        first = page(client).context["page"]
        urls = {
            "first": {},
            "next": {"after": first.last_pk},
            "last": {"page": "last"},
            "overdue": {"overdue": "1"},
        }
        counts[total] = {}
        for name, params in urls.items():
            page(client, params)
            with CaptureQueriesContext(connection) as queries:
                response = page(client, params)
            assert response.status_code == 200
            counts[total][name] = len(queries)
    assert counts[30] == counts[150]


@pytest.mark.parametrize("total", [30, 150])
def test_the_default_list_stays_within_its_query_limit(
    doctor_client, patient, django_assert_max_num_queries, total
):
    populate(patient, total)
    page(doctor_client)

    with django_assert_max_num_queries(13):
        response = page(doctor_client)

    assert response.context["overdue_count"] == len(range(0, total, 3))


def test_the_case_page_shows_the_deadline_beside_the_level(doctor_client, patient):
    case = sent(patient, U, ago=timedelta(minutes=30))

    html = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **EN).content.decode()

    # Sent at 11:30: one working hour left before lunch at 13:00 (1 h 30 min), so 15:00.
    assert "act by Wednesday 9 December 2026, 15:00" in html
    assert "overdue-marker" not in html
    italian = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **IT).content.decode()
    assert "intervenire entro mercoledì 9 dicembre 2026, 15:00" in italian


def test_the_case_page_says_when_it_is_overdue_and_drops_the_deadline_once_acted_on(
    doctor_client, patient, doctor
):
    case = sent(patient, E, ago=timedelta(hours=2, minutes=40))
    url = reverse("triage:case_detail", args=[case.pk])

    html = doctor_client.get(url, **EN).content.decode()
    assert "act by Wednesday 9 December 2026, 09:50" in html
    assert "by 2 h 10 min" in html

    case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="spoke", seen=0)
    html = doctor_client.get(url, **EN).content.decode()
    assert "act by" not in html
    assert "overdue-marker" not in html
