import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """A fast hasher keeps the suite quick; production keeps Django's default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def patient(db):
    return factories.make_patient()


@pytest.fixture
def other_patient(db):
    return factories.make_patient(email="other@example.com", first_name="Anna", last_name="Verdi")


@pytest.fixture
def doctor(db):
    return factories.make_doctor()


@pytest.fixture
def patient_client(client, patient):
    client.force_login(patient.user)
    return client


@pytest.fixture
def doctor_client(client, doctor):
    client.force_login(doctor)
    return client
