"""The clinic's profile: one row, edited by superusers, shown wherever a patient is told to call."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from clinic.auth import is_clinic_admin
from clinic.models import DEMO_PROFILE, SINGLE_ROW_ID, ClinicProfile, clinic_profile
from patients.models import User
from tests import factories

pytestmark = pytest.mark.django_db


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


def test_opening_hours_follow_the_language_with_italian_as_fallback():
    profile = ClinicProfile(name="x", opening_hours_it="lun-ven 9-18", opening_hours_en="Mon-Fri 9-18")
    assert profile.opening_hours("en") == "Mon-Fri 9-18"
    assert profile.opening_hours("it") == "lun-ven 9-18"
    assert ClinicProfile(name="x", opening_hours_it="lun-ven 9-18").opening_hours("en") == "lun-ven 9-18"


def test_the_footer_shows_the_phone_as_a_link_and_the_hours(client_as):
    set_profile(phone="+39 02 7654 3210", opening_hours_en="Mon-Fri 9-18")
    response = client_as("patient").get(reverse("patients:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'href="tel:+390276543210"' in response.text
    assert "Mon-Fri 9-18" in response.text


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
    data = {**DEMO_PROFILE, "phone": "+39 02 1111 2222"}
    response = client.post(url, data)
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
    response = client.post(url, {**DEMO_PROFILE, "phone": "call us"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Enter a phone number patients can call" in response.text
    assert ClinicProfile.objects.get().phone == DEMO_PROFILE["phone"]


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
    response = client.post(url, {**DEMO_PROFILE, "sms_sender": sender}, HTTP_ACCEPT_LANGUAGE="en")
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
