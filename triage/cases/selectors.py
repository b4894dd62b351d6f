"""Reads for the case page and its print: the case, its assessments and timeline, the patient's
history, and the follow-up date."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, DateTimeField, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import rules
from ..advice import advice_related
from ..conversation.selectors import with_new_reply
from ..models import Assessment, Case, CaseEvent, ContactAttempt, Escalation, Visit

HISTORY_LIMIT = 50

# The columns `follow_up_date` reads, for a query that reads values rather than objects.
FOLLOW_UP_COLUMNS = ("status", "follow_up_visit__state", "follow_up_visit__starts_at")


def follow_up_date(status: str, visit_state: str | None, visit_starts_at: datetime | None) -> date | None:
    """The case's follow-up date: the local date of the booked visit a case in "follow-up booked"
    waits for, or None.

    The one definition, read by the worklist row, the CSV, the case page, its print and the
    patient's status: the visit is the one source of the date, so moving it moves the date, and
    cancelling it, or marking it attended or missed, clears it.
    """
    if status != Case.Status.FOLLOW_UP or visit_state != Visit.State.BOOKED or visit_starts_at is None:
        return None
    return timezone.localdate(visit_starts_at)


def case_follow_up_on(case: Case) -> date | None:
    """`follow_up_date` of a case loaded with its follow-up visit (`case_detail_queryset`)."""
    visit = case.follow_up_visit
    if visit is None:
        return None
    return follow_up_date(case.status, visit.state, visit.starts_at)


def case_detail_queryset() -> QuerySet[Case]:
    """The case page's case, with what it joins (the assessment in force, the advice she is shown
    and the one before, a lower one pending sign-off, the open contact task), its contact log's count
    (`case_contact_count`), whether a reply of hers waits to be read (`new_reply`) and when it was
    last escalated."""
    return with_escalated_at(
        with_new_reply(
            with_contact_counts(
                Case.objects.select_related(
                    "submission",
                    "patient__user",
                    "last_actor",
                    "assigned_to",
                    "follow_up_visit",
                    "assessment",
                    *advice_related(),
                    "pending_sign_off",
                    "contact_task",
                )
            )
        )
    )


# The annotation `with_escalated_at` adds.
ESCALATED_AT = "escalated_at"


def with_escalated_at(queryset: QuerySet, case_ref: str = "pk") -> QuerySet:
    """Annotate each case with when an escalation step of it was last sent (RULES.md 11.2, S8), or
    None: one subquery per row on the steps' case index, so a page of cases stays one query."""
    last_sent = (
        Escalation.objects.filter(case_id=OuterRef(case_ref), sent_at__isnull=False)
        .order_by()
        .values("case_id")
        .annotate(last=Max("sent_at"))
        .values("last")
    )
    return queryset.annotate(**{ESCALATED_AT: Subquery(last_sent, output_field=DateTimeField())})


def case_assessments(case: Case) -> list[Assessment]:
    """Every assessment of the case's questionnaire, oldest first: the first is the advice she was given."""
    return list(Assessment.objects.filter(submission_id=case.pk).order_by("created_at", "pk"))


def case_assessment(case: Case) -> Assessment | None:
    """The assessment the case's level and flags come from (`Case.assessment`): the latest one, unless
    a later one waits for sign-off or was set aside (RULES.md 11.2, S5)."""
    if case.assessment_id is not None:
        return case.assessment
    return Assessment.objects.filter(submission_id=case.pk).order_by("-created_at", "-pk").first()


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case_id=case.pk).select_related("actor").order_by("created_at", "pk")


@dataclass(frozen=True)
class HistoryItem:
    """One of the patient's questionnaires, reduced to what shows recurrence and trend."""

    case_id: int
    submitted_at: datetime
    level: int
    flags: tuple[str, ...]
    status: str
    is_current: bool
    days_before: int
    bleeding_after_sex: bool
    bleeding_episodes_3m: int
    bleeding_amount: str
    bleeding_trend: str
    clots: bool
    soaks_pad_hourly: bool
    intermenstrual_bleeding: bool
    # The worst pain she rated (0-10): during intercourse, or pelvic pain at its worst.
    pain: int = 0

    @property
    def amount_rank(self) -> int:
        """Position on the RULES.md amount scale (0 none .. 5 heavy), for a compact gauge."""
        try:
            return rules.BLEEDING_AMOUNTS.index(self.bleeding_amount)
        except ValueError:
            return 0


@dataclass(frozen=True)
class PatientHistory:
    entries: list[HistoryItem]
    # Earlier questionnaires that count towards recurrence, by the engine's own rule (RULES.md 6).
    recent_bleeding_reports: int
    truncated: bool


def _answer(answers: dict, name: str):
    """An answer, or its RULES.md 3.2 default when the questionnaire left it out or it is malformed.

    A malformed answer only happens on a case the engine refused (manual
    review); the full answers are on that case's own page.
    """
    field = rules.FIELDS_BY_NAME[name]
    value = answers.get(name, field.default)
    return value if field.error_for(value) is None else field.default


def _worst_pain(answers: dict) -> int:
    """The higher of pain during intercourse and pelvic pain at its worst (asked only with pelvic pain)."""
    pelvic = _answer(answers, "pelvic_pain_severity") if _answer(answers, "pelvic_pain_days") >= 1 else 0
    return max(_answer(answers, "pain_during_sex"), pelvic)


def case_history(case: Case) -> PatientHistory:
    """All of the patient's questionnaires, newest first, with bleeding details (one query).

    Bleeding details count only when bleeding after sex was reported, as in
    the rules (RULES.md 3.2), so stale hidden answers never show as a trend.
    """
    cases = list(
        Case.objects.filter(patient_id=case.patient_id)
        .select_related("submission")
        .only("pk", "submitted_at", "level", "flags", "status", "patient_id", "submission__answers")
        .order_by("-submitted_at", "-pk")[: HISTORY_LIMIT + 1]
    )
    current_day = timezone.localdate(case.submitted_at)
    entries = []
    recent = 0
    for other in cases[:HISTORY_LIMIT]:
        answers = other.submission.answers if isinstance(other.submission.answers, dict) else {}
        bleeding = _answer(answers, "bleeding_after_sex")
        days_before = (current_day - timezone.localdate(other.submitted_at)).days
        if other.pk != case.pk and rules.counts_as_earlier_report(days_before, bleeding):
            recent += 1
        entries.append(
            HistoryItem(
                case_id=other.pk,
                submitted_at=other.submitted_at,
                level=other.level,
                flags=tuple(other.flags or ()),
                status=other.status,
                is_current=other.pk == case.pk,
                days_before=days_before,
                bleeding_after_sex=bleeding,
                bleeding_episodes_3m=_answer(answers, "bleeding_episodes_3m") if bleeding else 0,
                bleeding_amount=_answer(answers, "bleeding_amount") if bleeding else "none",
                bleeding_trend=_answer(answers, "bleeding_trend") if bleeding else "",
                clots=bleeding and _answer(answers, "clots"),
                soaks_pad_hourly=_answer(answers, "soaks_pad_hourly"),
                intermenstrual_bleeding=_answer(answers, "intermenstrual_bleeding"),
                pain=_worst_pain(answers),
            )
        )
    return PatientHistory(
        entries=entries, recent_bleeding_reports=recent, truncated=len(cases) > HISTORY_LIMIT
    )


# The annotations `with_contact_counts` adds.
CONTACT_ATTEMPTS = "contact_count"
CONTACT_LAST_AT = "contact_last_at"


def _attempts_of(case_ref) -> QuerySet[ContactAttempt]:
    # Grouped by the case alone, so each subquery returns one row read from the log's index.
    return ContactAttempt.objects.filter(case_id=case_ref).order_by().values("case_id")


def with_contact_counts(queryset: QuerySet, case_ref: str = "pk") -> QuerySet:
    """Annotate each case with its contact attempts and the time of the last one (a subquery each,
    so a page of cases stays one query)."""
    ref = OuterRef(case_ref)
    return queryset.annotate(
        **{
            CONTACT_ATTEMPTS: Coalesce(
                Subquery(_attempts_of(ref).annotate(n=Count("*")).values("n"), output_field=IntegerField()),
                0,
            ),
            CONTACT_LAST_AT: Subquery(
                _attempts_of(ref).annotate(last=Max("created_at")).values("last"),
                output_field=DateTimeField(),
            ),
        }
    )


def spoke_with_her_at(case_ref, *, since=None) -> Subquery:
    """When the contact log first records that the clinic spoke with her about the case
    (`case_ref`, an `OuterRef` to the case's id), at or after `since` if given: the contact log's
    part of "acted on"."""
    spoke = ContactAttempt.objects.filter(case_id=case_ref, outcome=ContactAttempt.Outcome.SPOKE)
    if since is not None:
        spoke = spoke.filter(created_at__gte=since)
    return Subquery(
        spoke.order_by("created_at", "pk").values("created_at")[:1],
        output_field=DateTimeField(),
    )


def case_contact_count(case: Case) -> int:
    """The attempts on the case's contact log, as its buttons say they have seen (read with the
    case by `case_detail_queryset`, else counted)."""
    count = getattr(case, CONTACT_ATTEMPTS, None)
    if count is None:
        count = ContactAttempt.objects.filter(case_id=case.pk).count()
    return count


def overdue_q(now: datetime) -> Q:
    """The open cases nobody has acted on by their deadline at `now` (`Case.act_by`, `Case.acted_on_at`).

    The SQL form of `is_overdue_case`; it matches the condition of `triage_case_pending_idx`.
    """
    return Q(acted_on_at__isnull=True, act_by__lt=now) & ~Q(status=Case.Status.CLOSED)


def awaits_action(act_by: datetime | None, acted_on_at: datetime | None, status: str) -> bool:
    """Whether a case read with these columns has a deadline nobody has acted on yet: overdue now
    or later (a row of `triage_case_pending_idx`)."""
    return acted_on_at is None and act_by is not None and status != Case.Status.CLOSED


def is_overdue_case(
    act_by: datetime | None, acted_on_at: datetime | None, status: str, now: datetime
) -> bool:
    """Whether a case read with these columns is overdue at `now` (`overdue_q` in Python)."""
    return awaits_action(act_by, acted_on_at, status) and act_by < now
