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


def pytest_collection_modifyitems(config, items):
    """Deselect (not skip) the PostgreSQL-only tests on SQLite; CI runs on PostgreSQL and runs them."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]
