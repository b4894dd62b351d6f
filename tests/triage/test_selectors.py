"""The worklist's reads (triage/worklist/selectors.py, triage/cases/selectors.py): order, counts, filters, pages, next case, history, speed."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patients.models import Submission
from tests.factories import make_case, make_doctor, make_patient
from tests.triage.worklist import DASHBOARD, EXPECTED_ORDER, E, F, M, P, R, U, names_of, pks
from triage.models import AuditEvent, Case, CaseEvent, ContactAttempt
from triage.worklist.selectors import PAGE_SIZE, WorklistFilters, case_worklist

# --- Order -----------------------------------------------------------------------------------------


def test_worklist_orders_by_level_then_score_then_waiting_time(doctor_client, ordered_cases):
    response = doctor_client.get(DASHBOARD, {"all": "1"})

    assert [ordered_cases[pk] for pk in pks(response)] == EXPECTED_ORDER


def test_worklist_selector_uses_the_same_order(ordered_cases):
    order = [ordered_cases[case.pk] for case in case_worklist(WorklistFilters(include_all=True))]

    assert order == EXPECTED_ORDER


def test_default_worklist_shows_open_flagged_cases_only(doctor_client, ordered_cases, patient):
    closed = make_case(patient, level=E, score=10, status="closed")

    response = doctor_client.get(DASHBOARD)

    shown = [ordered_cases.get(pk) for pk in pks(response)]
    assert shown == [name for name in EXPECTED_ORDER if not name.startswith("routine")]
    assert closed.pk not in pks(response)


def test_one_link_includes_routine_and_closed_cases(doctor_client, ordered_cases, patient):
    closed = make_case(patient, level=E, score=10, status="closed")
    response = doctor_client.get(DASHBOARD)
    link = re.search(r'href="\?([^"]*all=1[^"]*)"', response.content.decode()).group(1)

    response = doctor_client.get(f"{DASHBOARD}?{link}")

    assert len(pks(response)) == len(EXPECTED_ORDER) + 1
    assert closed.pk in pks(response)


def test_worklist_never_shows_drafts(doctor_client, patient):
    Submission.objects.create(patient=patient, answers={"soaks_pad_hourly": True})

    response = doctor_client.get(DASHBOARD, {"all": "1"}, HTTP_ACCEPT_LANGUAGE="en")

    assert pks(response) == []
    assert "No cases match these filters." in response.content.decode()


# --- Counts ----------------------------------------------------------------------------------------


def test_counts_per_level_follow_the_other_filters(doctor_client, patient, other_patient):
    make_case(patient, level=E, score=10)
    make_case(patient, level=P, score=6)
    make_case(patient, level=P, score=6, status="closed")
    make_case(patient, level=R)
    make_case(other_patient, level=P, score=6)

    # The default list (open flagged cases) has no routine level to count.
    counts = doctor_client.get(DASHBOARD).context["level_links"]
    by_level = {item["level"]: item["count"] for item in counts}
    assert by_level == {M: 0, E: 1, U: 0, P: 2, F: 0}
    assert [item["level"] for item in counts] == [M, E, U, P, F]

    counts = doctor_client.get(DASHBOARD, {"all": "1"}).context["level_links"]
    assert {item["level"]: item["count"] for item in counts} == {M: 0, E: 1, U: 0, P: 3, F: 0, R: 1}

    counts = doctor_client.get(DASHBOARD, {"q": "Verdi"}).context["level_links"]
    assert {item["level"]: item["count"] for item in counts}[P] == 1


def test_total_matches_the_rows(doctor_client, patient):
    for _ in range(3):
        make_case(patient, level=F, score=1)
    make_case(patient, level=R)

    response = doctor_client.get(DASHBOARD)

    assert response.context["total"] == 3


# --- Filters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({}, {"emergency", "recurrent", "priority_followup"}, id="default"),
        pytest.param({"level": "4"}, {"emergency"}, id="level"),
        pytest.param({"level": ["2", "1"]}, {"recurrent", "priority_followup"}, id="two-levels"),
        pytest.param({"level": "0"}, {"routine"}, id="routine-level-overrides-default"),
        pytest.param({"level": "2", "all": "1"}, {"priority_followup", "closed"}, id="level-with-all"),
        pytest.param({"flag": "RECURRENT"}, {"recurrent", "priority_followup"}, id="flag"),
        pytest.param({"flag": "HEAVY_ACUTE"}, {"emergency"}, id="flag-first-bit"),
        pytest.param({"flag": "STI_RISK"}, set(), id="flag-none"),
        pytest.param({"status": "follow_up"}, {"priority_followup"}, id="status"),
        pytest.param({"status": "closed"}, {"closed"}, id="closed-status-overrides-default"),
        pytest.param({"status": ["new", "closed"], "level": "2"}, {"closed"}, id="status-and-level"),
        pytest.param(
            {"all": "1"}, {"emergency", "recurrent", "priority_followup", "routine", "closed"}, id="all"
        ),
        pytest.param({"q": "rossi"}, {"emergency", "priority_followup"}, id="search-last-name"),
        pytest.param({"q": "Anna Verdi"}, {"recurrent"}, id="search-full-name"),
        pytest.param({"q": "other@example"}, {"recurrent"}, id="search-email"),
        pytest.param({"q": "Nessuna"}, set(), id="search-no-match"),
        pytest.param({"flag": "SCREENING_GAP", "q": "verdi"}, {"recurrent"}, id="flag-and-search"),
    ],
)
def test_worklist_filters(doctor_client, varied, params, expected):
    response = doctor_client.get(DASHBOARD, params)

    assert response.status_code == 200
    assert names_of(response, varied) == expected
    assert response.context["ignored"] == []


def test_date_range_filter_is_inclusive_in_local_days(doctor_client, varied):
    today = timezone.localdate()
    params = {
        "all": "1",
        "submitted_from": (today - timedelta(days=10)).isoformat(),
        "submitted_to": (today - timedelta(days=2)).isoformat(),
    }

    response = doctor_client.get(DASHBOARD, params)

    assert names_of(response, varied) == {"recurrent", "routine", "closed"}


def test_date_filter_from_only(doctor_client, varied):
    since = (timezone.localdate() - timedelta(days=5)).isoformat()

    response = doctor_client.get(DASHBOARD, {"submitted_from": since})

    assert names_of(response, varied) == {"emergency"}


# --- Pages -----------------------------------------------------------------------------------------


def test_worklist_pages_hold_25_rows(doctor_client, sixty):
    response = doctor_client.get(DASHBOARD)

    assert PAGE_SIZE == 25
    assert pks(response) == sixty[:25]
    assert response.context["page"].has_next
    assert not response.context["page"].has_previous


def test_next_pages_follow_the_order_without_gaps(doctor_client, sixty):
    seen = []
    params = {}
    while True:
        page = doctor_client.get(DASHBOARD, params).context["page"]
        seen.extend(case.pk for case in page.rows)
        if not page.has_next:
            break
        params = {"after": page.last_pk}

    assert seen == sixty


def test_last_page_and_previous_pages(doctor_client, sixty):
    last = doctor_client.get(DASHBOARD, {"page": "last"}).context["page"]
    assert [case.pk for case in last.rows] == sixty[-25:]
    assert last.has_previous and not last.has_next

    previous = doctor_client.get(DASHBOARD, {"before": last.first_pk}).context["page"]
    assert [case.pk for case in previous.rows] == sixty[10:35]
    assert previous.has_previous and previous.has_next

    first = doctor_client.get(DASHBOARD, {"before": previous.first_pk}).context["page"]
    assert [case.pk for case in first.rows] == sixty[:10]
    assert not first.has_previous


def test_a_page_cursor_to_a_deleted_case_falls_back_to_the_first_page(doctor_client, sixty):
    Submission.objects.filter(pk=sixty[30]).delete()

    response = doctor_client.get(DASHBOARD, {"after": sixty[30]})

    assert response.status_code == 200
    assert pks(response) == sixty[:25]
    assert response.context["page"].cursor_lost


def test_pages_with_ties_on_score_and_time(doctor_client, patient):
    same = timezone.now() - timedelta(hours=3)
    created = [make_case(patient, level=P, score=6, submitted_at=same).pk for _ in range(30)]

    first = doctor_client.get(DASHBOARD).context["page"]
    second = doctor_client.get(DASHBOARD, {"after": first.last_pk}).context["page"]

    assert [case.pk for case in first.rows] + [case.pk for case in second.rows] == sorted(created)


# --- Next case -------------------------------------------------------------------------------------


def test_next_case_follows_the_worklist_order_and_filters(doctor_client, ordered_cases):
    by_name = {name: pk for pk, name in ordered_cases.items()}

    response = doctor_client.get(reverse("triage:case_next", args=[by_name["emergency-high"]]))
    assert response.url == reverse("triage:case_detail", args=[by_name["emergency-low-old"]])

    response = doctor_client.get(
        reverse("triage:case_next", args=[by_name["emergency-low-new"]]), {"level": "4"}
    )
    assert response.status_code == 302
    assert response.url == f"{DASHBOARD}?level=4"

    response = doctor_client.get(reverse("triage:case_next", args=[by_name["follow-up-low"]]), {"all": "1"})
    assert response.url == reverse("triage:case_detail", args=[by_name["routine-old"]]) + "?all=1"


def test_next_case_from_a_closed_case_continues_from_its_place(doctor_client, ordered_cases):
    by_name = {name: pk for pk, name in ordered_cases.items()}
    Case.objects.filter(pk=by_name["priority-high"]).update(status="closed")

    response = doctor_client.get(reverse("triage:case_next", args=[by_name["priority-high"]]))

    assert response.url == reverse("triage:case_detail", args=[by_name["priority-tie-oldest"]])


# --- History ---------------------------------------------------------------------------------------


def test_case_page_shows_the_patients_history_with_bleeding_trend(doctor_client, patient, other_patient):
    now = timezone.now()
    old = make_case(
        patient,
        level=R,
        answers={"bleeding_after_sex": True, "bleeding_episodes_3m": 1, "bleeding_amount": "streaks"},
        submitted_at=now - timedelta(days=60),
    )
    middle = make_case(
        patient,
        level=F,
        score=2,
        flags=["RECURRENT"],
        answers={"bleeding_after_sex": True, "bleeding_episodes_3m": 2, "bleeding_amount": "spotting"},
        submitted_at=now - timedelta(days=20),
    )
    make_case(patient, level=R, answers={"vaginal_dryness": True}, submitted_at=now - timedelta(days=200))
    current = make_case(
        patient,
        level=P,
        score=7,
        flags=["RECURRENT", "ABUNDANT", "ESC_MULTIPLE_FEATURES"],
        answers={
            "bleeding_after_sex": True,
            "bleeding_episodes_3m": 4,
            "bleeding_amount": "moderate",
            "bleeding_trend": "more",
        },
        submitted_at=now,
    )
    make_case(other_patient, level=E, score=10, answers={"bleeding_after_sex": True})

    response = doctor_client.get(reverse("triage:case_detail", args=[current.pk]), HTTP_ACCEPT_LANGUAGE="en")

    history = response.context["history"]
    assert [item.case_id for item in history.entries][:3] == [current.pk, middle.pk, old.pk]
    assert len(history.entries) == 4
    assert history.recent_bleeding_reports == 2
    assert [item.amount_rank for item in history.entries] == [4, 2, 1, 0]
    html = response.content.decode()
    assert "also reported in 2 questionnaires in the 90 days before this one" in html
    assert "moderate (needed a pad)" in html and "more than before" in html
    assert "4 episodes in 3 months" in html
    assert reverse("triage:case_detail", args=[old.pk]) in html


def test_history_shrugs_off_malformed_answers(doctor_client, patient):
    make_case(
        patient,
        level=M,
        answers={"bleeding_after_sex": True, "bleeding_episodes_3m": "many", "bleeding_amount": 7},
        submitted_at=timezone.now() - timedelta(days=3),
    )
    current = make_case(patient, level=F, score=2, answers={"bleeding_after_sex": True})

    response = doctor_client.get(reverse("triage:case_detail", args=[current.pk]))

    assert response.status_code == 200
    earlier = response.context["history"].entries[1]
    assert (earlier.bleeding_episodes_3m, earlier.bleeding_amount) == (0, "none")


# --- Speed -----------------------------------------------------------------------------------------


# Session, user and permissions, then the page's own reads and (case page) its audit write.
MAX_QUERIES = 12


def populate(total: int):
    patients = [
        make_patient(email=f"p{index}@example.com", first_name="Paola", last_name=f"Rossi{index}")
        for index in range(5)
    ]
    levels = [E, P, F, R]
    doctor = make_doctor(email="second.doctor@example.com", first_name="Luca", last_name="Neri")
    cases = []
    for index in range(total):
        cases.append(
            make_case(
                patients[index % 5],
                level=levels[index % 4],
                score=index % 7,
                flags=["RECURRENT", "ABUNDANT"] if index % 3 else ["HEAVY_ACUTE"],
                answers={"bleeding_after_sex": True, "bleeding_amount": "spotting"},
                submitted_at=timezone.now() - timedelta(hours=index),
            )
        )
    Case.objects.filter(pk__in=[case.pk for case in cases[::2]]).update(
        last_actor=doctor, last_acted_at=timezone.now()
    )
    for case in cases[:20]:
        CaseEvent.objects.create(case=case, kind="note", actor=doctor, text="Nota.")
    # Contact attempts on every third case, so each row's count is read too.
    ContactAttempt.objects.bulk_create(
        ContactAttempt(case=case, actor=doctor, outcome=outcome)
        for case in cases[::3]
        for outcome in ("no_answer", "left_message")
    )
    return cases


def page_urls(cases):
    return {
        "worklist": (DASHBOARD, {}),
        "all": (DASHBOARD, {"all": "1"}),
        "filtered": (DASHBOARD, {"level": ["4", "2"], "flag": "RECURRENT", "q": "rossi", "status": "new"}),
        "last-page": (DASHBOARD, {"all": "1", "page": "last"}),
        "next-page": (DASHBOARD, {"all": "1", "after": cases[3].pk}),
        "case": (reverse("triage:case_detail", args=[cases[0].pk]), {}),
    }


@pytest.mark.parametrize("total", [10, 300])
@pytest.mark.parametrize("page", ["worklist", "all", "filtered", "last-page", "next-page", "case"])
def test_pages_run_a_bounded_number_of_queries(doctor_client, django_assert_max_num_queries, total, page):
    cases = populate(total)
    url, params = page_urls(cases)[page]
    doctor_client.get(url, params)  # the session settles on the first request

    with django_assert_max_num_queries(MAX_QUERIES):
        response = doctor_client.get(url, params)

    assert response.status_code == 200
    assert response.context["page"].rows if "page" in response.context else True


def test_query_count_does_not_grow_with_the_number_of_cases(client_as):
    client = client_as("doctor")
    counts = {}
    cases = populate(10)
    for total in (10, 300):
        if total == 300:
            cases = populate_more(cases, 290)
        counts[total] = {}
        for page, (url, params) in page_urls(cases).items():
            client.get(url, params)
            with CaptureQueriesContext(connection) as queries:
                client.get(url, params)
            counts[total][page] = len(queries)

    assert counts[10] == counts[300]


def populate_more(cases, extra):
    patient = cases[0].patient
    for index in range(extra):
        cases.append(make_case(patient, level=(index % 4), score=index % 9, flags=["RECURRENT"]))
    return cases


# --- What the header says, and counts that match the rows -------------------------------------------


SUMMARIES = [
    pytest.param({}, "flagged cases (follow-up or more urgent); open (not closed).", id="default"),
    pytest.param(
        {"status": "closed"}, "flagged cases (follow-up or more urgent); status: Closed.", id="closed"
    ),
    pytest.param(
        {"all": "1"}, "every level, routine included; every status, closed included.", id="everything"
    ),
    pytest.param(
        {"level": ["0", "4"], "status": ["new", "closed"]},
        "level: Emergency, Routine; status: New, Closed.",
        id="levels-and-statuses",
    ),
    pytest.param(
        {"flag": "RECURRENT", "q": "Verdi", "assigned": "unassigned", "submitted_from": "2026-01-01"},
        "flagged cases (follow-up or more urgent); open (not closed); with the flag “Recurrent”; "
        "submitted on or after 01/01/2026; patient name or email containing “Verdi”; not assigned to anyone.",
        id="flag-search-assignment-date",
    ),
    pytest.param(
        {"task": "contact"},
        "every level, routine included; every status, closed included; to contact about new advice.",
        id="to-contact-routine-and-closed-included",
    ),
    pytest.param(
        {"task": "sign_off"},
        "flagged cases (follow-up or more urgent); open (not closed); with a lower level pending sign-off.",
        id="sign-off-open-only",
    ),
]


@pytest.mark.parametrize(("params", "summary"), SUMMARIES)
def test_header_says_what_the_list_shows_and_the_counts_add_up_to_its_rows(
    doctor_client, varied, params, summary
):
    response = doctor_client.get(DASHBOARD, params, HTTP_ACCEPT_LANGUAGE="en")

    html = re.sub(r"\s+", " ", response.content.decode())
    header = re.search(r'<p class="mb-2" id="worklist-summary">(.*?)</p>', html).group(1)
    rows = len(response.context["page"].rows)
    assert re.search(rf"<strong>{rows} cases?:</strong> {re.escape(summary)}", header), header
    if "closed" in params.get("status", []):
        assert "open" not in header.split("</strong>")[1].split("<a")[0]
    counts = {item["level"]: item["count"] for item in response.context["level_links"]}
    assert sum(counts.values()) == response.context["total"] == rows
    for level in counts:
        shown = [row for row in response.context["page"].rows if row.level == level]
        assert counts[level] == len(shown)


def test_level_checkboxes_run_in_the_order_of_the_level_chips(doctor_client, varied):
    response = doctor_client.get(DASHBOARD, {"all": "1"})

    html = response.content.decode()
    chips = [item["level"] for item in response.context["level_links"]]
    boxes = [int(value) for value in re.findall(r'name="level" value="(\d+)"', html)]
    assert boxes == chips == [M, E, U, P, F, R]


# --- Page X of Y -----------------------------------------------------------------------------------


def page_position(response) -> str:
    return re.search(r'class="page-link page-position">([^<]*)<', response.content.decode()).group(1)


def test_pages_say_page_x_of_y_and_keep_the_filters(doctor_client, sixty, patient):
    make_case(patient, level=R)  # outside the filtered list
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    params = {"flag": "", "status": "new"}

    first = doctor_client.get(DASHBOARD, params, **en)
    assert page_position(first) == "Page 1 of 3"
    next_link = re.search(r'rel="next" href="\?([^"]+)"', first.content.decode()).group(1)
    assert next_link.startswith("status=new&amp;after=")

    second = doctor_client.get(DASHBOARD, {**params, "after": first.context["page"].last_pk}, **en)
    assert page_position(second) == "Page 2 of 3"
    third = doctor_client.get(DASHBOARD, {**params, "after": second.context["page"].last_pk}, **en)
    assert page_position(third) == "Page 3 of 3"
    last = doctor_client.get(DASHBOARD, {**params, "page": "last"}, **en)
    assert page_position(last) == "Page 3 of 3"
    # Back from the last page (its 25 rows end the list): 35 rows before, so the second page.
    back = doctor_client.get(DASHBOARD, {**params, "before": last.context["page"].first_pk}, **en)
    assert page_position(back) == "Page 2 of 3"
    assert page_position(doctor_client.get(DASHBOARD, {"before": back.context["page"].first_pk}, **en)) == (
        "Page 1 of 3"
    )


# --- Query counts at two data sizes ----------------------------------------------------------------


def populate_worklist(total: int, doctor):
    """`total` cases of every level, with ten flags on some, phones, assignments and routine ones."""
    patients = [
        make_patient(
            email=f"w{index}@example.com",
            first_name="Paola",
            last_name=f"Bruni{index}",
            phone=f"333 123 456{index}",
        )
        for index in range(5)
    ]
    colleague = make_doctor(email="third.doctor@example.com", first_name="Ida", last_name="Neri")
    many = ["HEAVY_ACUTE", "RECURRENT", "ABUNDANT", "PAINFUL", "SCREENING_GAP", "DRYNESS", "STI_RISK"]
    levels = [E, U, P, F, R]
    cases = [
        make_case(
            patients[index % 5],
            level=levels[index % 5],
            score=index % 7,
            flags=many if index % 2 else ["RECURRENT"],
            submitted_at=timezone.now() - timedelta(hours=index),
        )
        for index in range(total)
    ]
    Case.objects.filter(pk__in=[case.pk for case in cases[::3]]).update(assigned_to=doctor)
    Case.objects.filter(pk__in=[case.pk for case in cases[1::3]]).update(
        assigned_to=colleague, last_actor=colleague, last_acted_at=timezone.now()
    )
    return cases


def worklist_urls(cases):
    return {
        "worklist": (DASHBOARD, {}),
        "all-with-routine": (DASHBOARD, {"all": "1"}),
        "mine": (DASHBOARD, {"assigned": "mine", "all": "1"}),
        "middle-page": (DASHBOARD, {"all": "1", "after": cases[10].pk}),
        "last-page": (DASHBOARD, {"all": "1", "page": "last"}),
        "csv": (reverse("triage:export_csv"), {"all": "1"}),
        "case": (reverse("triage:case_detail", args=[cases[1].pk]), {}),
    }


@pytest.mark.parametrize("total", [25, 2500])
def test_worklist_csv_and_case_page_queries_stay_the_same_at_25_and_2500_cases(
    doctor_client, doctor, django_assert_max_num_queries, total
):
    cases = populate_worklist(total, doctor)
    counts = {}
    for name, (url, params) in worklist_urls(cases).items():
        # The clock stands still between the two requests, so that the clinic profile the first one
        # cached (for a minute) cannot expire before the counted one on a slow machine.
        with time_machine.travel(timezone.now(), tick=False):
            doctor_client.get(url, params)
            with CaptureQueriesContext(connection) as queries:
                response = doctor_client.get(url, params)
        assert response.status_code == 200
        # The export's audit trail has one row per exported case, inserted in batches whose size
        # the database sets (one batch on PostgreSQL; SQLite's parameter limit makes it ~100 rows).
        counts[name] = sum(not query["sql"].startswith(AUDIT_INSERT) for query in queries)
    with django_assert_max_num_queries(MAX_QUERIES):
        doctor_client.get(DASHBOARD, {"all": "1", "after": cases[10].pk})

    assert counts == QUERIES_AT_ANY_SIZE, f"{total} cases"
    audited = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_CSV, object_type="triage.case")
    assert audited.count() == 2 * total


AUDIT_INSERT = 'INSERT INTO "triage_auditevent"'
# Session, user and permissions, then the page's reads (audit writes left out). Written out
# so that a change at either data size shows here; the pages after the first add the count of the
# rows before them ("page X of Y"); every list counts its overdue cases and what re-assessments
# left to do.
QUERIES_AT_ANY_SIZE = {
    "worklist": 8,
    "all-with-routine": 8,
    "mine": 8,
    "middle-page": 10,
    "last-page": 9,
    "csv": 4,
    # With the case's conversation: its messages and the clinic's saved replies. The assessment in
    # force and her advice are joined to the case.
    "case": 8,
}
