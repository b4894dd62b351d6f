"""The doctor's visit pages: the day's list, its print, booking, a visit, the import page, the feed."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from patients.gdpr import patient_account_close
from tests.factories import make_case, make_patient, make_visit
from tests.test_support import run_tasks
from triage.audit.writer import Actor
from triage.cases.selectors import case_follow_up_on
from triage.cases.services import case_change_status
from triage.models import AuditEvent, CalendarFeed, Case, CaseEvent, CaseLevel, Visit
from triage.visits.matching import import_file

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DAY = reverse("triage:visit_day")
PRINT = reverse("triage:visit_day_print")


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def day():
    return timezone.localdate() + timedelta(days=2)


@pytest.fixture
def visits(day, patient, other_patient):
    """Three visits on `day`, out of booking order: Anna's with an urgent questionnaire, Maria's
    without one, a third patient's with a draft; plus a visit the next day."""
    patient.phone = "+39 347 555 0101"
    patient.save(update_fields=["phone"])
    third = make_patient(email="terza@example.com", first_name="Teresa", last_name="Bruno")
    anna = make_visit(other_patient, starts_at=local(day, 9, 30))
    maria = make_visit(patient, starts_at=local(day, 8, 15))
    teresa = make_visit(third, starts_at=local(day, 11, 0))
    make_visit(patient, starts_at=local(day + timedelta(days=1), 8, 0))
    case = make_case(
        other_patient,
        level=CaseLevel.URGENT,
        score=9,
        flags=["PREGNANCY_BLEEDING"],
        submitted_at=timezone.now() - timedelta(days=1),
    )
    from patients.services import submission_draft, submission_save_draft

    submission_save_draft(patient=third, key=submission_draft(third).key, answers={"fever": True})
    return {"maria": maria, "anna": anna, "teresa": teresa, "case": case}


def test_day_list_is_for_doctors_only(client_as, day):
    assert client_as(None).get(DAY).status_code == 302
    assert client_as("patient").get(DAY).status_code == 403


def test_day_list_shows_the_visits_in_time_order_with_their_triage(doctor_client, visits, day):
    response = doctor_client.get(DAY, {"date": day.isoformat()}, **EN)

    assert response.status_code == 200
    listed = [item.visit.pk for item in response.context["visits"]]
    assert listed == [visits["maria"].pk, visits["anna"].pk, visits["teresa"].pk]
    html = response.content.decode()
    rows = html.split('<tr class="day-visit')[1:]
    assert "Maria Rossi" in rows[0] and "not filled in" in rows[0]
    assert 'href="tel:+393475550101"' in rows[0]
    assert "08:15" in rows[0]
    assert "Anna Verdi" in rows[1] and "level-urgent" in rows[1] and "score 9" in rows[1]
    assert reverse("triage:case_detail", args=[visits["case"].pk]) in rows[1]
    assert "draft started" in rows[2]
    age = visits["maria"].patient.age_on(day)
    assert f"{age} years" in rows[0]


def test_day_list_links_to_the_previous_and_next_day(doctor_client, day):
    response = doctor_client.get(DAY, {"date": day.isoformat()})

    assert response.context["previous_url"] == f"{DAY}?date={(day - timedelta(days=1)).isoformat()}"
    assert response.context["next_url"] == f"{DAY}?date={(day + timedelta(days=1)).isoformat()}"


@pytest.mark.parametrize("value", ["", "2026-02-30", "yesterday", "0001-01-01", "9999-12-31"])
def test_a_bad_date_shows_today_not_an_error(doctor_client, value):
    response = doctor_client.get(DAY, {"date": value})

    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()


def test_day_list_is_audited_for_each_patient(doctor_client, visits, day, doctor):
    doctor_client.get(DAY, {"date": day.isoformat()})

    events = AuditEvent.objects.filter(action=AuditEvent.Action.DAY_LIST, actor=doctor)
    assert sorted(events.exclude(patient=None).values_list("patient_id", flat=True)) == sorted(
        [visits["maria"].patient_id, visits["anna"].patient_id, visits["teresa"].patient_id]
    )


def test_a_closed_account_disappears_from_the_day_list(doctor_client, visits, day, other_patient):
    patient_account_close(other_patient, Actor(other_patient.user))

    response = doctor_client.get(DAY, {"date": day.isoformat()})

    assert visits["anna"].pk not in [item.visit.pk for item in response.context["visits"]]


@pytest.mark.parametrize("count", [5, 50])
def test_day_list_runs_a_constant_number_of_queries(doctor_client, django_assert_max_num_queries, day, count):
    for number in range(count):
        patient = make_patient(email=f"p{number}@example.com", first_name=f"P{number}")
        make_visit(patient, starts_at=local(day, 8) + timedelta(minutes=10 * number))
        if number % 2:
            make_case(patient, level=CaseLevel.PRIORITY, score=5, flags=["RECURRENT"])

    with django_assert_max_num_queries(12):
        response = doctor_client.get(DAY, {"date": day.isoformat()})
    assert len(response.context["visits"]) == count


def test_the_day_prints_one_summary_per_visit_in_visit_order(doctor_client, visits, day, doctor):
    visit_change_cancel = make_visit(make_patient(email="x@example.com"), starts_at=local(day, 12, 0))
    Visit.objects.filter(pk=visit_change_cancel.pk).update(state=Visit.State.CANCELLED)

    response = doctor_client.get(PRINT, {"date": day.isoformat()}, **EN)

    assert response.status_code == 200
    html = response.content.decode()
    sheets = html.split('<div class="sheet"')[1:]
    assert len(sheets) == 3
    assert "Maria Rossi" in sheets[0] and "has not been filled in" in sheets[0]
    assert "Anna Verdi" in sheets[1] and "Pre-visit questionnaire: case summary" in sheets[1]
    assert "was started but not sent" in sheets[2]
    printed = AuditEvent.objects.filter(action=AuditEvent.Action.DAY_PRINT, actor=doctor)
    assert printed.exclude(patient=None).count() == 3


# --- Booking ---------------------------------------------------------------------------------------


def book_url(patient):
    return reverse("triage:visit_book", args=[patient.pk])


def booking(day, **overrides):
    return {
        "start_date": day.isoformat(),
        "start_time": "10:30",
        "duration_minutes": "30",
        "kind": "first",
        "note": "",
        "booking_key": "book-key-1",
    } | overrides


def test_booking_from_the_patient_page_books_once_invites_and_audits(doctor_client, patient, day, doctor):
    page = doctor_client.get(reverse("triage:patient_detail", args=[patient.pk]), **EN)
    assert page.status_code == 200

    first = doctor_client.post(book_url(patient), booking(day))
    second = doctor_client.post(book_url(patient), booking(day))
    run_tasks()

    assert first.status_code == second.status_code == 302
    visit = Visit.objects.get()
    assert (visit.patient, visit.local_start.time(), visit.created_by) == (patient, time(10, 30), doctor)
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VISIT_BOOK, patient=patient).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PATIENT_VIEW, patient=patient).exists()


def test_booking_in_the_past_says_so_next_to_the_field_and_keeps_the_input(doctor_client, patient):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = doctor_client.post(book_url(patient), booking(yesterday, note="controllo"), **EN)

    assert response.status_code == 400
    form = response.context["form"]
    assert "A visit cannot be booked in the past" in form.errors["start_date"][0]
    assert form.data["note"] == "controllo"
    assert not Visit.objects.exists()


def test_an_overlap_is_warned_and_booked_when_confirmed(doctor_client, patient, day):
    make_visit(patient, starts_at=local(day, 10, 15))

    warned = doctor_client.post(book_url(patient), booking(day), **EN)
    confirmed = doctor_client.post(book_url(patient), booking(day, allow_overlap="on"))

    assert warned.status_code == 400
    assert "overlaps" in warned.context["form"].errors["start_date"][0]
    assert confirmed.status_code == 302
    assert Visit.objects.count() == 2


def test_booking_from_the_case_status_form_links_the_visit(doctor_client, patient, day):
    case = make_case(patient, level=CaseLevel.PRIORITY, score=5, status="in_review")
    url = reverse("triage:case_status", args=[case.pk])

    response = doctor_client.post(
        url,
        {
            "to_status": "follow_up",
            "follow_up_on": day.isoformat(),
            "follow_up_time": "15:45",
            "follow_up_duration": "20",
            "follow_up_kind": "results",
            "booking_key": "case-key",
            "version": 1,
        },
    )

    assert response.status_code == 302
    case = Case.objects.select_related("follow_up_visit").get(pk=case.pk)
    assert case.status == "follow_up"
    assert case_follow_up_on(case) == day
    assert (case.follow_up_visit.local_start.time(), case.follow_up_visit.kind) == (time(15, 45), "results")
    page = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **EN).content.decode()
    assert reverse("triage:visit_detail", args=[case.follow_up_visit_id]) in page


def test_the_status_form_offers_only_what_applies(doctor_client, patient):
    new_urgent = make_case(patient, level=CaseLevel.URGENT, score=8)
    in_review_routine = make_case(patient, level=CaseLevel.ROUTINE, status="in_review")

    urgent_form = doctor_client.get(reverse("triage:case_detail", args=[new_urgent.pk])).context[
        "status_form"
    ]
    routine_form = doctor_client.get(reverse("triage:case_detail", args=[in_review_routine.pk])).context[
        "status_form"
    ]

    assert [value for value, _label in urgent_form.fields["to_status"].choices] == [
        "in_review",
        "follow_up",
        "closed",
    ]
    assert "reason" in urgent_form.fields and "follow_up_on" in urgent_form.fields
    assert [value for value, _label in routine_form.fields["to_status"].choices] == ["follow_up", "closed"]
    assert "reason" not in routine_form.fields
    html = doctor_client.get(reverse("triage:case_detail", args=[new_urgent.pk])).content.decode()
    assert 'data-shown-values="follow_up" data-shown-when="to_status"' in html
    assert 'data-shown-values="closed" data-shown-when="to_status"' in html


def test_a_follow_up_case_is_not_offered_follow_up_again(doctor_client, patient, doctor, day):
    case = make_case(patient, level=CaseLevel.FOLLOW_UP, score=2)
    case_change_status(
        case_id=case.pk, actor=Actor(doctor), to_status="follow_up", expected_version=1, follow_up_on=day
    )

    form = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **EN).context["status_form"]

    assert [value for value, _label in form.fields["to_status"].choices] == ["in_review", "closed"]
    assert "follow_up_on" not in form.fields
    assert "move or cancel it from the visit's page" in str(form.fields["to_status"].help_text)


def test_moving_a_visit_is_in_the_case_timeline_and_the_audit_log(doctor_client, patient, doctor, day):
    case = make_case(patient, level=CaseLevel.FOLLOW_UP, score=2)
    case = case_change_status(
        case_id=case.pk, actor=Actor(doctor), to_status="follow_up", expected_version=1, follow_up_on=day
    )
    url = reverse("triage:visit_detail", args=[case.follow_up_visit_id])

    response = doctor_client.post(
        url,
        {
            "start_date": (day + timedelta(days=1)).isoformat(),
            "start_time": "11:00",
            "duration_minutes": "30",
            "state": "booked",
            "note": "",
        },
    )

    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, kind="visit")
    assert event.detail["action"] == "moved"
    assert case_follow_up_on(
        Case.objects.select_related("follow_up_visit").get(pk=case.pk)
    ) == day + timedelta(days=1)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VISIT_CHANGE, patient=patient).exists()
    html = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **EN).content.decode()
    assert "Visit moved:" in html


# --- Import page -----------------------------------------------------------------------------------


def test_the_import_page_shows_the_same_report(doctor_client, patient, day):
    assert (
        'enctype="multipart/form-data"' in doctor_client.get(reverse("triage:visit_import")).content.decode()
    )
    csv = (
        "uid,date,time,email\n"
        f"u-1,{day.isoformat()},09:00,{patient.user.email}\n"
        f"u-2,{day.isoformat()},10:00,\n"
    ).encode()

    response = doctor_client.post(
        reverse("triage:visit_import"), {"file": SimpleUploadedFile("visits.csv", csv)}, **EN
    )

    assert response.status_code == 200
    lines = response.context["lines"]
    assert lines[0].startswith("1 new visits")
    assert lines[1] == "Line 3 not imported: no patient with this email, or with this name and date of birth"
    assert Visit.objects.get().patient == patient


def test_an_invalid_upload_saves_nothing_and_says_why(doctor_client, patient):
    response = doctor_client.post(
        reverse("triage:visit_import"), {"file": SimpleUploadedFile("visits.txt", b"x")}, **EN
    )

    assert response.status_code == 400
    assert "Only .ics and .csv files can be imported." in response.content.decode()
    assert not Visit.objects.exists()


# --- The calendar feed -----------------------------------------------------------------------------


def feed_token(doctor_client) -> str:
    response = doctor_client.post(reverse("triage:calendar_settings"))
    return response.context["feed_url"].rsplit("/", 1)[1].removesuffix(".ics")


def test_the_feed_carries_initials_and_kind_only(client, doctor_client, visits, other_patient):
    token = feed_token(doctor_client)
    Visit.objects.filter(pk=visits["teresa"].pk).update(state=Visit.State.CANCELLED)
    client.logout()

    response = client.get(reverse("triage:calendar_feed", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 3
    # In the doctor's language (Italian by default).
    assert "SUMMARY:M. R. – Prima visita" in body
    assert "SUMMARY:A. V. – Prima visita" in body

    patient_account_close(other_patient, Actor(other_patient.user))
    after = client.get(reverse("triage:calendar_feed", args=[token])).content.decode()
    assert "A. V." not in after
    assert after.count("BEGIN:VEVENT") == 2
    for private in ("Maria", "Rossi", "Anna", "example.com", "Teresa", "PREGNANCY", "urgent"):
        assert private not in body
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CALENDAR_FEED).count() == 2


def test_a_wrong_or_regenerated_feed_token_is_a_404(client, doctor_client, doctor):
    old = feed_token(doctor_client)
    new = feed_token(doctor_client)

    assert client.get(reverse("triage:calendar_feed", args=[new])).status_code == 200
    assert client.get(reverse("triage:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("triage:calendar_feed", args=["wrong"])).status_code == 404
    # Only a digest of the token is stored.
    assert CalendarFeed.objects.get(user=doctor).token_digest != new


# --- The doctor's answer for a visit awaiting confirmation ---------------------------------------


def _awaiting(day, *, email="other@example.org") -> Visit:
    """A visit whose row matched a patient (Maria Rossi, born 1990-03-01) by name only."""
    import_file(
        "visits.csv",
        (
            "uid;date;time;email;first_name;last_name;date_of_birth\n"
            f"m-1;{day.isoformat()};09:00;{email};Maria;Rossi;1990-03-01\n"
        ).encode(),
    )
    return Visit.objects.get(uid="m-1")


@pytest.mark.parametrize(
    ("decision", "action", "bound"),
    [
        ("confirm", AuditEvent.Action.MATCH_CONFIRM, True),
        ("invite", AuditEvent.Action.MATCH_INVITE, False),
        ("cancel", AuditEvent.Action.MATCH_CANCEL, False),
    ],
)
def test_the_doctors_answer_is_audited_under_her_and_the_patient_it_binds(
    doctor_client, doctor, day, decision, action, bound
):
    maria = make_patient(email="maria@example.com", first_name="Maria", last_name="Rossi")
    visit = _awaiting(day)

    response = doctor_client.post(reverse("triage:visit_match", args=[visit.pk]), {"decision": decision})

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=action)
    assert (event.actor, event.object_type, event.object_id) == (doctor, "triage.visit", str(visit.pk))
    assert event.patient == (maria if bound else None)
    assert event.ip_address == "127.0.0.1"


def test_a_confirmed_visit_is_on_her_who_opened_my_record_page_in_her_language(client, doctor_client, day):
    maria = make_patient(email="maria@example.com", first_name="Maria", last_name="Rossi")
    visit = _awaiting(day)
    doctor_client.post(reverse("triage:visit_match", args=[visit.pk]), {"decision": "confirm"})

    client.force_login(maria.user)
    english = client.get(reverse("patients:access_log"), **EN).content.decode()
    italian = client.get(reverse("patients:access_log"), HTTP_ACCEPT_LANGUAGE="it").content.decode()

    assert "Confirmed that an imported visit is hers" in english
    assert "Ha confermato che una visita importata è sua" in italian


def test_an_answer_that_cannot_be_given_writes_no_audit_event(doctor_client, day):
    make_patient(email="maria@example.com", first_name="Maria", last_name="Rossi")
    visit = _awaiting(day, email="")  # no email in the row: there is nobody to invite

    doctor_client.post(reverse("triage:visit_match", args=[visit.pk]), {"decision": "invite"})
    doctor_client.post(reverse("triage:visit_match", args=[visit.pk]), {"decision": "someone"})

    assert not AuditEvent.objects.filter(action__startswith="match_").exclude(action="match_list").exists()
    assert Visit.objects.get(pk=visit.pk).match_reason != ""


def test_the_import_page_words_an_events_problem_in_the_doctors_language(doctor_client, day):
    stamp = day.strftime("%Y%m%d")
    calendar = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Booking//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:abc@clinic\r\nSUMMARY:Visita controllo\r\nDTSTART;VALUE=DATE:{stamp}\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()
    shown = day.strftime("%d/%m/%Y")

    english = doctor_client.post(
        reverse("triage:visit_import"), {"file": SimpleUploadedFile("v.ics", calendar)}, **EN
    )
    italian = doctor_client.post(
        reverse("triage:visit_import"),
        {"file": SimpleUploadedFile("v.ics", calendar)},
        HTTP_ACCEPT_LANGUAGE="it",
    )

    assert english.context["lines"][1] == (
        f"Event “Visita controllo” on {shown} (UID abc@clinic) not imported: the event has a date but no time"
    )
    assert italian.context["lines"][1].startswith(
        f"Evento «Visita controllo» del {shown} (UID abc@clinic) non importato:"
    )
