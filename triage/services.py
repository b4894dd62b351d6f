"""Assessing submitted questionnaires and keeping the worklist case in step with the result."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import notifications, rules
from .models import Assessment, Case, CaseEvent, Level

logger = logging.getLogger(__name__)

# RULES.md section 6: only earlier submissions 1..90 calendar days back count.
HISTORY_WINDOW_DAYS = 90


def submission_history(submission) -> list[rules.HistoryEntry]:
    """The patient's earlier submitted questionnaires as the engine wants them (RULES.md 6).

    `days_ago` counts calendar days in the clinic's time zone (Europe/Rome);
    only the window the rules can use is loaded, so the cost does not grow
    with a long history.
    """
    from patients.models import Submission

    today = timezone.localdate(submission.submitted_at)
    window_start = submission.submitted_at - timedelta(days=HISTORY_WINDOW_DAYS + 2)
    earlier = (
        Submission.objects.filter(
            patient_id=submission.patient_id,
            status=Submission.Status.SUBMITTED,
            submitted_at__gte=window_start,
            submitted_at__lte=submission.submitted_at,
        )
        .exclude(pk=submission.pk)
        .values_list("submitted_at", "answers")
    )
    return [
        rules.HistoryEntry(
            days_ago=(today - timezone.localdate(submitted_at)).days,
            answers=rules.answers_from_mapping(answers),
        )
        for submitted_at, answers in earlier
    ]


@transaction.atomic
def submission_assess(submission, *, actor=None) -> Assessment:
    """Run the rule engine on a submitted questionnaire and store the result.

    Fails closed: whatever goes wrong inside the engine, the assessment is
    stored at the REVIEW level, which sorts above emergency on the worklist,
    so the submission is never lost and never silently routine.
    """
    try:
        result = rules.assess(
            rules.answers_from_mapping(submission.answers), submission.age, submission_history(submission)
        )
    except Exception as exc:
        # The exception text may quote answers, so only its type is logged.
        logger.error("Rule engine failed on submission %s: %s", submission.pk, type(exc).__name__)
        assessment = Assessment.objects.create(
            submission=submission, level=Level.REVIEW, score=0, flags=[], error=type(exc).__name__[:200]
        )
    else:
        assessment = Assessment.objects.create(
            submission=submission,
            level=int(result.level),
            score=result.score,
            flags=list(result.flags),
            rules_version=result.rules_version,
        )
    case_sync(submission, assessment, actor=actor)
    return assessment


def case_sync(submission, assessment: Assessment, *, actor=None) -> Case:
    """Create the worklist case, or move an existing one to the new assessment.

    A new case at priority or above, or one moved up to it, alerts the
    doctors; the alert is queued in this transaction.
    """
    case = Case.objects.select_for_update().filter(pk=submission.pk).first()
    if case is None:
        case = Case.objects.create(
            submission=submission,
            patient_id=submission.patient_id,
            submitted_at=submission.submitted_at,
            level=assessment.level,
            score=assessment.score,
            flags=assessment.flags,
        )
        if assessment.level >= Level.PRIORITY:
            notifications.notify_urgent_case(case.pk)
        return case
    changed = (case.level, case.score, case.flags) != (assessment.level, assessment.score, assessment.flags)
    if changed:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.RETRIAGE,
            actor=actor,
            detail={
                "from": {"level": case.level, "score": case.score},
                "to": {"level": assessment.level, "score": assessment.score},
            },
        )
        moved_up = assessment.level > case.level and assessment.level >= Level.PRIORITY
        case.level, case.score, case.flags = assessment.level, assessment.score, assessment.flags
        case.version += 1
        case.save()
        if moved_up:
            notifications.notify_urgent_case(case.pk)
    return case


def open_submissions_retriage() -> tuple[int, int]:
    """Re-assess every open case with the current rules; earlier assessments are kept.

    Returns (assessed, changed).
    """
    from patients.models import Submission

    assessed = changed = 0
    open_ids = Case.objects.exclude(status=Case.Status.CLOSED).order_by("pk").values_list("pk", flat=True)
    for pk in open_ids.iterator():
        submission = Submission.objects.get(pk=pk)
        before = Case.objects.values_list("level", "score", "flags").get(pk=pk)
        submission_assess(submission)
        after = Case.objects.values_list("level", "score", "flags").get(pk=pk)
        assessed += 1
        changed += before != after
    return assessed, changed
