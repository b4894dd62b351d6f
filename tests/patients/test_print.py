"""Her printable copy of her own answers, under the clinic's header; the FHIR file labelled for what it is."""

import re

import pytest
from django.urls import reverse

from clinic.models import ClinicProfile
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(patient):
    answers = {**factories.QUIET_ANSWERS, "burning": True, "notes": "Since the spring"}
    return factories.record(patient, answers)


def test_the_copy_has_the_clinic_header_and_her_answers(patient_client, submission):
    # Saved as the admin saves it, which clears the cached profile (her questionnaire read it for
    # its deadline).
    profile = ClinicProfile.objects.get()
    profile.name, profile.address, profile.phone = "Studio Verdi", "Via Po 3, Torino", "+39 011 111 2222"
    profile.save()
    patient_client.cookies["django_language"] = "en"
    page = patient_client.get(reverse("patients:submission_print", args=[submission.pk])).content.decode()
    header = page[page.index('<header class="sheet-header">') : page.index("</header>")]
    assert "Studio Verdi" in header and "Via Po 3, Torino" in header
    assert 'href="tel:+390111112222"' in header
    assert "Burning" in page and "Since the spring" in page
    assert "Maria Rossi" in page
    # The Print button works through the static script: no inline script or handler (CSP).
    assert re.search(r"<button[^>]*data-print-page", page)
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/print.js">']
    assert "onclick" not in page and "<style" not in page
    assert 'href="/static/css/print.css"' in page


def test_another_patients_copy_is_not_found(patient_client, other_patient):
    theirs = factories.record(other_patient, factories.QUIET_ANSWERS)
    assert patient_client.get(reverse("patients:submission_print", args=[theirs.pk])).status_code == 404


def test_her_page_offers_the_copy_and_the_fhir_file_for_what_each_is(patient_client, submission):
    patient_client.cookies["django_language"] = "en"
    page = patient_client.get(reverse("patients:submission_detail", args=[submission.pk])).content.decode()
    assert f'href="{reverse("patients:submission_print", args=[submission.pk])}"' in page
    fhir_url = reverse("patients:submission_fhir", args=[submission.pk])
    fhir = re.search(rf'<a[^>]*href="{fhir_url}"[^>]*>([^<]*)</a>', page)
    assert fhir.group(1) == "For another doctor or app (FHIR)"
