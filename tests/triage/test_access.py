"""`case_for_doctor`: the one way a view reaches a case."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from tests import factories
from triage.access import case_for_doctor
from triage.models import Case


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.django_db
def test_a_doctor_gets_the_case_with_what_its_page_shows(doctor, patient, django_assert_num_queries):
    case = factories.make_case(patient)
    request = _request(doctor)
    request.user.has_perm("triage.view_queue")  # the permission check of the page's decorator

    with django_assert_num_queries(1):
        found = case_for_doctor(request, case.pk)
        assert found.patient.user.email == patient.user.email

    assert found == case


@pytest.mark.django_db
def test_a_missing_case_is_a_404(doctor):
    with pytest.raises(Http404):
        case_for_doctor(_request(doctor), 999_999)


@pytest.mark.django_db
def test_a_patient_never_reaches_a_case_even_her_own(patient):
    case = factories.make_case(patient)
    with pytest.raises(PermissionDenied):
        case_for_doctor(_request(patient.user), case.pk)


@pytest.mark.django_db
def test_a_view_may_ask_for_fewer_columns(doctor, patient):
    case = factories.make_case(patient)
    found = case_for_doctor(_request(doctor), case.pk, queryset=Case.objects.only("pk", "submitted_at"))
    assert found.get_deferred_fields() >= {"level", "status"}
