"""Small builders for test data."""

from datetime import date

from patients.models import Patient, User
from patients.services import doctor_create, patient_register

PASSWORD = "a-Long-test-passphrase-42"


def make_patient(
    email="patient@example.com",
    first_name="Maria",
    last_name="Rossi",
    date_of_birth=date(1990, 3, 1),
    **extra,
) -> Patient:
    user = patient_register(
        email=email,
        password=PASSWORD,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        phone=extra.pop("phone", ""),
    )
    return user.patient


def make_doctor(email="doctor@example.com", first_name="Giulia", last_name="Bianchi") -> User:
    return doctor_create(email=email, password=PASSWORD, first_name=first_name, last_name=last_name)
