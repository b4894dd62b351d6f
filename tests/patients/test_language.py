"""The language she chooses is kept in her profile: at sign-up, with the switcher and on the profile page."""

import pytest
from django.urls import reverse

from patients.models import User
from tests.patients.test_accounts import SIGNUP_URL, signup_data

pytestmark = pytest.mark.django_db

SWITCH_URL = reverse("set_language")


@pytest.mark.parametrize("language", ["it", "en"])
def test_signup_keeps_the_language_she_signed_up_in(client, language):
    client.cookies["django_language"] = language
    assert client.post(SIGNUP_URL, signup_data()).status_code == 302
    assert User.objects.get(email="new.patient@example.com").language == language


def test_the_switcher_saves_the_choice_in_her_profile(patient_client, patient):
    response = patient_client.post(SWITCH_URL, {"language": "en", "next": "/questionnaire/"})
    assert response.status_code == 302
    assert response.url == "/questionnaire/"
    assert response.cookies["django_language"].value == "en"
    patient.user.refresh_from_db()
    assert patient.user.language == "en"

    patient_client.post(SWITCH_URL, {"language": "it", "next": "/"})
    patient.user.refresh_from_db()
    assert patient.user.language == "it"


def test_a_doctors_choice_is_kept_too(doctor_client, doctor):
    doctor_client.post(SWITCH_URL, {"language": "en", "next": "/dashboard/"})
    doctor.refresh_from_db()
    assert doctor.language == "en"


@pytest.mark.parametrize("code", ["de", "xx", ""])
def test_a_language_the_portal_does_not_offer_is_not_saved(patient_client, patient, code):
    patient_client.post(SWITCH_URL, {"language": code, "next": "/"})
    patient.user.refresh_from_db()
    assert patient.user.language == "it"


def test_a_regional_variant_is_saved_as_its_language(patient_client, patient):
    patient_client.post(SWITCH_URL, {"language": "en-gb", "next": "/"})
    patient.user.refresh_from_db()
    assert patient.user.language == "en"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_switcher_never_leaves_the_portal(patient_client, next_url):
    response = patient_client.post(SWITCH_URL, {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response.url == "/"


def test_the_switcher_changes_nothing_on_get(patient_client, patient):
    response = patient_client.get(SWITCH_URL, {"language": "en", "next": "/"})
    assert response.status_code == 405
    patient.user.refresh_from_db()
    assert patient.user.language == "it"


def test_the_switcher_works_before_login(client):
    response = client.post(SWITCH_URL, {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    assert response.cookies["django_language"].value == "en"


def test_the_switcher_form_keeps_its_field_names(client):
    page = client.get(reverse("login")).content.decode()
    assert f'action="{SWITCH_URL}"' in page
    assert 'name="next"' in page and 'name="language" value="en"' in page


def test_the_profile_page_changes_her_language(patient_client, patient):
    url = reverse("patients:profile")
    page = patient_client.get(url).content.decode()
    assert 'name="language"' in page
    data = {
        "first_name": "Maria",
        "last_name": "Rossi",
        "date_of_birth": patient.date_of_birth.isoformat(),
        "phone": "",
        "language": "en",
    }
    response = patient_client.post(url, data)
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    patient.user.refresh_from_db()
    assert patient.user.language == "en"
    assert "Your profile has been saved." in patient_client.get(url).content.decode()


def test_the_profile_refuses_an_unknown_language_and_keeps_her_answers(patient_client, patient):
    url = reverse("patients:profile")
    data = {
        "first_name": "Marta",
        "last_name": "Rossi",
        "date_of_birth": "1985-01-02",
        "phone": "",
        "language": "xx",
    }
    response = patient_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-describedby="id_language_error"' in html
    assert "xx is not one of the available choices" in html
    assert 'value="Marta"' in html
    patient.user.refresh_from_db()
    assert (patient.user.first_name, patient.user.language) == ("Maria", "it")


def _log_in(client, user):
    from tests.factories import PASSWORD

    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD})


def test_logging_in_on_a_new_browser_brings_her_saved_language(client, patient):
    patient.user.language = "en"
    patient.user.save(update_fields=["language"])
    response = _log_in(client, patient.user)
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    page = client.get(reverse("patients:profile"))
    assert '<html lang="en">' in page.text


def test_a_language_chosen_on_this_browser_before_logging_in_stays(client, patient):
    patient.user.language = "en"
    patient.user.save(update_fields=["language"])
    client.post(SWITCH_URL, {"language": "it", "next": "/"})
    response = _log_in(client, patient.user)
    assert response.status_code == 302
    assert "django_language" not in response.cookies
    assert '<html lang="it">' in client.get(reverse("patients:profile")).text
