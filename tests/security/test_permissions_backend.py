"""The model backend reads a user's own and group permissions in one query, with Django's results."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from clinic.backends import ModelBackendOneQuery
from patients.models import User
from tests import factories


def _perm(codename):
    return Permission.objects.get(codename=codename)


@pytest.fixture
def staff_user(db):
    user = User.objects.create_user(email="nurse@example.com", password="x" * 12, is_staff=True)
    group = Group.objects.create(name="Front desk")
    group.permissions.add(_perm("view_queue"))
    user.groups.add(group)
    user.user_permissions.add(_perm("change_case"))
    return User.objects.get(pk=user.pk)


def test_own_and_group_permissions_in_one_query(staff_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        perms = ModelBackendOneQuery().get_all_permissions(staff_user)
        assert staff_user.has_perm("triage.view_queue")
        assert staff_user.has_perm("triage.change_case")
    assert perms == {"triage.view_queue", "triage.change_case"}
    assert perms == ModelBackend().get_all_permissions(User.objects.get(pk=staff_user.pk))


def test_a_permission_held_by_nobody_is_refused(staff_user):
    assert not staff_user.has_perm("triage.delete_case")


def test_inactive_users_have_no_permissions(staff_user):
    staff_user.is_active = False
    assert ModelBackendOneQuery().get_all_permissions(staff_user) == set()
    assert not staff_user.has_perm("triage.view_queue")


def test_superusers_have_every_permission(db):
    admin = User.objects.create_superuser(email="admin@example.com", password="x" * 12)
    assert ModelBackendOneQuery().get_all_permissions(admin) == ModelBackend().get_all_permissions(
        User.objects.get(pk=admin.pk)
    )


def test_doctors_and_patients_get_what_their_roles_grant(db):
    doctor = User.objects.get(pk=factories.make_doctor().pk)
    patient = User.objects.get(pk=factories.make_patient().user.pk)
    assert doctor.has_perm("triage.view_queue")
    assert not patient.has_perm("triage.view_queue")
    assert ModelBackendOneQuery().get_all_permissions(doctor) == ModelBackend().get_all_permissions(
        User.objects.get(pk=doctor.pk)
    )
