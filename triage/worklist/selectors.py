"""Reads for the doctor's pages: the worklist and its counts, one case, the patient's history.

The worklist shows the most urgent level first and, within a level, the overdue cases first
(RULES.md 11.2, S8: nobody acted on them by their deadline), each part in `QUEUE_ORDER`, all
ascending, the columns of the queue indexes. Whether a case is overdue depends on the clock, so no
index can hold that order. The list's segments are (level, overdue or not); the overdue cases
and the others are each read in queue order through an index (`triage_case_pending_idx` holds the
overdue candidates), level by level since `sort_key` starts with the level, and a page is the
first rows of both put together in one query and ordered by segment (`_page_ids`). Pages are cut
by keyset (rows after or before a given row's segment and key), so the last page costs what the
first one does.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Field,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone

from patients.models import display_name

from .. import rules
from ..cases.selectors import (
    CONTACT_ATTEMPTS,
    CONTACT_LAST_AT,
    ESCALATED_AT,
    follow_up_date,
    is_overdue_case,
    overdue_q,
    with_contact_counts,
    with_escalated_at,
)
from ..conversation.selectors import with_new_reply
from ..models import (
    LEVEL_ORDER,
    Case,
    CaseLevel,
    flag_bit,
    sort_key_of,
    sort_key_range,
)

PAGE_SIZE = 25
QUEUE_ORDER = ("sort_key", "submitted_at", "pk")
QUEUE_ORDER_REVERSED = tuple(f"-{name}" for name in QUEUE_ORDER)
SEARCH_TERMS_MAX = 5


@dataclass(frozen=True)
class WorklistFilters:
    """What the doctor asked to see; the defaults are the open flagged cases."""

    include_all: bool = False
    levels: tuple[int, ...] = ()
    flag: str = ""
    statuses: tuple[str, ...] = ()
    submitted_from: date | None = None
    submitted_to: date | None = None
    q: str = ""
    # Assignment: the cases of this doctor (her user id), or those nobody has taken.
    assignee: int | None = None
    unassigned: bool = False
    # Only the cases past their deadline that nobody has acted on (RULES.md 11.2, S8).
    overdue: bool = False
    # What a re-assessment left to do: `TASK_CONTACT` or `TASK_SIGN_OFF` cases only.
    task: str = ""


# The worklist's "to do after a re-assessment" filter (RULES.md 11.2, S4 d, S5). The task to contact
# her about new advice closes only with a note (S4 d): closing her case leaves it listed and counted.
TASK_CONTACT = "contact"
TASK_SIGN_OFF = "sign_off"
TASK_CONDITIONS = {
    TASK_CONTACT: Q(contact_task__isnull=False),
    TASK_SIGN_OFF: Q(pending_sign_off__isnull=False) & ~Q(status=Case.Status.CLOSED),
}


def every_case_shown(filters: WorklistFilters) -> bool:
    """Whether the worklist, without a level or status chosen, lists routine and closed cases too:
    with "include all", and among the patients to contact about new advice, whose task outlives
    her case's status and a lower level signed off since (S4 d)."""
    return filters.include_all or filters.task == TASK_CONTACT


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(filters: WorklistFilters, now: datetime, *, by_level: bool = True) -> QuerySet[Case]:
    """Cases matching the filters at `now`; `by_level=False` leaves levels out, for the per-level counts.

    Without `include_all`, levels and statuses the doctor did not choose
    default to the open flagged cases (level above routine, not closed),
    the condition of the partial index `triage_case_open_queue_idx`.
    """
    qs = Case.objects.all()
    if by_level:
        if filters.levels:
            low, high = sort_key_range(filters.levels)
            qs = qs.filter(level__in=filters.levels, sort_key__gte=low, sort_key__lte=high)
        elif not every_case_shown(filters):
            qs = qs.filter(level__gt=CaseLevel.ROUTINE)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    elif not every_case_shown(filters):
        qs = qs.exclude(status=Case.Status.CLOSED)
    if filters.flag in rules.ALL_FLAG_CODES:
        bit = flag_bit(filters.flag)
        qs = qs.alias(flag_hit=F("flag_bits").bitand(bit)).filter(flag_hit=bit)
    if filters.submitted_from:
        qs = qs.filter(submitted_at__gte=_local_midnight(filters.submitted_from))
    if filters.submitted_to:
        qs = qs.filter(submitted_at__lt=_local_midnight(filters.submitted_to + timedelta(days=1)))
    if filters.task in TASK_CONDITIONS:
        qs = qs.filter(TASK_CONDITIONS[filters.task])
    if filters.overdue:
        qs = qs.filter(overdue_q(now))
    if filters.assignee is not None:
        qs = qs.filter(assigned_to=filters.assignee)
    elif filters.unassigned:
        qs = qs.filter(assigned_to__isnull=True)
    for term in filters.q.split()[:SEARCH_TERMS_MAX]:
        qs = qs.filter(
            Q(patient__user__first_name__icontains=term)
            | Q(patient__user__last_name__icontains=term)
            | Q(patient__user__email__icontains=term)
        )
    return qs


# A worklist row's columns, in `WorklistRow`'s order. The page reads them as plain
# values: building model objects for the case, its submission, patient and users cost
# more than the query itself. The CSV export loads the same columns into objects.
ROW_COLUMNS = (
    "pk",
    "submitted_at",
    "level",
    "score",
    "flags",
    "rules_version",
    "status",
    "follow_up_visit__starts_at",
    "follow_up_visit__state",
    "last_acted_at",
    "act_by",
    "acted_on_at",
    "submission__age",
    "patient__phone",
    "patient_id",
    "patient__user__first_name",
    "patient__user__last_name",
    "patient__user__email",
    "last_actor__first_name",
    "last_actor__last_name",
    "last_actor__email",
    "assigned_to__first_name",
    "assigned_to__last_name",
    "assigned_to__email",
)


HAS_NOTES = "has_notes"
# What a re-assessment left to do on the case (RULES.md 11.2): a lower level pending sign-off (S5),
# the task to contact her about new advice (S4 d). Read as ids, said on the row as yes or no.
TASK_COLUMNS = ("pending_sign_off_id", "contact_task_id")
# What a worklist page reads of each row: its columns, then the annotations of `_row_values`, then
# its tasks.
ROW_VALUES = (
    *ROW_COLUMNS,
    HAS_NOTES,
    CONTACT_ATTEMPTS,
    CONTACT_LAST_AT,
    "new_reply",
    ESCALATED_AT,
    *TASK_COLUMNS,
)


def has_notes() -> ExpressionWrapper:
    """Whether she wrote anything in the questionnaire's notes (RULES.md 11.2, S12): the rules
    never read them, so the row says so and a red flag written only there is read first. The same
    test on answers already read is `triage.questionnaire.notes_written`."""
    notes = Q(submission__answers__has_key="notes") & ~Q(submission__answers__notes="")
    return ExpressionWrapper(notes & ~Q(submission__answers__notes=None), output_field=BooleanField())


def _row_values(qs: QuerySet[Case]) -> QuerySet:
    """The rows' `ROW_VALUES`: the notes marker, the contact log's counts, whether a reply of hers
    waits and when the case was last escalated, read in the same query."""
    return (
        with_escalated_at(with_new_reply(with_contact_counts(qs)))
        .annotate(**{HAS_NOTES: has_notes()})
        .values_list(*ROW_VALUES)
    )


FOLLOW_UP_COLUMN = ROW_COLUMNS.index("follow_up_visit__starts_at")
STATUS_COLUMN = ROW_COLUMNS.index("status")


def _with_row_details(qs: QuerySet[Case]) -> QuerySet[Case]:
    """What a CSV line shows, joined in, and nothing else (the answers stay behind)."""
    return qs.select_related(
        "patient__user", "last_actor", "assigned_to", "submission", "follow_up_visit"
    ).only(*ROW_COLUMNS)


def case_worklist(filters: WorklistFilters, now: datetime | None = None) -> QuerySet[Case]:
    """The whole filtered worklist in the page's order, with what a CSV line shows (one query)."""
    now = now or timezone.now()
    overdue_first = SqlCase(When(overdue_q(now), then=Value(0)), default=Value(1))
    return _with_row_details(_filtered(filters, now)).order_by(F("level").desc(), overdue_first, *QUEUE_ORDER)


def worklist_levels(filters: WorklistFilters) -> tuple[int, ...]:
    """The levels the filtered worklist can show, most urgent first."""
    if filters.levels:
        return tuple(level for level in LEVEL_ORDER if level in filters.levels)
    if every_case_shown(filters):
        return LEVEL_ORDER
    return tuple(level for level in LEVEL_ORDER if level > CaseLevel.ROUTINE)


def case_level_counts(filters: WorklistFilters, now: datetime | None = None) -> dict[int, int]:
    """Cases per level of the filtered worklist, for each level it can show, most urgent first.

    Every filter applies, so the counts add up to the rows of the list.
    """
    # COUNT(*) needs no column, so an index holding level (and flag bits) can answer alone.
    rows = _filtered(filters, now or timezone.now()).order_by().values("level").annotate(n=Count("*"))
    counts = {row["level"]: row["n"] for row in rows}
    return {level: counts.get(level, 0) for level in worklist_levels(filters)}


@dataclass(frozen=True)
class TaskCounts:
    """Cases with something a re-assessment left to do (RULES.md 11.2)."""

    contact: int = 0
    sign_off: int = 0


def case_task_counts() -> TaskCounts:
    """How many cases wait for a contact about new advice (S4 d, closed ones too) and how many open
    ones for a sign-off (S5), over the whole worklist whatever its filters: one query, on two small
    partial indexes."""
    counts = Case.objects.filter(TASK_CONDITIONS[TASK_CONTACT] | TASK_CONDITIONS[TASK_SIGN_OFF]).aggregate(
        contact=Count("pk", filter=TASK_CONDITIONS[TASK_CONTACT]),
        sign_off=Count("pk", filter=TASK_CONDITIONS[TASK_SIGN_OFF]),
    )
    return TaskCounts(contact=counts["contact"] or 0, sign_off=counts["sign_off"] or 0)


def case_worklist_total(counts: dict[int, int]) -> int:
    """How many rows the worklist has, from its per-level counts without another query."""
    return sum(counts.values())


def case_overdue_count(filters: WorklistFilters, now: datetime | None = None) -> int:
    """How many cases of the filtered worklist are overdue (read from `triage_case_pending_idx`)."""
    now = now or timezone.now()
    return _filtered(filters, now).filter(overdue_q(now)).order_by().count()


# A segment of the worklist: its level and whether it holds the overdue cases, as an ascending
# key ((-level, 0 overdue or 1 not)), so that segments compare in the list's order.
Segment = tuple[int, int]


# Within a level, the overdue cases' segment comes first.
OVERDUE_FIRST = {True: 0, False: 1}


def _segment(level: int, overdue: bool) -> Segment:
    return (-level, OVERDUE_FIRST[overdue])


def _segment_number(overdue: bool):
    """`_segment` as one number the database sorts the same way, for a part of the page's query
    that holds only overdue cases or only the others."""
    return F("level") * -2 + Value(OVERDUE_FIRST[overdue])


# What a case's place in the list is read from, and the place: (segment, sort key, submitted, id).
QUEUE_KEY_FIELDS = ("level", "act_by", "acted_on_at", "status", *QUEUE_ORDER)
Key = tuple[Segment, tuple]


def queue_key(case: Case, now: datetime) -> Key:
    """A case's place in the worklist at `now` (`case` read with `QUEUE_KEY_FIELDS`)."""
    overdue = is_overdue_case(case.act_by, case.acted_on_at, case.status, now)
    return _segment(case.level, overdue), (case.sort_key, case.submitted_at, case.pk)


def _queue_key(pk, now: datetime) -> Key | None:
    case = Case.objects.filter(pk=pk).only(*QUEUE_KEY_FIELDS).first()
    return queue_key(case, now) if case is not None else None


class Row(Func):
    """A SQL row value, `(a, b, c)`, which PostgreSQL and SQLite compare column by column."""

    template = "(%(expressions)s)"
    # Only ever compared with another row, never read: no single Python type fits it.
    output_field = Field()


def _queue_row() -> Row:
    return Row(*(F(name) for name in QUEUE_ORDER))


def _key_row(key: tuple) -> Row:
    fields = [Case._meta.get_field("sort_key"), Case._meta.get_field("submitted_at"), Case._meta.pk]
    return Row(*(Value(value, output_field=field) for value, field in zip(key, fields, strict=True)))


def _after(qs: QuerySet[Case], key: tuple) -> QuerySet[Case]:
    # The plain bound on the first column lets the planner seek in the queue index
    # even where it cannot use the row comparison for that.
    return qs.filter(sort_key__gte=key[0]).filter(GreaterThan(_queue_row(), _key_row(key)))


def _before(qs: QuerySet[Case], key: tuple) -> QuerySet[Case]:
    return qs.filter(sort_key__lte=key[0]).filter(LessThan(_queue_row(), _key_row(key)))


# The page's query puts the overdue and the other cases' first rows together; this column holds
# each row's segment as one number that sorts like `Segment`.
SEGMENT_COLUMN = "queue_segment"


def _past_cursor(part: QuerySet[Case], overdue: bool, cursor: Key, forward: bool) -> QuerySet[Case]:
    """The rows of one part (the overdue cases, or the others) after (`forward`) or before `cursor`.

    In the cursor's own part, the rows past its key: a level comes whole before the next in
    `sort_key` order. In the other part, the levels past the cursor's: after the not-overdue
    cases of a level come the overdue ones of the next; after its overdue ones, its not-overdue.
    """
    segment, key = cursor
    if segment[1] == OVERDUE_FIRST[overdue]:
        return _after(part, key) if forward else _before(part, key)
    low, high = sort_key_range([-segment[0]])
    if forward:
        return part.filter(sort_key__gt=high) if overdue else part.filter(sort_key__gte=low)
    return part.filter(sort_key__lte=high) if overdue else part.filter(sort_key__lt=low)


def _page_ids(
    qs: QuerySet[Case],
    filters: WorklistFilters,
    now: datetime,
    size: int,
    *,
    cursor: Key | None,
    forward: bool,
) -> list[int]:
    """The ids of up to `size` rows of `qs` after (`forward`) or before `cursor`, in that direction.

    One query of two parts, the overdue cases and the others, each in queue order through its
    index (`triage_case_pending_idx`, the queue indexes) and cut at `size` rows where the
    database takes a limit per part (PostgreSQL). Within each part `sort_key` already runs level
    by level, so the parts' first rows hold the page's: put together (UNION ALL) and ordered by
    segment, then key, they are cut at `size` rows. Two parts rather than one per segment (ten):
    the page's query is built and planned in a fifth of the time.
    """
    order = QUEUE_ORDER if forward else QUEUE_ORDER_REVERSED
    parts = []
    for overdue in (True,) if filters.overdue else (True, False):
        part = qs.filter(overdue_q(now) if overdue else ~overdue_q(now))
        if cursor is not None:
            part = _past_cursor(part, overdue, cursor, forward)
        parts.append(
            part.annotate(**{SEGMENT_COLUMN: _segment_number(overdue)}).values_list(
                SEGMENT_COLUMN, *QUEUE_ORDER
            )
        )
    if len(parts) == 1:
        return [row[-1] for row in parts[0].order_by(*order)[:size]]
    if _limit_per_part():
        parts = [part.order_by(*order)[:size] for part in parts]
    else:
        parts = [part.order_by() for part in parts]
    combined = parts[0].union(*parts[1:], all=True)
    segment_order = SEGMENT_COLUMN if forward else f"-{SEGMENT_COLUMN}"
    return [row[-1] for row in combined.order_by(segment_order, *order)[:size]]


def _limit_per_part() -> bool:
    """Whether each part of a UNION may have its own ORDER BY and LIMIT (PostgreSQL; not SQLite,
    whose planner merges the parts of an ordered compound query by itself)."""
    return connection.features.supports_slicing_ordering_in_compound


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """One line of the worklist: what the doctor reads about a case at a glance."""

    pk: int
    submitted_at: datetime
    level: int
    score: int
    flags: list
    rules_version: int | None
    status: str
    follow_up_on: date | None
    last_acted_at: datetime | None
    # The deadline, and when the clinic acted on the case (`triage.cases.deadlines`, `acted_on`).
    act_by: datetime | None
    acted_on_at: datetime | None
    age: int
    # As stored: E.164, or older text that did not parse.
    phone: str
    # For the access log: whose name and flags the doctor saw.
    patient_id: int
    patient_name: str
    # Empty when nobody has acted on the case yet.
    actor_name: str
    # Empty when nobody has taken the case.
    assignee_name: str
    # She wrote notes for the doctor (S12).
    has_notes: bool = False
    # The contact log: how many attempts to reach her, and when the last one was.
    contact_attempts: int = 0
    contact_last_at: datetime | None = None
    # A reply of hers no doctor has read yet (`triage.conversation.selectors.with_new_reply`).
    new_reply: bool = False
    # When an escalation step of the case was last sent (RULES.md 11.2, S8); None if never.
    escalated_at: datetime | None = None
    # A lower re-assessment waits for sign-off (S5); she must be contacted about new advice (S4 d).
    pending_sign_off: bool = False
    contact_task: bool = False

    @classmethod
    def from_values(cls, values: tuple) -> "WorklistRow":
        """A row from `ROW_VALUES`: the case's columns, the notes marker, its contact log's count and
        last time, whether a reply of hers waits, when it was last escalated, then its tasks."""
        *values, pending_id, contact_task_id = values
        *values, notes, contact_attempts, contact_last_at, new_reply, escalated_at = values
        *case, first, last, email, actor_first, actor_last, actor_email = values[:-3]
        assignee_first, assignee_last, assignee_email = values[-3:]
        starts_at, visit_state = case.pop(FOLLOW_UP_COLUMN), case.pop(FOLLOW_UP_COLUMN)
        case.insert(FOLLOW_UP_COLUMN, follow_up_date(case[STATUS_COLUMN], visit_state, starts_at))
        return cls(
            *case,
            patient_name=display_name(first, last, email),
            actor_name=display_name(actor_first, actor_last, actor_email),
            assignee_name=display_name(assignee_first, assignee_last, assignee_email),
            has_notes=bool(notes),
            contact_attempts=contact_attempts or 0,
            contact_last_at=contact_last_at,
            new_reply=new_reply,
            escalated_at=escalated_at,
            pending_sign_off=pending_id is not None,
            contact_task=contact_task_id is not None,
        )


@dataclass
class WorklistPage:
    rows: list[WorklistRow] = field(default_factory=list)
    has_previous: bool = False
    has_next: bool = False
    # The row a cursor pointed at is gone; the first page is shown instead.
    cursor_lost: bool = False
    # "Page `number` of `pages`", set by `case_worklist_page_number`.
    number: int = 1
    pages: int = 1

    @property
    def first_pk(self):
        return self.rows[0].pk if self.rows else None

    @property
    def last_pk(self):
        return self.rows[-1].pk if self.rows else None


def _page_rows(
    qs: QuerySet[Case],
    filters: WorklistFilters,
    now: datetime,
    size: int,
    *,
    cursor: Key | None = None,
    forward: bool = True,
) -> tuple[list[WorklistRow], bool]:
    """Up to `size` rows of `qs` after (or before) `cursor` in the list's order, and whether more follow.

    The page's ids are picked on the case table alone (`_page_ids`), and only those rows are
    joined for display: PostgreSQL then walks the queue indexes even when it misjudges how many
    rows a keyset condition leaves, instead of joining everything and sorting. Two queries rather
    than one with a subquery: planning the five-table join around a subquery took twice as long
    as running both.
    """
    ids = _page_ids(qs, filters, now, size + 1, cursor=cursor, forward=forward)
    if not ids:
        return [], False
    shown = ids[:size] if forward else ids[:size][::-1]
    place = {pk: index for index, pk in enumerate(shown)}
    values = _row_values(Case.objects.filter(pk__in=shown).order_by())
    rows = sorted((WorklistRow.from_values(row) for row in values), key=lambda row: place[row.pk])
    return rows, len(ids) > size


def case_worklist_page(
    filters: WorklistFilters,
    *,
    after=None,
    before=None,
    last: bool = False,
    size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> WorklistPage:
    """One page of the worklist at `now`: the first, the last, or the one after/before a case.

    `after` and `before` are case ids; the page starts right after (or ends
    right before) that case's place in the list. One id more than
    the page is read to tell whether another page follows.
    """
    now = now or timezone.now()
    qs = _filtered(filters, now)
    cursor = after if after is not None else before
    key = _queue_key(cursor, now) if cursor is not None else None
    if cursor is not None and key is None:
        page = _first_page(qs, filters, now, size)
        page.cursor_lost = True
        return page
    if after is not None:
        rows, more = _page_rows(qs, filters, now, size, cursor=key)
        return WorklistPage(rows=rows, has_previous=True, has_next=more)
    if before is not None:
        rows, more = _page_rows(qs, filters, now, size, cursor=key, forward=False)
        if not rows:
            return _first_page(qs, filters, now, size)
        return WorklistPage(rows=rows, has_previous=more, has_next=True)
    if last:
        rows, more = _page_rows(qs, filters, now, size, forward=False)
        return WorklistPage(rows=rows, has_previous=more, has_next=False)
    return _first_page(qs, filters, now, size)


def _first_page(qs: QuerySet[Case], filters: WorklistFilters, now: datetime, size: int) -> WorklistPage:
    rows, more = _page_rows(qs, filters, now, size)
    return WorklistPage(rows=rows, has_previous=False, has_next=more)


def case_worklist_page_number(
    filters: WorklistFilters,
    page: WorklistPage,
    *,
    counts: dict[int, int],
    first: bool = False,
    now: datetime | None = None,
) -> None:
    """Set the page's "page X of Y" from the list's per-level counts (already read for the header).

    The first page (`first`: no cursor asked for) needs no query. Any other counts the rows
    before it (the last page too, so that a page's queries never depend on how many cases there
    are): the levels above its first row come from `counts`, and its own level from one query of
    three counts, each read from an index (`_counts_in_level`). Pages cut by keyset need not start
    at a multiple of the page size, so a partial page counts as one.
    """
    page.pages = max(1, math.ceil(case_worklist_total(counts) / PAGE_SIZE))
    if first or not page.rows:
        page.number = 1
        return
    now = now or timezone.now()
    row = page.rows[0]
    key = (sort_key_of(row.level, row.score), row.submitted_at, row.pk)
    before_key, overdue, overdue_before_key = _counts_in_level(_filtered(filters, now), row.level, key, now)
    if is_overdue_case(row.act_by, row.acted_on_at, row.status, now):
        in_level = overdue_before_key
    else:
        in_level = overdue + before_key - overdue_before_key
    before = sum(count for level, count in counts.items() if level > row.level) + in_level
    page.number = min(page.pages, math.ceil(before / PAGE_SIZE) + 1)


def _count(qs: QuerySet[Case]) -> Coalesce:
    """`qs.count()` as a subquery, so that several counts are read in one query."""
    counted = qs.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _counts_in_level(qs: QuerySet[Case], level: int, key: tuple, now: datetime) -> tuple[int, int, int]:
    """At `level`: the rows before `key` in queue order, the overdue rows, and the overdue rows
    before `key`; the first through the queue index, the others through the pending one.

    One query, carried by the row at `key` itself.
    """
    low, high = sort_key_range([level])
    at_level = qs.filter(sort_key__gte=low, sort_key__lte=high)
    overdue = at_level.filter(overdue_q(now))
    counts = (
        Case.objects.filter(pk=key[-1])
        .annotate(
            before_key=_count(_before(at_level, key)),
            overdue=_count(overdue),
            overdue_before_key=_count(_before(overdue, key)),
        )
        .values_list("before_key", "overdue", "overdue_before_key")
        .first()
    )
    return counts or (0, 0, 0)


def case_next(case: Case, filters: WorklistFilters, now: datetime | None = None):
    """The id of the case after this one in the filtered worklist (`case` read with
    `QUEUE_KEY_FIELDS`), or None at the end."""
    now = now or timezone.now()
    ids = _page_ids(_filtered(filters, now), filters, now, 1, cursor=queue_key(case, now), forward=True)
    return ids[0] if ids else None


def with_query(url: str, query: str) -> str:
    """`url` with the worklist's filters (`query`) kept, for a link from or back to the list."""
    return f"{url}?{query}" if query else url


@dataclass(frozen=True)
class OpenedFrom:
    """The worklist a page was opened from: its filters, the query string that keeps them in the
    page's links, and the labels of the filters that could not be read (for a notice)."""

    filters: WorklistFilters
    query: str
    ignored: tuple[str, ...]


def opened_from(request) -> OpenedFrom:
    """The filtered worklist a doctor's page was reached from, read from the request's parameters.

    The case page and its forms carry these filters, so that "next case" and "back to the list"
    keep them.
    """
    from .forms import WorklistFilterForm, filter_querystring
    from .search_refs import worklist_query

    form = WorklistFilterForm(worklist_query(request))
    filters = form.filters(request.user)
    return OpenedFrom(filters, filter_querystring(filters, request.session), tuple(form.ignored_labels))
