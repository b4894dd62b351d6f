"""Who is a doctor: one predicate, and the same condition in SQL for the doctors' emails."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from patients.models import User, display_name, is_doctor
from tests import factories


def _worklist_permission():
    return Permission.objects.get(content_type__app_label="triage", codename="view_queue")


def _staff(email, **extra):
    return User.objects.create_user(email=email, password=factories.PASSWORD, is_staff=True, **extra)


def _doctor_in_group(email):
    return factories.make_doctor(email=email)


def _staff_with_own_permission(email):
    user = _staff(email)
    user.user_permissions.add(_worklist_permission())
    return user


def _staff_in_another_group_with_the_permission(email):
    user = _staff(email)
    group = Group.objects.create(name=f"Front desk {email}")
    group.permissions.add(_worklist_permission())
    user.groups.add(group)
    return user


def _staff_superuser(email):
    return User.objects.create_superuser(email=email, password=factories.PASSWORD)


def _superuser_without_staff(email):
    return User.objects.create_superuser(email=email, password=factories.PASSWORD, is_staff=False)


def _inactive_doctor(email):
    user = factories.make_doctor(email=email)
    user.is_active = False
    user.save()
    return user


def _doctor_no_longer_staff(email):
    user = factories.make_doctor(email=email)
    user.is_staff = False
    user.save()
    return user


def _staff_without_the_permission(email):
    return _staff(email)


def _patient(email):
    return factories.make_patient(email=email).user


ACCOUNTS = [
    pytest.param(_doctor_in_group, True, id="doctors-group"),
    pytest.param(_staff_with_own_permission, True, id="own-permission"),
    pytest.param(_staff_in_another_group_with_the_permission, True, id="another-group-granting-it"),
    pytest.param(_staff_superuser, True, id="superuser"),
    pytest.param(_superuser_without_staff, False, id="superuser-not-staff"),
    pytest.param(_inactive_doctor, False, id="inactive"),
    pytest.param(_doctor_no_longer_staff, False, id="not-staff"),
    pytest.param(_staff_without_the_permission, False, id="staff-without-permission"),
    pytest.param(_patient, False, id="patient"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "expected"), ACCOUNTS)
def test_is_doctor_and_the_doctors_query_agree(make, expected):
    user = User.objects.get(pk=make("someone@example.com").pk)
    assert is_doctor(user) is expected
    assert user.is_doctor is expected
    assert User.objects.doctors().filter(pk=user.pk).exists() is expected


@pytest.mark.django_db
def test_the_doctors_query_lists_each_doctor_once():
    doctor = _staff_with_own_permission("both@example.com")
    doctor.groups.add(Group.objects.get_or_create(name="doctors")[0])
    _doctor_in_group("doctor@example.com").groups.add(Group.objects.create(name="Second group"))
    _patient("patient@example.com")

    emails = list(User.objects.doctors().values_list("email", flat=True))

    assert sorted(emails) == ["both@example.com", "doctor@example.com"]


def test_an_anonymous_user_is_not_a_doctor():
    assert is_doctor(AnonymousUser()) is False


@pytest.mark.parametrize(
    ("first", "last", "email", "expected"),
    [
        ("Maria", "Rossi", "m@example.com", "Maria Rossi"),
        ("Maria", "", "m@example.com", "Maria"),
        ("", "Rossi", "m@example.com", "Rossi"),
        ("", "", "m@example.com", "m@example.com"),
        (None, None, None, ""),
    ],
)
def test_a_person_is_named_by_first_and_last_name_or_else_by_email(first, last, email, expected):
    assert display_name(first, last, email) == expected
    if email is not None:
        assert str(User(first_name=first, last_name=last, email=email)) == expected
