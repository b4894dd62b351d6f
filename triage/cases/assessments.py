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
from ..models import PROMPT_LEVELS, Assessment, Case, CaseEvent, CaseLevel, retriage_direction
from . import deadlines, escalation, notifications
from .acted_on import acted_on_store

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
    """Record one verdict as a new assessment and bring the worklist case up to date with it."""
    level, score, flags, rules_version = _case_values(result)
    assessment = Assessment.objects.create(
        submission=submission, level=level, score=score, flags=flags, rules_version=rules_version, error=error
    )
    case_sync(submission, assessment, actor=actor)
    return assessment


def case_sync(submission, assessment: Assessment, *, actor=None) -> Case:
    """Create the worklist case from its first assessment, or take a re-assessment into it.

    A re-assessment of an existing case (RULES.md 11.2, S4, S5), recorded on its timeline:

    - **up**: the case moves at once and she is given the new advice, dated today; the doctors
      are alerted for a level at priority or above, and a move into urgent or emergency of an
      open case sends her the notice and opens the task to contact her (`_moved_up`);
    - **down**: nothing changes for her nor on the worklist; the assessment waits for a doctor's
      sign-off (`Case.pending_sign_off`, decided in `triage.cases.retriage_tasks`);
    - **same level** with another score, flags or rule set: the worklist's columns take it at
      once, as they always have, and she keeps the advice she was given (same level: nothing to
      tell her, and its words stay those she read).

    A later re-assessment replaces one still pending. The case row is locked meanwhile.
    """
    case = Case.objects.select_for_update().filter(pk=submission.pk).first()
    if case is None:
        case = _case_create(submission, assessment)
        # A new case: what follows its first level goes here.
        if assessment.level in PROMPT_LEVELS:
            notifications.notify_urgent_case(case.pk)
        escalation.escalations_plan(case, assessment)
        return case
    direction = retriage_direction(case.level, assessment.level)
    if direction == 0 and _values(case) == _values(assessment) and case.pending_sign_off_id is None:
        return case
    event = _retriage_event(case, assessment, actor=actor, held=direction < 0)
    if direction < 0:
        case.pending_sign_off = assessment
        case.save(update_fields=["pending_sign_off"])
    elif direction == 0:
        case_apply_assessment(case, assessment)
    else:
        case_apply_assessment(case, assessment, advised_at=event.created_at)
        _moved_up(case, assessment, event)
    return case


def _values(row) -> tuple:
    """What a case takes from an assessment: (level, score, flags, rule set)."""
    return (row.level, row.score, list(row.flags or ()), row.rules_version)


def _case_create(submission, assessment: Assessment) -> Case:
    """The worklist case of a questionnaire just assessed: she is given its advice as she sends it."""
    return Case.objects.create(
        submission=submission,
        patient_id=submission.patient_id,
        submitted_at=submission.submitted_at,
        level=assessment.level,
        score=assessment.score,
        flags=assessment.flags,
        rules_version=assessment.rules_version,
        assessment=assessment,
        advice=assessment,
        advised_at=submission.submitted_at,
        **deadlines.case_deadline(assessment.level, submission.submitted_at),
    )


def case_apply_assessment(case: Case, assessment: Assessment, *, advised_at=None) -> bool:
    """Move an existing case to `assessment`: its level, score, flags and rule set; any lower
    assessment still pending sign-off is superseded. Returns whether the level changed.

    The one place where an existing case takes a new level: a move up (`case_sync`) and a
    doctor's sign-off of a lower level (`retriage_tasks.case_sign_off_lower`) both come here, and
    what must follow a change of level (a deadline, escalations) belongs here too.

    `advised_at`: she is given the assessment's advice from then on, and the one she had becomes
    its dated record; None (the same level) leaves her advice as she was given it.
    """
    previous_level = case.level
    case.level, case.score, case.flags = assessment.level, assessment.score, assessment.flags
    case.rules_version = assessment.rules_version
    case.assessment = assessment
    case.pending_sign_off = None
    if advised_at is not None:
        case.earlier_advice_id = case.advice_id
        case.earlier_advised_at = case.advised_at or case.submitted_at
        case.advice, case.advised_at = assessment, advised_at
    case.version += 1
    deadlines.case_deadline_move(case, previous_level, advised_at or assessment.created_at)
    case.save()
    escalation.escalations_plan(case, assessment, previous_level=previous_level)
    if advised_at is not None:
        # The clinic acts on the advice she is given: what it did before this one no longer counts.
        acted_on_store(case_ids=[case.pk])
    return case.level != previous_level


def level_record(row) -> dict:
    """A case's or an assessment's level, score and rule set, as the timeline records a change."""
    return {"level": row.level, "score": row.score, "rules_version": row.rules_version}


def _retriage_event(case: Case, assessment: Assessment, *, actor, held: bool) -> CaseEvent:
    """The re-assessment on the case's timeline: from the case's values to the new ones; `held` when
    it waits for sign-off, and the pending assessment it replaces, if any."""
    detail = {"from": level_record(case), "to": level_record(assessment), "assessment": assessment.pk}
    if held:
        detail["pending"] = True
    if case.pending_sign_off_id is not None:
        detail["replaces"] = case.pending_sign_off_id
    return CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.RETRIAGE, actor=actor, detail=detail)


def _moved_up(case: Case, assessment: Assessment, event: CaseEvent) -> None:
    """What a move up sets off (RULES.md 11.2, S4), queued in this transaction: the doctors' alert for
    a level at priority or above (b, S7); for an open case moved into urgent or emergency, her
    notice (a), once per assessment, and the task to contact her (d), unless one is open already."""
    if assessment.level in PROMPT_LEVELS:
        notifications.notify_urgent_case(case.pk)
    if assessment.level not in PATIENT_NOTICE_LEVELS or case.status == Case.Status.CLOSED:
        return
    patient = Patient.objects.select_related("user").get(pk=case.patient_id)
    notify_patient(patient, Notice.RETRIAGE, key=f"retriage:{case.pk}:{assessment.pk}")
    if case.contact_task_id is None:
        case.contact_task = event
        case.save(update_fields=["contact_task"])


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
            (preview.moved_up if retriage_direction(level, new_level) > 0 else preview.moved_down).append(
                move
            )
    return preview


@dataclass
class RetriageRun:
    """What re-assessing the open cases did, by case id (RULES.md 11.2, S6)."""

    assessed: int = 0
    # Moved up at once; among them, those moved into urgent or emergency: she must be contacted (S4).
    moved_up: list[int] = field(default_factory=list)
    to_contact: list[int] = field(default_factory=list)
    # Lower assessments stored, waiting for a doctor's sign-off on the case page (S5).
    pending_sign_off: list[int] = field(default_factory=list)
    # The same level with another score, flags or rule set: applied at once.
    same_level: list[int] = field(default_factory=list)


def open_submissions_retriage() -> RetriageRun:
    """Re-assess every open case with the current rules; earlier assessments are kept.

    A case whose result is the same as its latest assessment (applied, pending sign-off, or set
    aside by a doctor) gets no new one, so running it twice changes nothing the second time, sends
    nothing again, and a level a doctor kept is not put back to her for sign-off.
    """
    from patients.models import Submission

    run = RetriageRun()
    open_ids = Case.objects.exclude(status=Case.Status.CLOSED).order_by("pk").values_list("pk", flat=True)
    for pk in open_ids.iterator():
        submission = Submission.objects.get(pk=pk)
        run.assessed += 1
        result, error = _verdict(submission)
        new = _case_values(result)
        latest = (
            Assessment.objects.filter(submission_id=pk)
            .values_list("level", "score", "flags", "rules_version")
            .first()
        )
        if latest is not None and tuple(latest) == new:
            continue
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            direction = retriage_direction(case.level, new[0])
            _assessment_store(submission, result, error)
        if direction > 0:
            run.moved_up.append(pk)
            if new[0] in PATIENT_NOTICE_LEVELS:
                run.to_contact.append(pk)
        elif direction < 0:
            run.pending_sign_off.append(pk)
        else:
            run.same_level.append(pk)
    return run
