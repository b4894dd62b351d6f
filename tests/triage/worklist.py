"""Worklist data shared by the tests of its views, selectors, presenters and forms."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from triage.models import Case, CaseLevel

DASHBOARD = reverse("triage:dashboard")
R, F, P, U, E, M = (
    CaseLevel.ROUTINE,
    CaseLevel.FOLLOW_UP,
    CaseLevel.PRIORITY,
    CaseLevel.URGENT,
    CaseLevel.EMERGENCY,
    CaseLevel.REVIEW,
)


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


def rows(response) -> list[Case]:
    return list(response.context["page"].rows)


def pks(response) -> list[int]:
    return [case.pk for case in rows(response)]


# (name, level, score, hours waiting). Created in this order, which is not the expected one.
ORDER_CASES = [
    ("routine-new", R, 0, 1),
    ("priority-tie-newer", P, 6, 5),
    ("emergency-low-old", E, 10, 50),
    ("follow-up-low", F, 1, 200),
    ("review", M, 0, 1),
    ("priority-high", P, 11, 3),
    ("emergency-high", E, 20, 1),
    ("routine-old", R, 0, 300),
    ("priority-tie-oldest", P, 6, 72),
    ("emergency-low-new", E, 10, 2),
    ("follow-up-high", F, 5, 100),
    ("priority-same-time-b", P, 3, 24),
]


# Written out by hand from RULES.md section 7: level, then score (highest first), then the
# oldest submission; an engine failure (review) above everything.
EXPECTED_ORDER = [
    "review",
    "emergency-high",  # higher score beats a longer wait
    "emergency-low-old",  # same score: the longer wait first
    "emergency-low-new",
    "priority-high",
    "priority-tie-oldest",
    "priority-tie-newer",
    "priority-same-time-a",  # same level, score and time: the earlier record first
    "priority-same-time-b",
    "follow-up-high",
    "follow-up-low",  # waited longest of all, but a lower score
    "routine-old",
    "routine-new",
]


def names_of(response, varied):
    by_pk = {pk: name for name, pk in varied.items()}
    return {by_pk[pk] for pk in pks(response)}
