import pytest

from tests import factories

MOBILE = "+393331234567"


@pytest.fixture
def texting_patient(db):
    """A patient with a mobile number who opted in to texts at sign-up."""
    return factories.make_patient(email="texts@example.com", phone=MOBILE, texts=True)
