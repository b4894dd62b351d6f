"""Every write of the worklist: assessing questionnaires, keeping each case in step, a doctor's status changes and notes."""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import notifications, rules
from .models import BULK_CLOSABLE_LEVELS, PROMPT_LEVELS, Assessment, Case, CaseEvent, CaseLevel, Visit
from .visits.services import local_start, visit_book

logger = logging.getLogger(__name__)


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
            rules_version=assessment.rules_version,
        )
        if assessment.level in PROMPT_LEVELS:
            notifications.notify_urgent_case(case.pk)
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
        case.level, case.score, case.flags = assessment.level, assessment.score, assessment.flags
        case.rules_version = assessment.rules_version
        case.version += 1
        case.save()
        if moved_up:
            notifications.notify_urgent_case(case.pk)
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


# --- A doctor's work on a case: status changes and notes, each kept in the case timeline ---

# A case starts as "new"; a doctor moves it to one of these.
STATUS_TARGETS = (Case.Status.IN_REVIEW, Case.Status.FOLLOW_UP, Case.Status.CLOSED)
REASON_MAX_LENGTH = 500
# A follow-up booked with a date only starts at this local time and lasts this long.
DEFAULT_VISIT_TIME = time(9, 0)
DEFAULT_VISIT_MINUTES = 30
NOTE_MAX_LENGTH = 4000


class CaseConflict(Exception):
    """The case changed after the doctor loaded it; `case` is its current state."""

    def __init__(self, case: Case):
        super().__init__(case.pk)
        self.case = case


def close_needs_reason(case: Case) -> bool:
    """Closing an urgent case, or one nobody has opened yet, must say why."""
    return case.level in PROMPT_LEVELS or case.status == Case.Status.NEW


def _status_errors(case: Case, to_status, follow_up_at, reason: str) -> dict:
    errors = {}
    if to_status not in STATUS_TARGETS:
        errors["to_status"] = _("Choose one of the statuses offered.")
    elif to_status == case.status:
        errors["to_status"] = _("The case already has this status.")
    if to_status == Case.Status.FOLLOW_UP:
        if follow_up_at is None:
            errors["follow_up_on"] = _("Give the date of the follow-up.")
        elif follow_up_at <= timezone.now():
            errors["follow_up_on"] = _("The follow-up cannot be in the past.")
    if to_status == Case.Status.CLOSED and close_needs_reason(case) and not reason:
        errors["reason"] = _(
            "Give a short reason: this case is urgent or has not been opened yet, so closing it must be explained."
        )
    if len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH}
    return errors


# The visit's errors, said on the status form's fields.
VISIT_FIELDS = {
    "start_date": "follow_up_on",
    "start_time": "follow_up_time",
    "duration_minutes": "follow_up_duration",
}


@dataclass(frozen=True)
class FollowUp:
    """The visit that "follow-up booked" books: a local date and time, a length, a kind."""

    on: date
    at: time = DEFAULT_VISIT_TIME
    duration_minutes: int = DEFAULT_VISIT_MINUTES
    kind: str = Visit.Kind.FOLLOW_UP
    allow_overlap: bool = False
    # The booking form's key, so that the same form posted twice books one visit.
    key: str | None = None


@transaction.atomic
def case_change_status(
    *,
    case_id: int,
    actor,
    to_status: str,
    expected_version: int,
    follow_up_on=None,
    follow_up: FollowUp | None = None,
    reason: str = "",
) -> Case:
    """Move a case to another status, unless someone changed it since `expected_version`.

    The write is a conditional UPDATE on the version, so of two doctors
    submitting forms loaded at the same version exactly one wins and the
    other gets `CaseConflict` with the current state; nothing is overwritten
    unseen. Bad input raises `ValidationError` keyed by form field.

    "Follow-up booked" books the follow-up visit (`follow_up`, or just a date,
    `follow_up_on`, at the default time) and links it: the case's follow-up
    date is that visit's date.
    """
    case = Case.objects.get(pk=case_id)
    if case.version != expected_version:
        raise CaseConflict(case)
    reason = (reason or "").strip()
    if follow_up is None and follow_up_on is not None:
        follow_up = FollowUp(on=follow_up_on)
    follow_up_at = None
    if to_status == Case.Status.FOLLOW_UP and follow_up is not None:
        try:
            follow_up_at = local_start(follow_up.on, follow_up.at)
        except ValidationError as error:
            raise ValidationError(_visit_errors(error)) from None
    errors = _status_errors(case, to_status, follow_up_at, reason)
    if errors:
        raise ValidationError(errors)
    visit = None
    if to_status == Case.Status.FOLLOW_UP:
        try:
            visit = visit_book(
                patient=case.patient,
                starts_at=follow_up_at,
                duration_minutes=follow_up.duration_minutes,
                kind=follow_up.kind,
                uid=follow_up.key,
                actor=actor,
                allow_overlap=follow_up.allow_overlap,
            )
        except ValidationError as error:
            raise ValidationError(_visit_errors(error)) from None
    now = timezone.now()
    changes = {"status": to_status, "last_actor": actor, "last_acted_at": now, "version": F("version") + 1}
    if visit is not None:
        changes["follow_up_visit"] = visit
    updated = Case.objects.filter(pk=case_id, version=expected_version).update(**changes)
    if not updated:
        raise CaseConflict(Case.objects.get(pk=case_id))
    CaseEvent.objects.create(
        case_id=case_id,
        kind=CaseEvent.Kind.STATUS,
        actor=actor,
        from_status=case.status,
        to_status=to_status,
        follow_up_on=visit.local_date if visit else None,
        detail={"visit": visit.pk, "starts_at": visit.starts_at.isoformat()} if visit else {},
        text=reason,
        created_at=now,
    )
    return Case.objects.select_related("follow_up_visit").get(pk=case_id)


def _visit_errors(error: ValidationError) -> dict:
    return {VISIT_FIELDS.get(name, name): messages for name, messages in error.message_dict.items()}


@transaction.atomic
def case_add_note(*, case_id: int, actor, text: str) -> CaseEvent:
    """Append a note to the case timeline.

    Notes never conflict: each is a new row, so two doctors writing at once
    both keep theirs, and the status version is left alone.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note before saving it.")})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"text": _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX_LENGTH}}
        )
    now = timezone.now()
    if not Case.objects.filter(pk=case_id).update(last_actor=actor, last_acted_at=now):
        raise Case.DoesNotExist(case_id)
    return CaseEvent.objects.create(
        case_id=case_id, kind=CaseEvent.Kind.NOTE, actor=actor, text=text, created_at=now
    )


@transaction.atomic
def case_assign(*, case_id: int, actor, take: bool) -> bool:
    """Take the case (`take`) or release it; returns whether anything changed.

    Taking a case already assigned to the actor, or releasing one nobody has,
    changes nothing and adds no event, so a form posted twice counts once. A
    doctor may take over a colleague's case: the timeline says who did it.
    The status version is left alone: assignment never conflicts with a
    status change.
    """
    case = Case.objects.select_for_update().only("pk", "assigned_to_id").get(pk=case_id)
    to = actor.pk if take else None
    if case.assigned_to_id == to:
        return False
    now = timezone.now()
    Case.objects.filter(pk=case_id).update(assigned_to=to, last_actor=actor, last_acted_at=now)
    CaseEvent.objects.create(
        case_id=case_id,
        kind=CaseEvent.Kind.ASSIGNMENT,
        actor=actor,
        detail={"from": case.assigned_to_id, "to": to},
        created_at=now,
    )
    return True


class BulkCloseRefused(Exception):
    """Some chosen cases may not be closed together; nothing was changed. `case_ids` names them."""

    def __init__(self, case_ids):
        super().__init__(case_ids)
        self.case_ids = sorted(case_ids)


@transaction.atomic
def cases_bulk_close(*, case_ids, actor, reason: str) -> list[tuple[int, int]]:
    """Close routine cases (`BULK_CLOSABLE_LEVELS`) with one reason, recorded on each.

    Returns the (case id, patient id) of each case closed. All or nothing: if
    any chosen case is not routine (or no longer exists),
    `BulkCloseRefused` is raised and no case changes. Cases already closed are
    left as they are, so posting the same selection twice closes each once.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for closing these cases.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH}}
        )
    wanted = set(case_ids)
    if not wanted:
        raise ValidationError({"cases": _("Choose the routine cases to close.")})
    cases = list(
        Case.objects.select_for_update()
        .filter(pk__in=wanted)
        .order_by("pk")
        .only("pk", "patient_id", "level", "status")
    )
    refused = wanted - {case.pk for case in cases if case.level in BULK_CLOSABLE_LEVELS}
    if refused:
        raise BulkCloseRefused(refused)
    to_close = [case for case in cases if case.status != Case.Status.CLOSED]
    if not to_close:
        return []
    now = timezone.now()
    Case.objects.filter(pk__in=[case.pk for case in to_close]).update(
        status=Case.Status.CLOSED,
        last_actor=actor,
        last_acted_at=now,
        version=F("version") + 1,
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=case.pk,
            kind=CaseEvent.Kind.STATUS,
            actor=actor,
            from_status=case.status,
            to_status=Case.Status.CLOSED,
            text=reason,
            created_at=now,
        )
        for case in to_close
    )
    return [(case.pk, case.patient_id) for case in to_close]
