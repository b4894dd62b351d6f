"""Status workflow and notes: services and the case page forms, concurrent changes included."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import make_case, make_doctor
from triage.audit.writer import Actor
from triage.cases.selectors import case_follow_up_on
from triage.cases.services import (
    CaseConflict,
    FollowUp,
    case_add_note,
    case_change_status,
    close_needs_reason,
)
from triage.models import Case, CaseEvent, CaseLevel, Visit
from triage.visits.services import visit_change

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def TOMORROW() -> str:  # noqa: N802
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def status_url(case, query=""):
    return reverse("triage:case_status", args=[case.pk]) + (f"?{query}" if query else "")


def note_url(case):
    return reverse("triage:case_note", args=[case.pk])


@pytest.fixture
def case(patient):
    return make_case(patient, level=CaseLevel.FOLLOW_UP, score=2, flags=["RECURRENT"])


@pytest.fixture
def urgent(patient):
    return make_case(patient, level=CaseLevel.PRIORITY, score=6, flags=["PREGNANCY_BLEEDING"])


@pytest.fixture
def second_doctor(db):
    return make_doctor(email="second@example.com", first_name="Luca", last_name="Neri")


# --- Services --------------------------------------------------------------------------------------


def test_status_change_records_who_when_and_bumps_the_version(case, doctor):
    before = timezone.now()

    updated = case_change_status(
        case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=1
    )

    assert updated.status == "in_review"
    assert updated.version == 2
    assert updated.last_actor == doctor
    assert updated.last_acted_at >= before
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        "status",
        "new",
        "in_review",
        doctor,
    )
    assert event.created_at == updated.last_acted_at


def test_follow_up_needs_a_visit_time_in_the_future(case, doctor):
    with pytest.raises(ValidationError) as error:
        case_change_status(case_id=case.pk, actor=Actor(doctor), to_status="follow_up", expected_version=1)
    assert "follow_up_on" in error.value.message_dict

    # Yesterday at 10:00: in the past at any moment, and a time every day has (an hour ago may fall
    # in the hour skipped when the clocks go forward, which is refused for that reason instead).
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        case_change_status(
            case_id=case.pk,
            actor=Actor(doctor),
            to_status="follow_up",
            expected_version=1,
            follow_up=FollowUp(on=yesterday, at=time(10, 0)),
        )
    assert "follow_up_on" in error.value.message_dict
    assert not Visit.objects.exists()

    day = timezone.localdate() + timedelta(days=2)
    updated = case_change_status(
        case_id=case.pk,
        actor=Actor(doctor),
        to_status="follow_up",
        expected_version=1,
        follow_up=FollowUp(on=day, at=time(10, 15), duration_minutes=20, kind=Visit.Kind.RESULTS),
    )
    assert (updated.status, case_follow_up_on(updated)) == ("follow_up", day)
    visit = updated.follow_up_visit
    assert (visit.patient_id, visit.kind, visit.duration_minutes, visit.state) == (
        case.patient_id,
        "results",
        20,
        "booked",
    )
    assert timezone.localtime(visit.starts_at).time() == time(10, 15)
    event = CaseEvent.objects.get(case=case)
    assert event.follow_up_on == day
    assert event.detail["visit"] == visit.pk


def test_follow_up_date_is_the_visit_date_and_follows_a_move(case, doctor):
    first = timezone.localdate() + timedelta(days=3)
    updated = case_change_status(
        case_id=case.pk, actor=Actor(doctor), to_status="follow_up", expected_version=1, follow_up_on=first
    )

    later = updated.follow_up_visit.starts_at + timedelta(days=7)
    visit_change(visit_id=updated.follow_up_visit_id, actor=Actor(doctor), starts_at=later)

    assert case_follow_up_on(
        Case.objects.select_related("follow_up_visit").get(pk=case.pk)
    ) == first + timedelta(days=7)
    # "Follow-up booked" is not offered again on a case that has it: the visit is moved instead.
    with pytest.raises(ValidationError) as error:
        case_change_status(
            case_id=case.pk,
            actor=Actor(doctor),
            to_status="follow_up",
            expected_version=2,
            follow_up_on=first,
        )
    assert "to_status" in error.value.message_dict
    assert Visit.objects.count() == 1


def test_leaving_follow_up_clears_the_date_but_keeps_the_visit(case, doctor):
    case_change_status(
        case_id=case.pk,
        actor=Actor(doctor),
        to_status="follow_up",
        expected_version=1,
        follow_up_on=timezone.localdate() + timedelta(days=1),
    )

    updated = case_change_status(
        case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=2
    )

    assert case_follow_up_on(updated) is None
    assert Visit.objects.get().state == Visit.State.BOOKED


def test_cancelling_the_follow_up_visit_puts_the_case_back_in_review(case, doctor):
    updated = case_change_status(
        case_id=case.pk,
        actor=Actor(doctor),
        to_status="follow_up",
        expected_version=1,
        follow_up_on=timezone.localdate() + timedelta(days=4),
    )

    visit_change(visit_id=updated.follow_up_visit_id, actor=Actor(doctor), state=Visit.State.CANCELLED)

    case.refresh_from_db()
    assert case.status == "in_review"
    assert case_follow_up_on(case) is None
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", "to_status"))
    assert kinds == [("status", "follow_up"), ("visit", ""), ("status", "in_review")]
    # The reason is the portal's, stored as a cause and worded in the reader's language.
    back = CaseEvent.objects.filter(case=case).last()
    with translation.override("en"):
        assert back.reason_text() == "The follow-up visit was cancelled."
    with translation.override("it"):
        assert back.reason_text() != "The follow-up visit was cancelled."


@pytest.mark.parametrize(
    ("level", "status", "needs_reason"),
    [
        (CaseLevel.EMERGENCY, "in_review", True),
        (CaseLevel.PRIORITY, "follow_up", True),
        (CaseLevel.REVIEW, "in_review", True),
        (CaseLevel.FOLLOW_UP, "new", True),
        (CaseLevel.ROUTINE, "new", True),
        (CaseLevel.FOLLOW_UP, "in_review", False),
        (CaseLevel.ROUTINE, "follow_up", False),
    ],
)
def test_closing_needs_a_reason_for_urgent_or_unopened_cases(patient, doctor, level, status, needs_reason):
    case = make_case(patient, level=level, status=status, submitted_at=timezone.now())
    assert close_needs_reason(case) is needs_reason

    if needs_reason:
        with pytest.raises(ValidationError) as error:
            case_change_status(
                case_id=case.pk, actor=Actor(doctor), to_status="closed", expected_version=1, reason="  "
            )
        assert "reason" in error.value.message_dict
        assert Case.objects.get(pk=case.pk).status == status
        updated = case_change_status(
            case_id=case.pk,
            actor=Actor(doctor),
            to_status="closed",
            expected_version=1,
            reason="Vista in studio.",
        )
        assert CaseEvent.objects.get(case=case).text == "Vista in studio."
    else:
        updated = case_change_status(
            case_id=case.pk, actor=Actor(doctor), to_status="closed", expected_version=1
        )
    assert updated.status == "closed"


@pytest.mark.parametrize("to_status", ["new", "archived", ""])
def test_status_must_be_one_a_doctor_can_set(case, doctor, to_status):
    with pytest.raises(ValidationError) as error:
        case_change_status(case_id=case.pk, actor=Actor(doctor), to_status=to_status, expected_version=1)

    assert "to_status" in error.value.message_dict


def test_setting_the_same_status_again_is_refused(case, doctor):
    case_change_status(case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=1)

    with pytest.raises(ValidationError):
        case_change_status(case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=2)


def test_a_closed_case_can_be_reopened(case, doctor):
    case_change_status(
        case_id=case.pk, actor=Actor(doctor), to_status="closed", expected_version=1, reason="Errore."
    )

    updated = case_change_status(
        case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=2
    )

    assert updated.status == "in_review"


def test_stale_version_raises_conflict_with_the_current_state(case, doctor, second_doctor):
    case_change_status(case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=1)

    with pytest.raises(CaseConflict) as conflict:
        case_change_status(
            case_id=case.pk, actor=Actor(second_doctor), to_status="closed", expected_version=1
        )

    assert conflict.value.case.status == "in_review"
    assert conflict.value.case.version == 2
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_conflict_is_caught_by_the_conditional_update(case, doctor, second_doctor, monkeypatch):
    """A change that lands between the read and the write still loses nothing."""
    real_get = Case.objects.get

    def get_then_race(*args, **kwargs):
        found = real_get(*args, **kwargs)
        if not getattr(get_then_race, "raced", False):
            get_then_race.raced = True
            Case.objects.filter(pk=case.pk).update(status="in_review", version=2, last_actor=doctor)
        return found

    monkeypatch.setattr(Case.objects, "get", get_then_race)

    with pytest.raises(CaseConflict) as conflict:
        case_change_status(
            case_id=case.pk, actor=Actor(second_doctor), to_status="closed", expected_version=1, reason="x"
        )

    # The racing write is rolled back with the service's transaction here (one connection);
    # what matters is that the stale change was refused and the winner's state reported.
    assert (conflict.value.case.status, conflict.value.case.version) == ("in_review", 2)
    assert not CaseEvent.objects.filter(case=case).exists()


def test_notes_are_appended_with_author_and_time(case, doctor, second_doctor):
    first = case_add_note(case_id=case.pk, actor=Actor(doctor), text="  Telefonato, nessuna risposta.  ")
    second = case_add_note(case_id=case.pk, actor=Actor(second_doctor), text="Richiamata: visita domani.")

    notes = list(CaseEvent.objects.filter(case=case, kind="note").order_by("created_at", "pk"))
    assert [(note.actor, note.text) for note in notes] == [
        (doctor, "Telefonato, nessuna risposta."),
        (second_doctor, "Richiamata: visita domani."),
    ]
    assert first.created_at <= second.created_at
    case.refresh_from_db()
    assert case.last_actor == second_doctor
    # Notes never conflict with a status form that is open elsewhere.
    assert case.version == 1


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_empty_or_overlong_notes_are_refused(case, doctor, text):
    with pytest.raises(ValidationError):
        case_add_note(case_id=case.pk, actor=Actor(doctor), text=text)

    assert not CaseEvent.objects.exists()


# --- Through the case page -------------------------------------------------------------------------


def test_status_form_changes_status_and_shows_it_in_the_timeline(doctor_client, case):
    response = doctor_client.post(
        status_url(case, "flag=RECURRENT"), {"to_status": "in_review", "version": 1}, **EN
    )

    assert response.status_code == 302
    assert response.url == reverse("triage:case_detail", args=[case.pk]) + "?flag=RECURRENT"
    html = doctor_client.get(response.url, **EN).content.decode()
    assert "Status changed to “In review”." in html
    assert "Status: New → In review" in html
    assert "Last action by Giulia Bianchi" in html


def test_follow_up_form_keeps_input_and_explains_a_missing_date(doctor_client, case):
    response = doctor_client.post(
        status_url(case),
        {"to_status": "follow_up", "follow_up_on": "", "reason": "Controllo", "version": 1},
        **EN,
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the date of the follow-up." in html
    assert "Controllo" in html
    assert Case.objects.get(pk=case.pk).status == "new"


def test_bad_date_is_an_error_next_to_the_field_not_a_crash(doctor_client, case):
    response = doctor_client.post(
        status_url(case), {"to_status": "follow_up", "follow_up_on": "31/02/2026", "version": 1}, **EN
    )

    assert response.status_code == 400
    assert response.context["status_form"].errors["follow_up_on"]


def test_closing_an_urgent_case_without_reason_is_refused_with_a_message(doctor_client, urgent):
    response = doctor_client.post(
        status_url(urgent), {"to_status": "closed", "reason": "", "version": 1}, **EN
    )

    assert response.status_code == 400
    assert "Give a short reason" in response.content.decode()
    assert Case.objects.get(pk=urgent.pk).status == "new"


def test_closing_with_a_reason_shows_the_reason_in_the_timeline(doctor_client, urgent):
    doctor_client.post(status_url(urgent), {"to_status": "closed", "reason": "Inviata al PS.", "version": 1})

    html = doctor_client.get(reverse("triage:case_detail", args=[urgent.pk]), **EN).content.decode()

    assert "Status: New → Closed" in html
    assert "Reason: Inviata al PS." in html


def test_missing_version_is_a_message_not_a_crash(doctor_client, case):
    response = doctor_client.post(status_url(case), {"to_status": "in_review"}, **EN)

    assert response.status_code == 400
    assert "The form was incomplete" in response.content.decode()


def test_two_doctors_with_the_same_form_the_second_gets_a_conflict(client, case, doctor, second_doctor):
    """Both loaded version 1; the first change wins, the second is not applied and says why."""
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(doctor)
    second.force_login(second_doctor)
    for browser in (first, second):
        page = browser.get(reverse("triage:case_detail", args=[case.pk]))
        assert page.context["status_form"].initial["version"] == 1

    won = first.post(status_url(case), {"to_status": "closed", "reason": "Vista in studio.", "version": 1})
    lost = second.post(
        status_url(case),
        {"to_status": "follow_up", "follow_up_on": TOMORROW(), "follow_up_time": "10:00", "version": 1},
        **EN,
    )

    assert won.status_code == 302
    assert lost.status_code == 409
    html = lost.content.decode()
    assert "Your change was not saved." in html
    assert "Someone else changed this case" in html
    # The current state is shown: closed by the first doctor, with her reason.
    assert "Closed" in html and "Vista in studio." in html
    assert "Last action by Giulia Bianchi" in html
    # The second doctor's input is kept, against the new version, to resubmit deliberately.
    form = lost.context["status_form"]
    assert form.data["to_status"] == "follow_up"
    assert form.data["version"] == "2"
    case.refresh_from_db()
    assert (case.status, case.version, case.last_actor) == ("closed", 2, doctor)
    assert list(CaseEvent.objects.values_list("to_status", flat=True)) == ["closed"]

    again = second.post(
        status_url(case),
        {"to_status": "follow_up", "follow_up_on": TOMORROW(), "follow_up_time": "10:00", "version": 2},
    )
    assert again.status_code == 302
    assert list(CaseEvent.objects.order_by("pk").values_list("to_status", flat=True)) == [
        "closed",
        "follow_up",
    ]


def test_note_form_adds_a_note(doctor_client, case):
    response = doctor_client.post(note_url(case), {"text": "Esami del sangue richiesti."}, **EN)

    assert response.status_code == 302
    html = doctor_client.get(response.url, **EN).content.decode()
    assert "Note added." in html
    assert "Esami del sangue richiesti." in html
    assert "Giulia Bianchi" in html


def test_empty_note_is_refused_with_a_message(doctor_client, case):
    response = doctor_client.post(note_url(case), {"text": "   "}, **EN)

    assert response.status_code == 400
    assert "Write the note before saving it." in response.content.decode()
    assert not CaseEvent.objects.exists()


def test_notes_cannot_be_edited_or_deleted_through_the_portal(doctor_client, case, doctor):
    note = case_add_note(case_id=case.pk, actor=Actor(doctor), text="Prima nota.")

    assert doctor_client.put(note_url(case), {"text": "x"}).status_code == 405
    assert doctor_client.delete(note_url(case)).status_code == 405
    assert CaseEvent.objects.get(pk=note.pk).text == "Prima nota."


def test_status_change_to_a_missing_case_is_404(doctor_client):
    assert doctor_client.post("/dashboard/cases/424242/status/", {"to_status": "closed"}).status_code == 404
