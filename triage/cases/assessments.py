"""Assessing questionnaires with the rule engine and keeping each case in step with its latest
assessment: a new questionnaire, a re-assessment with the current rules."""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from outbox.notices import Notice, notify_patient
from patients.models import Patient

from .. import rules
from ..models import PROMPT_LEVELS, Assessment, Case, CaseEvent, CaseLevel
from . import deadlines, escalation, notifications

logger = logging.getLogger(__name__)

# A re-assessment that moves an open case up into one of these levels tells her (RULES.md 11.2, S4).
PATIENT_NOTICE_LEVELS = frozenset({CaseLevel.URGENT, CaseLevel.EMERGENCY})


def submission_history(submission) -> list[rules.HistoryEntry]:
    """The patient's earlier submitted questionnaires as the engine wants them (RULES.md 6).

    `days_ago` counts calendar days in the clinic's time zone (Europe/Rome);
    only the window the rules can use is loaded (with two days' margin for
    the time zone), so the cost does not grow with a long history.
    """
    from patients.models import Submission

    today = timezone.localdate(submission.submitted_at)
    window_start = submission.submitted_at - timedelta(days=rules.RECURRENCE_WINDOW_DAYS + 2)
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


def _verdict(submission, rule_set: rules.RuleSet | None = None) -> tuple[rules.Result | None, str]:
    """The current rules' result for a submitted questionnaire (or `rule_set`'s), or None and the error's type.

    The exception text may quote answers, so only its type is kept and logged.
    """
    try:
        history = submission_history(submission)
        if rule_set is None:
            return rules.assess(rules.answers_from_mapping(submission.answers), submission.age, history), ""
        return rule_set.assess(rule_set.answers_from_mapping(submission.answers), submission.age, history), ""
    except Exception as exc:
        logger.error("Rule engine failed on submission %s: %s", submission.pk, type(exc).__name__)
        return None, type(exc).__name__[:200]


def _case_values(result: rules.Result | None) -> tuple:
    """(level, score, flags, rules version) as the case stores a result; manual review for none."""
    if result is None:
        return CaseLevel.REVIEW, 0, [], None
    return int(result.level), result.score, list(result.flags), result.rules_version


@transaction.atomic
def submission_assess(submission, *, actor=None, rule_set: rules.RuleSet | None = None) -> Assessment:
    """Run the rule engine on a submitted questionnaire and store the result.

    Fails closed: whatever goes wrong inside the engine, the assessment is
    stored at the REVIEW level, which sorts above emergency on the worklist,
    so the submission is never lost and never silently routine. `rule_set` is
    the current one for every submission; an earlier one only records a
    questionnaire assessed before the current rules were released (demo data).
    """
    return _assessment_store(submission, *_verdict(submission, rule_set), actor=actor)


def _assessment_store(submission, result: rules.Result | None, error: str, *, actor=None) -> Assessment:
    """Record one verdict as a new assessment and move the worklist case to it."""
    level, score, flags, rules_version = _case_values(result)
    assessment = Assessment.objects.create(
        submission=submission, level=level, score=score, flags=flags, rules_version=rules_version, error=error
    )
    case_sync(submission, assessment, actor=actor)
    return assessment


def case_sync(submission, assessment: Assessment, *, actor=None) -> Case:
    """Create the worklist case, or move an existing one to the new assessment.

    A new case at priority or above, or one moved up to it, alerts the
    doctors; an open case moved up into urgent or emergency also sends her a
    notice (RULES.md 11.2, S4); both are queued in this transaction.
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
            rules_version=assessment.rules_version,
            **deadlines.case_deadline(assessment.level, submission.submitted_at),
        )
        if assessment.level in PROMPT_LEVELS:
            notifications.notify_urgent_case(case.pk)
        escalation.escalations_plan(case, assessment)
        return case
    before = (case.level, case.score, case.flags, case.rules_version)
    changed = before != (assessment.level, assessment.score, assessment.flags, assessment.rules_version)
    if changed:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.RETRIAGE,
            actor=actor,
            detail={
                "from": {"level": case.level, "score": case.score, "rules_version": case.rules_version},
                "to": {
                    "level": assessment.level,
                    "score": assessment.score,
                    "rules_version": assessment.rules_version,
                },
            },
        )
        moved_up = assessment.level > case.level and assessment.level in PROMPT_LEVELS
        tell_her = (
            assessment.level > case.level
            and assessment.level in PATIENT_NOTICE_LEVELS
            and case.status != Case.Status.CLOSED
        )
        case.level, case.score, case.flags = assessment.level, assessment.score, assessment.flags
        case.rules_version = assessment.rules_version
        case.version += 1
        deadlines.case_deadline_move(case, before[0], assessment.created_at)
        case.save()
        escalation.escalations_plan(case, assessment, previous_level=before[0])
        if moved_up:
            notifications.notify_urgent_case(case.pk)
        if tell_her:
            # S4 (a): her notice says only that there is an update, with a link; once per assessment.
            patient = Patient.objects.select_related("user").get(pk=case.patient_id)
            notify_patient(patient, Notice.RETRIAGE, key=f"retriage:{case.pk}:{assessment.pk}")
    return case


@dataclass(frozen=True)
class RetriageMove:
    """One open case that would change level: its id, both levels and the flags it would gain or lose."""

    pk: int
    level: int
    new_level: int
    gained: tuple[str, ...]
    lost: tuple[str, ...]


@dataclass
class RetriagePreview:
    """What re-assessing the open cases with the current rules would change (RULES.md 11, S6)."""

    assessed: int = 0
    # (from level, to level) -> number of cases, for every open case, moved or not.
    moves: Counter = field(default_factory=Counter)
    # Cases that would move to a higher level, and to a lower one, by id.
    moved_up: list[RetriageMove] = field(default_factory=list)
    moved_down: list[RetriageMove] = field(default_factory=list)


def open_submissions_retriage_preview() -> RetriagePreview:
    """Assess every open case with the current rules in memory and count the moves; writes nothing."""
    from patients.models import Submission

    preview = RetriagePreview()
    open_cases = (
        Case.objects.exclude(status=Case.Status.CLOSED).order_by("pk").values_list("pk", "level", "flags")
    )
    for pk, level, flags in open_cases.iterator():
        new_level, _score, new_flags, _version = _case_values(_verdict(Submission.objects.get(pk=pk))[0])
        preview.assessed += 1
        preview.moves[(level, new_level)] += 1
        if new_level != level:
            move = RetriageMove(
                pk=pk,
                level=level,
                new_level=new_level,
                gained=tuple(code for code in new_flags if code not in flags),
                lost=tuple(code for code in flags if code not in new_flags),
            )
            (preview.moved_up if new_level > level else preview.moved_down).append(move)
    return preview


def open_submissions_retriage() -> tuple[int, int]:
    """Re-assess every open case with the current rules; earlier assessments are kept.

    A case whose result did not change gets no new assessment, so running it
    twice changes nothing the second time. Returns (assessed, changed).
    """
    from patients.models import Submission

    assessed = changed = 0
    open_ids = Case.objects.exclude(status=Case.Status.CLOSED).order_by("pk").values_list("pk", flat=True)
    for pk in open_ids.iterator():
        submission = Submission.objects.get(pk=pk)
        assessed += 1
        result, error = _verdict(submission)
        current = Case.objects.values_list("level", "score", "flags", "rules_version").get(pk=pk)
        new = _case_values(result)
        if result is not None and current == new:
            continue
        with transaction.atomic():
            _assessment_store(submission, result, error)
        changed += current[:3] != new[:3]
    return assessed, changed
