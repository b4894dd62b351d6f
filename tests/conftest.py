import time
from datetime import datetime

import pytest
import time_machine

from tests import factories


def pytest_addoption(parser):
    parser.addoption(
        "--frozen-at",
        metavar="ISO_DATETIME",
        help=(
            "move the clock to this moment (e.g. 2026-12-31T23:59:00+01:00) for the whole session; "
            "every test starts there and the clock ticks on from it"
        ),
    )


def frozen_moment(config) -> datetime | None:
    value = config.getoption("--frozen-at")
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise pytest.UsageError("--frozen-at needs a UTC offset, e.g. 2026-03-29T01:59:00+01:00")
    return moment


SESSION_CLOCK = pytest.StashKey[time_machine.travel]()


def pytest_configure(config):
    """With --frozen-at, collection already sees the moved clock (parameters computed from today)."""
    moment = frozen_moment(config)
    if moment is not None:
        config.stash[SESSION_CLOCK] = time_machine.travel(moment, tick=True)
        config.stash[SESSION_CLOCK].start()


def pytest_unconfigure(config):
    clock = config.stash.get(SESSION_CLOCK, None)
    if clock is not None:
        clock.stop()


STARTED = pytest.StashKey[float]()


def real_time() -> float:
    """The wall clock, even under --frozen-at (file times are real)."""
    escape = time_machine.escape_hatch
    return escape.time.time() if escape.is_travelling() else time.time()


def pytest_sessionstart(session):
    session.config.stash[STARTED] = real_time()


def pytest_terminal_summary(terminalreporter, config):
    """Say where this run's browser screenshots are, so a CI log leads to them.

    The files are counted on disk: with pytest-xdist the workers take them, not this process.
    """
    from tests.browser.support import SCREENSHOTS

    started = config.stash.get(STARTED, None)
    if started is None or not SCREENSHOTS.is_dir():
        return
    saved = [path for path in SCREENSHOTS.rglob("*.png") if path.stat().st_mtime >= started]
    if saved:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(saved)} screenshots saved under {SCREENSHOTS.resolve()}")


def pytest_report_header(config):
    moment = frozen_moment(config)
    if moment is not None:
        return f"clock frozen at {moment.isoformat()} (each test starts there, ticking)"
    return None


@pytest.fixture(autouse=True)
def _frozen_clock(request):
    """Each test starts at the --frozen-at moment, not minutes after it, so a run is repeatable.

    The clock ticks: time-stamps taken one after another still differ and keep their order.
    """
    moment = frozen_moment(request.config)
    if moment is None:
        yield
        return
    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """A fast hasher keeps the suite quick; production keeps Django's default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """A language activated by one test never leaks into the next (the active language is per thread)."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches: a cached row must not outlive the transaction that wrote it.

    Every configured cache, not only those this thread has opened: a test that changes
    settings.CACHES leaves the next one new cache handles over the same process-wide local memory.
    """
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture(params=["cache on", "cache off"])
def fragment_cache(request, settings):
    """Run a test with the fragment cache on and off (settings.FRAGMENT_CACHE): pages must agree."""
    backend = {
        "cache on": "django.core.cache.backends.locmem.LocMemCache",
        "cache off": "django.core.cache.backends.dummy.DummyCache",
    }[request.param]
    settings.CACHES = {**settings.CACHES, "fragments": {**settings.CACHES["fragments"], "BACKEND": backend}}
    from django.core.cache import caches

    caches["fragments"].clear()
    return request.param


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Text messages go to a list, emptied for each test (tests.test_support.LocmemSmsBackend)."""
    from tests.test_support import LocmemSmsBackend

    settings.SMS_BACKEND = "tests.test_support.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend.outbox


@pytest.fixture
def twilio(settings):
    """The fake Twilio server (tests/outbox/fake_twilio.py), and the portal set to send through it."""
    from tests.outbox.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

    fake = FakeTwilio().start()
    settings.SMS_BACKEND = "twilio"
    settings.SMS_TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.SMS_TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.SMS_TWILIO_API_URL = fake.url
    settings.SMS_TWILIO_MESSAGING_SERVICE_SID = ""
    settings.SMS_FROM_NUMBER = "+393330000000"
    # Long enough for a loaded test machine; the timeout tests shorten it.
    settings.SMS_TIMEOUT_SECONDS = 5
    yield fake
    fake.stop()


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
def client_as(client, request):
    """Log the test client in as a role: None stays anonymous, "patient" and "doctor" are the fixtures.

    For one test that runs every role. `patient=` logs in another patient, such as the owner of
    the record under test.
    """

    def login(role, *, patient=None):
        if role == "patient":
            client.force_login((patient or request.getfixturevalue("patient")).user)
        elif role == "doctor":
            client.force_login(request.getfixturevalue("doctor"))
        elif role is not None:
            raise ValueError(f"Unknown role {role!r}")
        return client

    return login


@pytest.fixture
def patient_client(client_as, patient):
    return client_as("patient")


@pytest.fixture
def doctor_client(client_as, doctor):
    return client_as("doctor")


def pytest_collection_modifyitems(config, items):
    """Deselect (not skip) the PostgreSQL-only tests on SQLite; CI runs on PostgreSQL and runs them."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]
