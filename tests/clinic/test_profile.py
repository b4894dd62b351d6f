"""The clinic's profile: one row, edited by superusers, shown wherever a patient is told to call."""

from datetime import date, time

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from clinic.auth import is_clinic_admin
from clinic.models import DEMO_PROFILE, SINGLE_ROW_ID, ClinicProfile, OpeningInterval, clinic_profile
from patients.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def admin_data(**fields):
    """The profile's change form as posted, with no hours rows (their inlines start empty)."""
    OpeningInterval.objects.all().delete()
    data = {**DEMO_PROFILE, "emergency_number": "112", "second_emergency_number": "118", **fields}
    for prefix in ("opening_intervals", "closures"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def make_superuser():
    return User.objects.create_superuser(email="root@example.com", password=factories.PASSWORD)


def set_profile(**fields):
    profile = ClinicProfile.objects.get(id=SINGLE_ROW_ID)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    return profile


def test_the_first_migration_creates_the_demo_profile():
    profile = ClinicProfile.objects.get()
    assert profile.phone == DEMO_PROFILE["phone"]
    assert profile.needs_setup


def test_a_second_row_is_refused():
    with pytest.raises(IntegrityError):
        ClinicProfile.objects.create(id=2, name="Another clinic")


@pytest.mark.parametrize(
    ("typed", "href"),
    [("+39 06 1234 5678", "tel:+390612345678"), ("06/123.45.67", "tel:+39061234567"), ("", "")],
)
def test_the_phone_link_is_the_number_in_international_form(typed, href):
    assert ClinicProfile(name="x", phone=typed).phone_href == href


def test_the_hours_are_written_from_the_weekly_hours_in_each_language_with_the_note():
    profile = set_profile(hours_note_it="solo su appuntamento", hours_note_en="")
    assert profile.opening_hours("en") == "Monday to Friday 9:00-13:00 and 14:30-18:30, solo su appuntamento"
    assert profile.opening_hours("it") == "lunedì-venerdì 9:00-13:00 e 14:30-18:30, solo su appuntamento"
    profile = set_profile(hours_note_en="by appointment only")
    assert clinic_profile().opening_hours("en").endswith("18:30, by appointment only")


def test_an_added_opening_period_shows_on_the_next_page(client_as):
    client = client_as("patient")
    assert (
        "Saturday 9:00-12:00" not in client.get(reverse("patients:profile"), HTTP_ACCEPT_LANGUAGE="en").text
    )
    OpeningInterval.objects.create(profile_id=SINGLE_ROW_ID, weekday=5, opens=time(9), closes=time(12))
    response = client.get(reverse("patients:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Saturday 9:00-12:00" in response.text


def test_the_footer_shows_the_phone_as_a_link_and_the_hours(client_as):
    set_profile(phone="+39 02 7654 3210")
    response = client_as("patient").get(reverse("patients:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'href="tel:+390276543210"' in response.text
    assert "Monday to Friday 9:00-13:00 and 14:30-18:30" in response.text


def test_a_saved_change_shows_on_the_next_page(client_as):
    client = client_as("patient")
    assert "tel:+390600000000" in client.get(reverse("patients:profile")).text
    set_profile(phone="+39 011 111 2222")
    assert "tel:+390111112222" in client.get(reverse("patients:profile")).text


def test_without_a_profile_pages_still_work_and_only_superusers_are_told(client):
    ClinicProfile.objects.all().delete()
    patient = factories.make_patient()
    client.force_login(patient.user)
    page = client.get(reverse("patients:profile"))
    assert page.status_code == 200
    assert "tel:" not in page.text
    assert "phone number is not set" not in page.text

    superuser = make_superuser()
    client.force_login(superuser)
    assert "phone number is not set" in client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="en").text


def test_superusers_are_reminded_while_the_details_are_the_demo_ones(client):
    superuser = make_superuser()
    client.force_login(superuser)
    assert "still the demo ones" in client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="en").text
    set_profile(phone="+39 02 7654 3210")
    assert "still the demo ones" not in client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="en").text


def test_the_privacy_notice_names_the_controller_from_the_profile(client):
    set_profile(data_controller="Dott.ssa Anna Verdi, Via Po 3, Torino")
    page = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="en")
    assert "The data controller is Dott.ssa Anna Verdi, Via Po 3, Torino." in page.text


def test_only_superusers_edit_the_profile_in_the_admin(client):
    staff = factories.make_doctor(email="staff@example.com")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    url = reverse("admin:clinic_clinicprofile_change", args=[SINGLE_ROW_ID])
    assert client.get(url).status_code in (302, 403)

    superuser = make_superuser()
    client.force_login(superuser)
    response = client.post(url, admin_data(phone="+39 02 1111 2222"))
    assert response.status_code == 302
    assert clinic_profile().phone == "+39 02 1111 2222"
    assert not ClinicProfile.objects.get().needs_setup


def test_seed_demo_fills_only_the_empty_fields(settings):
    from io import StringIO

    settings.DEBUG = True
    set_profile(name="Studio Verdi", phone="")
    call_command("seed_demo", stdout=StringIO())
    profile = ClinicProfile.objects.get()
    assert profile.name == "Studio Verdi"
    assert profile.phone == DEMO_PROFILE["phone"]


def test_the_admin_refuses_a_phone_that_cannot_be_called(client):
    client.force_login(make_superuser())
    url = reverse("admin:clinic_clinicprofile_change", args=[SINGLE_ROW_ID])
    response = client.post(url, admin_data(phone="call us"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Enter a phone number patients can call" in response.text
    assert ClinicProfile.objects.get().phone == DEMO_PROFILE["phone"]


def test_the_admin_edits_the_hours_and_closures_inline(client):
    client.force_login(make_superuser())
    url = reverse("admin:clinic_clinicprofile_change", args=[SINGLE_ROW_ID])
    data = admin_data(out_of_hours_phone="116117")
    data |= {
        "opening_intervals-TOTAL_FORMS": "2",
        "opening_intervals-0-weekday": "0",
        "opening_intervals-0-opens": "9:00",
        "opening_intervals-0-closes": "13:00",
        "opening_intervals-1-weekday": "2",
        "opening_intervals-1-opens": "15:00",
        "opening_intervals-1-closes": "19:00",
        "closures-TOTAL_FORMS": "1",
        "closures-0-first_day": "2026-12-24",
        "closures-0-last_day": "2026-12-31",
        "closures-0-reason": "Christmas",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    profile = clinic_profile()
    assert profile.opening_hours("en") == "Monday 9:00-13:00; Wednesday 15:00-19:00"
    assert profile.out_of_hours_phone == "116117"
    assert profile.schedule.closure_on(date(2026, 12, 28)).reason == "Christmas"


def test_the_admin_refuses_a_period_that_closes_before_it_opens(client):
    client.force_login(make_superuser())
    url = reverse("admin:clinic_clinicprofile_change", args=[SINGLE_ROW_ID])
    data = admin_data() | {
        "opening_intervals-TOTAL_FORMS": "1",
        "opening_intervals-0-weekday": "0",
        "opening_intervals-0-opens": "13:00",
        "opening_intervals-0-closes": "9:00",
    }
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The closing time must be after the opening time." in response.text
    assert not OpeningInterval.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("emergency_number", "call"), ("out_of_hours_phone", "guardia")]
)
def test_the_admin_refuses_numbers_that_cannot_be_dialled(client, field, value):
    client.force_login(make_superuser())
    url = reverse("admin:clinic_clinicprofile_change", args=[SINGLE_ROW_ID])
    response = client.post(url, admin_data(**{field: value}), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert getattr(ClinicProfile.objects.get(), field) != value


def test_the_safety_settings_start_from_the_rules_defaults():
    profile = ClinicProfile.objects.get()
    assert profile.emergency_numbers == ("112", "118")
    assert profile.out_of_hours_phone == ""
    assert (
        profile.act_within_emergency_minutes,
        profile.act_within_urgent_hours,
        profile.act_within_priority_days,
        profile.act_within_follow_up_days,
    ) == (30, 2, 2, 10)


@pytest.mark.parametrize(
    ("sender", "accepted"),
    [
        ("StudioRossi", True),
        ("Studio 2", True),
        ("S", True),
        ("StudioRossi1", False),  # 12 characters
        ("12345", False),  # digits only: the networks take it for a number
        ("Studio Città", False),  # accents are not shown by every network
        ("Studio-Rossi", False),
    ],
)
def test_the_admin_takes_a_text_message_sender_of_at_most_11_letters_digits_or_spaces(
    client, sender, accepted
):
    client.force_login(make_superuser())
    url = reverse("admin:clinic_clinicprofile_change", args=[SINGLE_ROW_ID])
    response = client.post(url, admin_data(sms_sender=sender), HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code == 302) is accepted
    if not accepted:
        assert 'id="id_sms_sender_error"' in response.text or "At most 11 letters" in response.text
    assert (ClinicProfile.objects.get().sms_sender == sender) is accepted


def test_a_text_names_the_clinic_by_its_sender_or_the_start_of_its_name():
    assert (
        ClinicProfile(name="Studio ginecologico Rossi", sms_sender="StudioRossi").text_name == "StudioRossi"
    )
    assert ClinicProfile(name="Studio ginecologico Rossi").text_name == "Studio gine"


@pytest.mark.parametrize(
    ("fields", "admin"),
    [
        ({"is_superuser": True, "is_staff": True, "is_active": True}, True),
        ({"is_superuser": True, "is_staff": True, "is_active": False}, False),
        ({"is_superuser": False, "is_staff": True, "is_active": True}, False),
    ],
)
def test_only_an_active_superuser_passes_the_admin_gate(fields, admin):
    assert is_clinic_admin(User(email="a@example.com", **fields)) is admin


SECRET_CALENDAR = "https://booking.example.com/ical/4f9a-s3cr3t-t0ken/calendar.ics"


def test_the_booking_calendar_address_is_kept_but_never_shown_again_in_the_admin(client):
    client.force_login(make_superuser())
    url = reverse("admin:clinic_clinicprofile_change", args=[SINGLE_ROW_ID])
    assert client.post(url, admin_data(booking_calendar_url=SECRET_CALENDAR)).status_code == 302
    assert ClinicProfile.objects.get().booking_calendar_url == SECRET_CALENDAR

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    assert "s3cr3t" not in page
    assert "Saved: https://booking.example.com/… (hidden)" in page

    # Saved again with the field left empty (as the page shows it): the address stays.
    assert client.post(url, admin_data(phone="+39 02 1111 2222")).status_code == 302
    assert ClinicProfile.objects.get().booking_calendar_url == SECRET_CALENDAR
    client.post(url, admin_data(booking_calendar_url_clear="on"))
    assert ClinicProfile.objects.get().booking_calendar_url == ""


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("webcal://booking.example.com/c.ics", "https://booking.example.com/c.ics"),
        ("booking.example.com/c.ics", "https://booking.example.com/c.ics"),
    ],
)
def test_a_webcal_or_bare_calendar_address_is_saved_as_https(client, typed, saved):
    client.force_login(make_superuser())
    url = reverse("admin:clinic_clinicprofile_change", args=[SINGLE_ROW_ID])
    assert client.post(url, admin_data(booking_calendar_url=typed)).status_code == 302
    assert ClinicProfile.objects.get().booking_calendar_url == saved


def test_a_plain_http_calendar_address_is_refused_unless_private_ones_are_allowed(client, settings):
    client.force_login(make_superuser())
    url = reverse("admin:clinic_clinicprofile_change", args=[SINGLE_ROW_ID])
    data = admin_data(booking_calendar_url="http://192.168.1.5/c.ics")
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The calendar address must start with https://." in response.text
    assert ClinicProfile.objects.get().booking_calendar_url == ""

    settings.CALENDAR_SYNC_ALLOW_PRIVATE = True
    assert client.post(url, data).status_code == 302
    assert ClinicProfile.objects.get().booking_calendar_url == "http://192.168.1.5/c.ics"
