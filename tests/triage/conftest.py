"""Worklist cases shared by the tests of its views, selectors, presenters and forms."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_case
from tests.triage.worklist import ORDER_CASES, E, F, P, R, hours_ago


@pytest.fixture
def case(patient):
    return make_case(patient, level=P, score=6, flags=["PREGNANCY_BLEEDING"], submitted_at=hours_ago(5))


@pytest.fixture
def ordered_cases(patient):
    names = {}
    same_time = hours_ago(24)
    for name, level, score, hours in ORDER_CASES:
        if name == "priority-same-time-b":
            earlier = make_case(patient, level=level, score=score, submitted_at=same_time)
            names[earlier.pk] = "priority-same-time-a"
            created = make_case(patient, level=level, score=score, submitted_at=same_time)
        else:
            created = make_case(patient, level=level, score=score, submitted_at=hours_ago(hours))
        names[created.pk] = name
    return names


@pytest.fixture
def varied(patient, other_patient):
    # Local time, so that "10 days back" is ten calendar days even across a daylight-saving change.
    today = timezone.localtime()
    cases = {
        "emergency": make_case(patient, level=E, score=10, flags=["HEAVY_ACUTE"], submitted_at=today),
        "recurrent": make_case(
            other_patient,
            level=F,
            score=3,
            flags=["RECURRENT", "SCREENING_GAP"],
            submitted_at=today - timedelta(days=10),
        ),
        "priority_followup": make_case(
            patient,
            level=P,
            score=8,
            flags=["ESC_RECURRENT_SCREENING", "RECURRENT", "SCREENING_GAP"],
            submitted_at=today - timedelta(days=40),
            status="follow_up",
        ),
        "routine": make_case(other_patient, level=R, submitted_at=today - timedelta(days=2)),
        "closed": make_case(
            patient, level=P, score=6, status="closed", submitted_at=today - timedelta(days=5)
        ),
    }
    return {name: case.pk for name, case in cases.items()}


@pytest.fixture
def sixty(patient):
    """60 open flagged cases; the expected order is the creation order."""
    base = timezone.now() - timedelta(days=30)
    return [
        make_case(patient, level=F, score=2, submitted_at=base + timedelta(minutes=index)).pk
        for index in range(60)
    ]
