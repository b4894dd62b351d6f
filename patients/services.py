"""Writes for accounts: registration, profile updates, doctor accounts."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction

from .models import Consent, Patient, User


class EmailTaken(Exception):
    """The email was registered by a concurrent request."""


@transaction.atomic
def patient_register(*, email, password, first_name, last_name, date_of_birth, phone="") -> User:
    """Create the user, her patient profile and her consent record together."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, first_name=first_name, last_name=last_name
            )
    except IntegrityError as exc:
        raise EmailTaken from exc
    patient = Patient.objects.create(user=user, date_of_birth=date_of_birth, phone=phone)
    Consent.objects.create(patient=patient, notice_version=settings.PRIVACY_NOTICE_VERSION)
    return user


@transaction.atomic
def patient_update_profile(*, user: User, first_name, last_name, date_of_birth, phone) -> None:
    user.first_name = first_name
    user.last_name = last_name
    user.save(update_fields=["first_name", "last_name"])
    Patient.objects.update_or_create(user=user, defaults={"date_of_birth": date_of_birth, "phone": phone})


def doctors_group() -> Group:
    """The role that grants the worklist; created on demand with its permissions."""
    group, _created = Group.objects.get_or_create(name=settings.DOCTORS_GROUP)
    perms = Permission.objects.filter(content_type__app_label="triage", codename__in=DOCTOR_PERMISSIONS)
    group.permissions.add(*perms)
    return group


DOCTOR_PERMISSIONS = ("view_queue",)


@transaction.atomic
def doctor_create(*, email, password, first_name="", last_name="") -> User:
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name, is_staff=True
    )
    user.groups.add(doctors_group())
    return user
