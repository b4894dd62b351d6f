"""Escalation of cases nobody has acknowledged, or acted on, in time (RULES.md 11.2, S8).

When a case is given a level that alerts the doctors (`assessments.case_sync`), its steps are
planned as rows (`Escalation`): at emergency, urgent and manual review a reminder to every doctor,
then an alert to the clinic's escalation contact; at priority a place in the daily digest. Each
is due after its working time (`clinic.hours`) counted from the first alert, which is from the
next opening for a case that came in out of hours.

A case is **acknowledged** once a doctor has opened its page (the audit log's "viewed a case") or
changed its status since its first alert. That is read from those records, as the worklist reads
a new reply, so opening the page (a GET) writes nothing here: the sender cancels the pending steps
of every acknowledged case, dated when it was acknowledged, and checks once more as it sends.

The sender is a scheduler job every minute (`send_escalations`), not a task queued with
`run_after` for each step: the rows are the queue. A task would be a second copy of each due time,
stale after a re-assessment and lost with a flushed task table; the minute's pass reads the rows
themselves, so a step survives any restart of the worker or the scheduler and goes at most a
minute late. It goes once whoever runs it: a step is claimed by the update that sets `sent_at`,
in the transaction that queues its messages, so a second pass, worker or scheduler host finds it
sent. The digest is a daily job (`send_priority_digest`), once per local day (`EscalationDigest`).
"""

import logging
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, DateTimeField, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from clinic.health import HealthCheck
from clinic.hours import Schedule
from clinic.models import clinic_profile
from outbox.services import messages_held

from ..models import Assessment, AuditEvent, Case, CaseEvent, CaseLevel, Escalation, EscalationDigest
from . import escalation_messages
from .acted_on import acted_on, with_acted_on
from .notifications import doctor_languages

logger = logging.getLogger(__name__)

Step = Escalation.Step

# RULES.md 11.2, S8: the working time after the first alert within which a case must have been
# acknowledged, before each step. A case at manual review is held to the urgent times, as its
# deadline is (`deadlines.act_by`): nobody knows yet how urgent it is.
ESCALATION_STEPS: dict[int, tuple[tuple[str, timedelta], ...]] = {
    CaseLevel.EMERGENCY: ((Step.REMINDER, timedelta(minutes=30)), (Step.CONTACT, timedelta(hours=2))),
    CaseLevel.URGENT: ((Step.REMINDER, timedelta(hours=2)), (Step.CONTACT, timedelta(hours=4))),
}
ESCALATION_STEPS[CaseLevel.REVIEW] = ESCALATION_STEPS[CaseLevel.URGENT]
# S8: a priority case not acted on within this many working days is listed in the daily digest.
DIGEST_AFTER_WORKING_DAYS = 2
# When the daily digest goes, local time: before the clinic opens.
DIGEST_AT = time(8, 0)

# The scheduler's jobs (registered by `TriageConfig.ready`).
SEND_JOB = "send_escalations"
DIGEST_JOB = "send_priority_digest"
# A step due longer ago than this and still not sent shows on /health/: the sender has stopped.
OVERDUE_MARGIN = timedelta(minutes=5)
# At most this many steps a pass; the next pass, a minute later, takes the rest.
SEND_BATCH = 200

# The annotations `with_acknowledged` adds.
OPENED_AT = "ack_opened_at"
STATUS_CHANGED_AT = "ack_status_at"


def _reminder_after(level: int | None) -> timedelta | None:
    steps = ESCALATION_STEPS.get(level)
    return steps[0][1] if steps else None


def _starts_episode(level: int, previous: int | None) -> bool:
    """Whether the case's new level plans new steps: a new case, a move into priority, or a move
    into a level with shorter times. A move between urgent and manual review, or down from
    emergency, keeps the steps that count from the earlier alert, which are the stricter."""
    if level == CaseLevel.PRIORITY:
        return previous != level
    after = _reminder_after(level)
    if after is None:
        return False
    before = _reminder_after(previous)
    return before is None or after < before


def _due(schedule: Schedule, since: datetime, step: str, amount: timedelta | None) -> datetime:
    """When a step falls due, in working time; in plain time if the clinic never opens again
    within reach of its hours, so that no step is ever left without a time."""
    if step == Step.DIGEST:
        due = schedule.add_working_days(since, DIGEST_AFTER_WORKING_DAYS)
        return due or since + timedelta(days=DIGEST_AFTER_WORKING_DAYS)
    return schedule.add_working_time(since, amount) or since + amount


def _stop(case_id: int, now: datetime) -> int:
    """Cancel what the case's earlier steps still had to do (the digest stops listing it too)."""
    return (
        Escalation.objects.filter(case_id=case_id, cancelled_at=None)
        .filter(Q(sent_at=None) | Q(step=Step.DIGEST))
        .update(cancelled_at=now)
    )


def escalations_plan(
    case: Case, assessment: Assessment, previous_level: int | None = None
) -> list[Escalation]:
    """Plan the escalation of the level `case` now has, in the caller's transaction.

    Called by `case_sync` when a case is created (`previous_level` None) and when a re-assessment
    changes its level. A new plan counts from now, the moment of the alert queued with it, and
    replaces what the previous one still had pending; a step the previous plan had due sooner
    keeps its time, so a move up never delays an alert. A case moved below priority keeps nothing.
    Demo data (messages held) plans nothing.
    """
    if messages_held() or case.status == Case.Status.CLOSED or previous_level == case.level:
        return []
    now = timezone.now()
    if not _starts_episode(case.level, previous_level):
        if case.level not in ESCALATION_STEPS:
            _stop(case.pk, now)
        return []
    sooner = dict(
        Escalation.objects.filter(case_id=case.pk, sent_at=None, cancelled_at=None).values_list(
            "step", "due_at"
        )
    )
    _stop(case.pk, now)
    schedule = clinic_profile().schedule
    steps = ESCALATION_STEPS.get(case.level, ((Step.DIGEST, None),))
    planned = []
    for step, amount in steps:
        due = _due(schedule, now, step, amount)
        if step in sooner and step != Step.DIGEST:
            due = min(due, sooner[step])
        planned.append(
            Escalation(case=case, assessment=assessment, level=case.level, step=step, since=now, due_at=due)
        )
    Escalation.objects.bulk_create(planned, ignore_conflicts=True)
    return planned


def _first_opened() -> Subquery:
    """When a doctor first opened the step's case page since its first alert (the audit log)."""
    return Subquery(
        AuditEvent.objects.filter(
            patient_id=OuterRef("case__patient_id"),
            action=AuditEvent.Action.CASE_VIEW,
            object_type=Case._meta.label_lower,
            object_id=Cast(OuterRef("case_id"), output_field=CharField()),
            created_at__gte=OuterRef("since"),
        )
        .order_by("created_at")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )


def _first_status_change() -> Subquery:
    """When someone first changed the step's case status since its first alert (its timeline)."""
    return Subquery(
        CaseEvent.objects.filter(
            case_id=OuterRef("case_id"),
            kind=CaseEvent.Kind.STATUS,
            actor__isnull=False,
            created_at__gte=OuterRef("since"),
        )
        .order_by("created_at")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )


def with_acknowledged(steps: QuerySet[Escalation]) -> QuerySet[Escalation]:
    """Annotate each step with when its case was acknowledged since its first alert, each way."""
    return steps.annotate(**{OPENED_AT: _first_opened(), STATUS_CHANGED_AT: _first_status_change()})


def acknowledged_at(step: Escalation) -> datetime | None:
    """When a doctor first acknowledged the step's case (read from `with_acknowledged`), or None."""
    times = [getattr(step, OPENED_AT, None), getattr(step, STATUS_CHANGED_AT, None)]
    return min((moment for moment in times if moment is not None), default=None)


def _pending() -> QuerySet[Escalation]:
    """The alerts still to send (the digest's places are the daily job's)."""
    return Escalation.objects.filter(sent_at=None, cancelled_at=None).exclude(step=Step.DIGEST)


def escalations_cancel_acknowledged() -> int:
    """Cancel the pending steps of every case acknowledged since their first alert, dated when it
    was; returns how many."""
    acknowledged = with_acknowledged(_pending()).filter(
        Q(**{f"{OPENED_AT}__isnull": False}) | Q(**{f"{STATUS_CHANGED_AT}__isnull": False})
    )
    cancelled = 0
    for step in acknowledged:
        cancelled += Escalation.objects.filter(pk=step.pk, sent_at=None, cancelled_at=None).update(
            cancelled_at=acknowledged_at(step)
        )
    return cancelled


@transaction.atomic
def escalation_send(step_id: int, now: datetime | None = None) -> bool:
    """Send one step if it is still pending and its case still open, at an escalating level and
    not acknowledged; otherwise cancel it. True when it was sent.

    Its messages are queued in the transaction that marks it sent, with its timeline event.
    """
    now = now or timezone.now()
    step = (
        with_acknowledged(Escalation.objects.select_for_update(of=("self",)))
        .select_related("case")
        .filter(pk=step_id, sent_at=None, cancelled_at=None)
        .first()
    )
    if step is None:
        return False
    case = step.case
    acknowledged = acknowledged_at(step)
    if acknowledged is not None or case.status == Case.Status.CLOSED or case.level not in ESCALATION_STEPS:
        Escalation.objects.filter(pk=step.pk).update(cancelled_at=acknowledged or now)
        return False
    if not Escalation.objects.filter(pk=step.pk, sent_at=None, cancelled_at=None).update(sent_at=now):
        return False
    queue = (
        escalation_messages.reminder_queue
        if step.step == Step.REMINDER
        else escalation_messages.contact_queue
    )
    channels = queue(case.pk, key=f"escalation:{step.pk}")
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.ESCALATION,
        detail={"step": step.step, "level": case.level, "channels": [str(channel) for channel in channels]},
        created_at=now,
    )
    logger.info("Escalation step %s (%s) sent", step.pk, step.step)
    return True


def escalations_send_due(now: datetime | None = None) -> int:
    """The minute's pass: cancel what was acknowledged, then send every step now due; how many went."""
    now = now or timezone.now()
    escalations_cancel_acknowledged()
    due = list(
        _pending().filter(due_at__lte=now).order_by("due_at", "pk").values_list("pk", flat=True)[:SEND_BATCH]
    )
    return sum(escalation_send(step_id, now) for step_id in due)


def priority_digest_send(now: datetime | None = None) -> int:
    """Email every doctor the day's list of priority cases not acted on within two working days of
    their first alert (S8); nothing when there are none. Once per local day. How many it lists.

    A listed case stays in each day's digest until the clinic acts on it (`acted_on`), moves it
    off priority or closes it; its first listing is its timeline's event.
    """
    now = now or timezone.now()
    steps = Escalation.objects.filter(step=Step.DIGEST, cancelled_at=None, due_at__lte=now)
    cases = with_acted_on(
        Case.objects.filter(Exists(steps.filter(case_id=OuterRef("pk"))), level=CaseLevel.PRIORITY)
        .exclude(status=Case.Status.CLOSED)
        .order_by("pk")
    )
    listed, done = [], []
    for case in cases:
        (done if acted_on(case) is not None else listed).append(case.pk)
    with transaction.atomic():
        steps.filter(case_id__in=done).update(cancelled_at=now)
        if not listed:
            return 0
        try:
            with transaction.atomic():
                EscalationDigest.objects.create(day=timezone.localdate(now), cases=len(listed))
        except IntegrityError:
            return 0
        first = list(steps.filter(case_id__in=listed, sent_at=None).values_list("case_id", flat=True))
        steps.filter(case_id__in=first, sent_at=None).update(sent_at=now)
        detail = {
            "step": Step.DIGEST.value,
            "level": CaseLevel.PRIORITY.value,
            "channels": [Escalation.Channel.DIGEST.value],
        }
        CaseEvent.objects.bulk_create(
            CaseEvent(case_id=case_id, kind=CaseEvent.Kind.ESCALATION, detail=detail, created_at=now)
            for case_id in sorted(set(first))
        )
        for language in doctor_languages():
            escalation_messages.priority_digest_email.enqueue(
                case_ids=listed, days=DIGEST_AFTER_WORKING_DAYS, language=language
            )
    logger.info("Priority digest sent: %d cases", len(listed))
    return len(listed)


def escalation_health(now: datetime | None = None) -> HealthCheck:
    """For /health/ (`clinic.health`): steps overdue by more than a few minutes and not sent, which
    means the sender is not running. Counts and a time only."""
    now = now or timezone.now()
    late = (
        _pending().filter(due_at__lt=now - OVERDUE_MARGIN).aggregate(count=Count("pk"), oldest=Min("due_at"))
    )
    return HealthCheck(
        warning="escalation_overdue" if late["count"] else "",
        details={
            "overdue": late["count"],
            "oldest_due": late["oldest"].isoformat() if late["oldest"] else None,
        },
    )
