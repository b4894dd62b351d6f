"""Re-assessments as the `retriage` command records them, for the tests of what follows them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction

from triage.cases.assessments import case_sync
from triage.models import Assessment

ROME = ZoneInfo("Europe/Rome")
# She sends the questionnaire on a Monday morning; the rules are re-run on the Wednesday afternoon.
SENT = datetime(2026, 12, 7, 10, 0, tzinfo=ROME)
RETRIAGED = datetime(2026, 12, 9, 15, 0, tzinfo=ROME)


def reassess(case, level, *, score=5, flags=("HEAVY_ACUTE",), version=3, at=None) -> Assessment:
    """Record a new assessment of the case's questionnaire (at `at`, or now) and take it into the case."""
    if at is None:
        return _reassess(case, level, score, flags, version)
    with time_machine.travel(at, tick=False):
        return _reassess(case, level, score, flags, version)


def _reassess(case, level, score, flags, version) -> Assessment:
    """In one transaction, as the command records it: the case row is locked while it takes the assessment."""
    with transaction.atomic():
        return _reassess_recorded(case, level, score, flags, version)


def _reassess_recorded(case, level, score, flags, version) -> Assessment:
    assessment = Assessment.objects.create(
        submission_id=case.pk, level=level, score=score, flags=list(flags), rules_version=version
    )
    case_sync(case.submission, assessment)
    return assessment
