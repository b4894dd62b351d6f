"""Sessions: idle timeouts by role, a 12-hour ceiling, a new id at login, logout by POST only."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests import factories

START = timezone.now().replace(microsecond=0)


def at(minutes):
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def logged_in_at(client, user, minutes=0):
    with at(minutes):
        client.force_login(user)
    return client


def get(client, url, minutes):
    with at(minutes):
        return client.get(url)


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_staff_sessions_end_after_30_idle_minutes(client, doctor):
    logged_in_at(client, doctor)
    assert get(client, "/dashboard/", 29).status_code == 200
    assert get(client, "/dashboard/", 58).status_code == 200  # 29 minutes after the last request
    key = client.session.session_key
    response = get(client, "/dashboard/", 58 + 30)
    assert sent_to_login(response)
    assert not Session.objects.filter(session_key=key).exists(), "ended on the server, not only in the cookie"
    page = get(client, response["Location"], 58 + 30).content.decode()
    assert "logged out after 30 minutes without activity" in page


@pytest.mark.django_db
def test_patient_sessions_end_after_60_idle_minutes(client, patient):
    logged_in_at(client, patient.user)
    assert get(client, "/questionnaire/", 59).status_code == 200
    assert get(client, "/questionnaire/", 59 + 59).status_code == 200
    assert sent_to_login(get(client, "/questionnaire/", 59 + 59 + 60))


@pytest.mark.django_db
def test_a_patient_is_not_held_to_the_staff_idle_time(client, patient):
    logged_in_at(client, patient.user)
    assert get(client, "/questionnaire/", 45).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url", "step"), [("patient", "/questionnaire/", 50), ("doctor", "/dashboard/", 25)]
)
def test_every_session_ends_12_hours_after_login_whatever_the_activity(
    client, patient, doctor, role, url, step
):
    user = doctor if role == "doctor" else patient.user
    logged_in_at(client, user)
    minute = 0
    while minute + step < 12 * 60:
        minute += step
        assert get(client, url, minute).status_code == 200, minute
    response = get(client, url, 12 * 60)
    assert sent_to_login(response)
    assert "12 hours" in get(client, response["Location"], 12 * 60).content.decode()


@pytest.mark.django_db
def test_a_request_after_the_timeout_is_not_carried_out(client, patient):
    logged_in_at(client, patient.user)
    with at(61):
        response = client.post("/accounts/profile/", {"first_name": "Changed", "last_name": "Rossi"})
    assert sent_to_login(response)
    patient.user.refresh_from_db()
    assert patient.user.first_name == "Maria"


@pytest.mark.django_db
def test_login_issues_a_new_session_id(client, patient):
    client.get("/accounts/login/")
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    response = client.post(
        "/accounts/login/", {"username": patient.user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


@pytest.mark.django_db
def test_logout_is_post_only_and_ends_the_session_on_the_server(client, patient):
    client.force_login(patient.user)
    key = client.session.session_key
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/questionnaire/").status_code == 200

    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = key
    assert sent_to_login(replay.get("/questionnaire/"))


@pytest.mark.django_db
def test_session_cookie_is_http_only_and_lasts_at_most_12_hours(client, patient, settings):
    response = client.post(
        "/accounts/login/", {"username": patient.user.email, "password": factories.PASSWORD}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert client.session.get_expiry_age() <= 12 * 60 * 60
