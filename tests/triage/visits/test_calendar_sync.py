"""The booking calendar in sync: fetched safely and conditionally, imported like an upload, its
failures recorded and reported once they last, the scheduler's job and the command."""

import ipaddress
import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from clinic import scheduler
from clinic.models import ClinicProfile
from tests.calendar_server import CalendarServer, SilentServer, self_signed_certificate
from tests.factories import make_patient
from tests.test_support import run_tasks
from triage.models import CalendarSync, Visit
from triage.visits import fetch, presenters, sync
from triage.visits.fetch import FetchError
from triage.visits.sync import calendar_sync

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2027, 3, 20, 9, 0, tzinfo=ROME)
TOKEN = "s3cr3t-t0ken-4f9a"
HEALTH = "/health/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def server():
    with CalendarServer() as running:
        yield running


@pytest.fixture
def patients(db):
    return {
        "maria": make_patient(email="maria@example.com", first_name="Maria", last_name="Rossi"),
        "anna": make_patient(
            email="anna@example.com", first_name="Anna", last_name="Verdi", date_of_birth=date(1985, 6, 1)
        ),
    }


def ics(*events: str) -> bytes:
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Booking//EN", *events, "END:VCALENDAR"])
    return (body + "\r\n").encode()


def event(uid, start, *, end=None, attendee=None, extra=()) -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART;TZID=Europe/Rome:{start}",
        f"DTEND;TZID=Europe/Rome:{end or start[:-4] + '0930'}",
    ]
    if attendee:
        lines.append(attendee)
    lines.extend(extra)
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


CALENDAR = ics(
    event("bk-1", "20270328T090000", attendee="ATTENDEE;CN=Maria Rossi:mailto:maria@example.com"),
    # Another email, Anna's name and date of birth: waits for the doctor's confirmation.
    event(
        "bk-2",
        "20270329T110000",
        end="20270329T113000",
        attendee="ATTENDEE;CN=Anna Verdi:mailto:anna.old@example.org",
        extra=["X-PATIENT-BIRTHDATE:1985-06-01"],
    ),
    event("bk-3", "20270330T100000", attendee="ATTENDEE;CN=Nuova Paziente:mailto:nuova@example.com"),
)
MOVED_AND_CANCELLED = ics(
    event(
        "bk-1",
        "20270331T150000",
        end="20270331T154500",
        attendee="ATTENDEE;CN=Maria Rossi:mailto:maria@example.com",
    ),
    event("bk-2", "20270329T110000", end="20270329T113000", extra=["STATUS:CANCELLED"]),
    event("bk-3", "20270330T100000", attendee="ATTENDEE;CN=Nuova Paziente:mailto:nuova@example.com"),
)
LAST_MODIFIED = "Fri, 19 Mar 2027 18:00:00 GMT"


def state() -> CalendarSync:
    return CalendarSync.objects.get()


# --- Importing like an upload ---


def test_a_sync_imports_the_calendar_with_the_uploads_matching_and_confirmation_list(server, patients):
    url = server.serve(f"/feeds/{TOKEN}.ics", body=CALENDAR, etag='"v1"')

    result = calendar_sync(url, allow_private=True)
    run_tasks()

    assert result.last_outcome == CalendarSync.Outcome.IMPORTED
    assert (result.created, result.updated, result.unchanged, result.invited, result.pending) == (
        3,
        0,
        0,
        1,
        1,
    )
    assert Visit.objects.get(uid="bk-1").patient == patients["maria"]
    waiting = Visit.objects.get(uid="bk-2")
    assert (waiting.patient, waiting.match_patient, waiting.match_reason) == (
        None,
        patients["anna"],
        Visit.Match.NAME_ONLY,
    )
    assert Visit.objects.get(uid="bk-3").invitation.email == "nuova@example.com"
    # Nothing goes to the visit that waits for the doctor.
    assert sorted(email.to[0] for email in mail.outbox) == ["maria@example.com", "nuova@example.com"]
    assert (result.last_success_at, result.failing_since, result.last_error) == (timezone.now(), None, "")


def test_a_second_sync_of_an_unchanged_calendar_changes_nothing(server, patients):
    url = server.serve("/calendar.ics", body=CALENDAR)
    calendar_sync(url, allow_private=True)
    run_tasks()
    sent = len(mail.outbox)

    again = calendar_sync(url, allow_private=True)
    run_tasks()

    assert (again.created, again.updated, again.unchanged, again.pending) == (0, 0, 3, 0)
    assert Visit.objects.count() == 3
    assert len(mail.outbox) == sent


def test_a_second_sync_asks_conditionally_and_a_304_imports_nothing(server, patients, monkeypatch):
    url = server.serve("/calendar.ics", body=CALENDAR, etag='"v1"', last_modified=LAST_MODIFIED)
    calendar_sync(url, allow_private=True)

    def must_not_import(*args, **kwargs):
        raise AssertionError("a 304 imports nothing")

    monkeypatch.setattr(sync, "visits_import", must_not_import)
    monkeypatch.setattr(sync, "parse", must_not_import)
    later = NOW + timedelta(minutes=15)
    with time_machine.travel(later, tick=False):
        again = calendar_sync(url, allow_private=True)

    first, second = server.requests
    assert "If-None-Match" not in first["headers"]
    assert second["headers"]["If-None-Match"] == '"v1"'
    assert second["headers"]["If-Modified-Since"] == LAST_MODIFIED
    assert again.last_outcome == CalendarSync.Outcome.NOT_MODIFIED
    assert again.last_success_at == later
    # The counts are still those of the import that brought the calendar.
    assert (again.created, again.last_import_at) == (3, NOW)
    assert presenters.sync_summary(again) == [
        "The calendar has not changed since the previous sync.",
        "3 new visits, 0 changed, 0 already up to date, 1 patients invited to sign up.",
    ]
    assert Visit.objects.count() == 3


def test_another_address_starts_without_the_previous_ones_validators(server, patients):
    first = server.serve("/one.ics", body=CALENDAR, etag='"v1"')
    second = server.serve("/two.ics", body=CALENDAR, etag='"v1"')
    calendar_sync(first, allow_private=True)

    result = calendar_sync(second, allow_private=True)

    assert "If-None-Match" not in server.requests[-1]["headers"]
    assert result.last_outcome == CalendarSync.Outcome.IMPORTED


def test_a_moved_and_a_cancelled_booking_are_applied(server, patients):
    url = server.serve("/calendar.ics", body=CALENDAR, etag='"v1"')
    calendar_sync(url, allow_private=True)
    server.serve("/calendar.ics", body=MOVED_AND_CANCELLED, etag='"v2"')

    result = calendar_sync(url, allow_private=True)

    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    moved = Visit.objects.get(uid="bk-1")
    assert timezone.localtime(moved.starts_at).replace(tzinfo=None) == datetime(2027, 3, 31, 15, 0)
    assert moved.duration_minutes == 45
    assert Visit.objects.get(uid="bk-2").state == Visit.State.CANCELLED
    # A cancelled visit leaves the confirmation list.
    assert not Visit.objects.exclude(match_reason="").filter(state=Visit.State.BOOKED).exists()


def test_an_unreadable_calendar_imports_nothing_and_is_fetched_again_next_time(server, patients):
    broken = ics(
        event("bk-1", "20270328T090000", attendee="ATTENDEE:mailto:maria@example.com"),
        "\r\n".join(["BEGIN:VEVENT", "UID:bk-bad", "DTSTART;VALUE=DATE:20270401", "END:VEVENT"]),
    )
    url = server.serve("/calendar.ics", body=broken, etag='"bad"')

    result = calendar_sync(url, allow_private=True)
    calendar_sync(url, allow_private=True)

    assert result.last_error == CalendarSync.Error.INVALID_FILE
    assert result.problems == [[10, "the event has a date but no time"]]
    assert not Visit.objects.exists()
    assert "If-None-Match" not in server.requests[-1]["headers"]


def test_a_calendar_without_bookings_is_a_successful_sync(server, db):
    url = server.serve("/calendar.ics", body=ics())

    result = calendar_sync(url, allow_private=True)

    assert (result.last_outcome, result.created, result.failing_since) == ("imported", 0, None)


# --- Failures ---


def test_a_404_is_recorded_with_its_status(server, db):
    result = calendar_sync(server.url("/gone.ics"), allow_private=True)

    assert (result.last_outcome, result.last_error, result.last_error_status) == (
        "failed",
        "http_status",
        404,
    )
    assert (result.failing_since, result.last_success_at) == (NOW, None)
    assert presenters.sync_summary(result) == ["The calendar's server answered with an error. (HTTP 404)"]


@pytest.mark.parametrize("chunked", [False, True], ids=["announced", "streamed"])
def test_a_calendar_over_the_size_limit_is_refused(server, db, monkeypatch, chunked):
    monkeypatch.setattr(sync, "MAX_FILE_BYTES", 100_000)
    url = server.serve("/huge.ics", body=b"X" * 300_000, chunked=chunked)

    result = calendar_sync(url, allow_private=True)

    assert result.last_error == CalendarSync.Error.TOO_LARGE
    assert not Visit.objects.exists()


def test_a_server_that_does_not_answer_times_out(db, settings):
    settings.CALENDAR_SYNC_TIMEOUT_SECONDS = 0.2
    with SilentServer() as silent:
        result = calendar_sync(silent.url(), allow_private=True)

    assert result.last_error == CalendarSync.Error.TIMEOUT


def test_a_refused_connection_is_recorded(db):
    with SilentServer() as closed:
        url = closed.url()
    result = calendar_sync(url, allow_private=True)

    assert result.last_error == CalendarSync.Error.CONNECTION_FAILED


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://127.0.0.1/calendar.ics", "address_refused"),
        ("https://localhost/calendar.ics", "address_refused"),
        ("https://[::1]/calendar.ics", "address_refused"),
        ("https://[::ffff:10.0.0.7]/calendar.ics", "address_refused"),
        ("https://169.254.169.254/latest/meta-data", "address_refused"),
        ("https://192.168.1.20/calendar.ics", "address_refused"),
        ("http://93.184.215.14/calendar.ics", "scheme_refused"),
        ("ftp://93.184.215.14/calendar.ics", "invalid_url"),
        ("https://user:pass@93.184.215.14/calendar.ics", "invalid_url"),
        ("https://calendar.invalid/calendar.ics", "dns_failed"),
    ],
)
def test_only_https_to_public_addresses_is_fetched_by_default(db, url, code):
    result = calendar_sync(url)

    assert (result.last_outcome, result.last_error) == ("failed", code)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("100.64.0.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:93.184.215.14", True),
        ("2002:7f00:1::", False),
    ],
)
def test_is_public(address, public):
    assert fetch.is_public(ipaddress.ip_address(address)) is public


@pytest.fixture
def loopback_is_public(monkeypatch, server):
    """`calendar.test` resolves to the loopback, which stands in for a public host (and only it)."""
    lookups = []
    real_resolve, real_is_public = fetch.resolve, fetch.is_public

    def resolve(host, port):
        lookups.append(host)
        return ["127.0.0.1"] if host == "calendar.test" else real_resolve(host, port)

    monkeypatch.setattr(fetch, "resolve", resolve)
    monkeypatch.setattr(
        fetch,
        "is_public",
        lambda address: address == ipaddress.ip_address("127.0.0.1") or real_is_public(address),
    )
    return lookups


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/calendar.ics",
        "http://127.0.0.2:6379/",
        "http://[::1]/calendar.ics",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(server, loopback_is_public, location):
    server.serve("/moved.ics", status=302, headers={"Location": location})

    with pytest.raises(FetchError) as refused:
        fetch.fetch(server.url("/moved.ics", host="calendar.test"), allow_http=True)

    assert refused.value.code == "address_refused"
    assert len(server.requests) == 1


def test_a_redirect_to_a_public_address_is_followed_and_connects_to_the_checked_address(
    server, loopback_is_public
):
    server.serve("/old.ics", status=301, headers={"Location": "/new.ics"})
    server.serve("/new.ics", body=CALENDAR, etag='"v1"')

    fetched = fetch.fetch(server.url("/old.ics", host="calendar.test"), allow_http=True)

    assert fetched.content == CALENDAR and fetched.etag == '"v1"'
    # One lookup per hop, and the request went to the address that was checked, under the host's name.
    assert loopback_is_public == ["calendar.test", "calendar.test"]
    assert [request["headers"]["Host"] for request in server.requests] == [f"calendar.test:{server.port}"] * 2


def test_redirects_without_end_are_refused(server, loopback_is_public):
    server.serve("/loop.ics", status=302, headers={"Location": "/loop.ics"})

    with pytest.raises(FetchError) as refused:
        fetch.fetch(server.url("/loop.ics", host="calendar.test"), allow_http=True)

    assert refused.value.code == "too_many_redirects"
    assert len(server.requests) == fetch.MAX_REDIRECTS + 1


@pytest.fixture
def tls_server(tmp_path, monkeypatch):
    """A calendar over https with a certificate for `calendar.test`, which resolves to the loopback
    standing in for a public host; the certificate is the only one trusted."""
    cert = self_signed_certificate(tmp_path, "calendar.test")
    monkeypatch.setenv("SSL_CERT_FILE", cert[0])
    real_resolve, real_is_public = fetch.resolve, fetch.is_public
    monkeypatch.setattr(
        fetch,
        "resolve",
        lambda host, port: ["127.0.0.1"] if host.endswith(".test") else real_resolve(host, port),
    )
    monkeypatch.setattr(
        fetch,
        "is_public",
        lambda address: address == ipaddress.ip_address("127.0.0.1") or real_is_public(address),
    )
    with CalendarServer(tls_cert=cert) as running:
        yield running


def test_https_connects_to_the_checked_address_and_verifies_the_hosts_certificate(tls_server):
    tls_server.serve("/calendar.ics", body=CALENDAR, etag='"v1"')

    fetched = fetch.fetch(tls_server.url("/calendar.ics", host="calendar.test"))
    again = fetch.fetch(tls_server.url("/calendar.ics", host="calendar.test"), etag=fetched.etag)

    assert fetched.content == CALENDAR
    assert again.not_modified
    assert tls_server.requests[0]["headers"]["Host"] == f"calendar.test:{tls_server.port}"


def test_a_certificate_for_another_name_is_refused(tls_server):
    tls_server.serve("/calendar.ics", body=CALENDAR)

    with pytest.raises(FetchError) as refused:
        fetch.fetch(tls_server.url("/calendar.ics", host="other.test"))

    assert refused.value.code == "tls_failed"
    assert tls_server.requests == []


def test_webcal_addresses_are_fetched_over_https():
    assert fetch.normalize_url("webcal://booking.example/c.ics") == "https://booking.example/c.ics"


# --- What is kept and reported ---


def test_a_failure_after_a_success_keeps_the_counts_and_a_success_clears_it(server, patients):
    url = server.serve("/calendar.ics", body=CALENDAR)
    calendar_sync(url, allow_private=True)
    server.serve("/calendar.ics", status=500)
    later = NOW + timedelta(minutes=15)
    with time_machine.travel(later, tick=False):
        failed = calendar_sync(url, allow_private=True)
    with time_machine.travel(later + timedelta(minutes=15), tick=False):
        failed_again = calendar_sync(url, allow_private=True)
    server.serve("/calendar.ics", body=CALENDAR)
    with time_machine.travel(later + timedelta(minutes=30), tick=False):
        recovered = calendar_sync(url, allow_private=True)

    assert (failed.failing_since, failed.last_success_at, failed.created) == (later, NOW, 3)
    assert failed_again.failing_since == later
    assert (recovered.failing_since, recovered.last_error, recovered.unchanged) == (None, "", 3)


def test_the_log_names_the_host_only(server, patients, caplog):
    url = server.serve(f"/feeds/{TOKEN}.ics?key={TOKEN}", body=CALENDAR)
    server.serve(f"/gone/{TOKEN}.ics", status=404)
    with caplog.at_level(logging.DEBUG):
        calendar_sync(url, allow_private=True)
        calendar_sync(server.url(f"/gone/{TOKEN}.ics"), allow_private=True)

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "Calendar sync from http://127.0.0.1/… failed: http_status 404" in text
    assert "3 new" in text
    for secret in (TOKEN, "maria", "Maria", "Rossi", "Verdi", "nuova"):
        assert secret not in text


# --- The command and the scheduler ---


def test_the_command_syncs_the_given_address_and_reports_in_words(server, patients, capsys):
    url = server.serve(f"/feeds/{TOKEN}.ics", body=CALENDAR)

    call_command("sync_calendar", "--allow-private", "--url", url)

    out = capsys.readouterr().out
    assert "3 new visits, 0 changed, 0 already up to date, 1 patients invited to sign up." in out
    assert "1 visit needs your confirmation" in out
    assert "Calendar synced from http://127.0.0.1/…" in out
    assert TOKEN not in out


def test_the_command_fails_on_a_failed_sync_and_without_an_address(server, db):
    with pytest.raises(CommandError, match="No calendar address"):
        call_command("sync_calendar")
    with pytest.raises(CommandError, match="failed"):
        call_command("sync_calendar", "--allow-private", "--url", server.url("/gone.ics"))
    # Without --allow-private, the loopback is refused before any request.
    with pytest.raises(CommandError):
        call_command("sync_calendar", "--url", server.url("/gone.ics"))
    assert len(server.requests) == 1
    assert state().last_error == CalendarSync.Error.SCHEME_REFUSED


def test_the_command_reads_the_clinic_profiles_address(server, patients, settings):
    settings.CALENDAR_SYNC_ALLOW_PRIVATE = True
    ClinicProfile.objects.update_or_create(
        id=1, defaults={"name": "Studio", "booking_calendar_url": server.serve("/c.ics", body=CALENDAR)}
    )

    call_command("sync_calendar")

    assert Visit.objects.count() == 3


def test_the_scheduler_syncs_every_15_minutes():
    job = next(job for job in scheduler.jobs() if job.name == "sync_calendar")

    assert (job.every, job.at) == (timedelta(minutes=15), None)


def test_the_scheduled_job_syncs_the_profiles_address_and_records_a_failure_without_failing(
    server, patients, settings
):
    settings.CALENDAR_SYNC_ALLOW_PRIVATE = True
    job = next(job for job in scheduler.jobs() if job.name == "sync_calendar")
    assert scheduler.job_run_if_due(job) == "succeeded"
    assert not CalendarSync.objects.exists()
    ClinicProfile.objects.update_or_create(
        id=1, defaults={"name": "Studio", "booking_calendar_url": server.serve("/c.ics", body=CALENDAR)}
    )
    with time_machine.travel(NOW + timedelta(minutes=15), tick=False):
        assert scheduler.job_run_if_due(job) == "succeeded"
    assert Visit.objects.count() == 3
    server.serve("/c.ics", status=503)
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        assert scheduler.job_run_if_due(job) == "succeeded"
    assert state().last_error_status == 503


# --- Health and the doctor's pages ---


def test_health_reports_a_sync_failing_for_more_than_an_hour_as_degraded(server, client, db):
    url = server.url("/gone.ics")
    calendar_sync(url, allow_private=True)
    with time_machine.travel(NOW + timedelta(minutes=59), tick=False):
        calendar_sync(url, allow_private=True)
        within = client.get(HEALTH).json()
    with time_machine.travel(NOW + timedelta(minutes=61), tick=False):
        body = client.get(HEALTH)
    server.serve("/gone.ics", body=CALENDAR)
    with time_machine.travel(NOW + timedelta(minutes=75), tick=False):
        calendar_sync(url, allow_private=True)
        recovered = client.get(HEALTH).json()

    assert "calendar_sync_failing" not in within["warnings"]
    assert body.status_code == 200
    assert "calendar_sync_failing" in body.json()["warnings"]
    assert body.json()["status"] == "degraded"
    assert body.json()["calendar_sync"] == {
        "last_success": None,
        "failing_since": NOW.astimezone(UTC).isoformat(),
        "last_error": "http_status",
    }
    assert "calendar_sync_failing" not in recovered["warnings"]
    assert url not in body.content.decode()


IMPORT = reverse("triage:visit_import")
DAY = reverse("triage:visit_day")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Booking calendar", "Last sync", "3 new visits", "1 visit needs your confirmation"]),
        (
            "it",
            [
                "Calendario delle prenotazioni",
                "Ultima sincronizzazione",
                "3 nuove visite",
                "1 visita richiede la sua conferma",
            ],
        ),
    ],
)
def test_the_import_page_shows_the_last_sync(server, patients, doctor_client, language, words):
    ClinicProfile.objects.update_or_create(
        id=1,
        defaults={"name": "Studio", "booking_calendar_url": server.serve(f"/f/{TOKEN}.ics", body=CALENDAR)},
    )
    with translation.override(language):
        calendar_sync(allow_private=True)

    page = doctor_client.get(IMPORT, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    for text in words:
        assert text in page
    assert "http://127.0.0.1/…" in page
    assert TOKEN not in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["The calendar&#x27;s server answered with an error. (HTTP 404)", "Failing since"]),
        ("it", ["HTTP 404", "Non riesce dal"]),
    ],
)
def test_a_failing_sync_shows_on_the_import_page_and_after_an_hour_on_the_day_list(
    server, doctor, doctor_client, language, words
):
    calendar_sync(server.url("/gone.ics"), allow_private=True)
    day = doctor_client.get(DAY, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'id="calendar-sync-failing"' not in day

    with time_machine.travel(NOW + timedelta(minutes=61), tick=False):
        doctor_client.force_login(doctor)
        page = doctor_client.get(IMPORT, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        day = doctor_client.get(DAY, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    for text in words:
        assert text in page
    assert 'id="calendar-sync-failing"' in day
