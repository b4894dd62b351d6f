"""`doctor_required`: anonymous users log in first, other users are refused, doctors get through."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from patients.models import User
from tests import factories
from triage.decorators import doctor_required


@doctor_required
def worklist_view(request):
    return HttpResponse("worklist")


def _get(user):
    request = RequestFactory().get("/dashboard/?level=3")
    request.user = user
    return worklist_view(request)


def test_an_anonymous_user_is_sent_to_log_in_and_back():
    response = _get(AnonymousUser())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/%3Flevel%3D3"


@pytest.mark.django_db
def test_a_patient_is_refused():
    with pytest.raises(PermissionDenied):
        _get(factories.make_patient().user)


@pytest.mark.django_db
def test_staff_without_the_worklist_permission_are_refused():
    staff = User.objects.create_user(email="desk@example.com", password=factories.PASSWORD, is_staff=True)
    with pytest.raises(PermissionDenied):
        _get(staff)


@pytest.mark.django_db
def test_a_doctor_gets_the_page():
    assert _get(factories.make_doctor()).content == b"worklist"


def test_the_decorator_takes_a_login_url_as_login_required_does():
    @doctor_required(login_url="/elsewhere/")
    def view(request):
        return HttpResponse()

    request = RequestFactory().get("/dashboard/")
    request.user = AnonymousUser()
    assert view(request)["Location"] == "/elsewhere/?next=/dashboard/"
