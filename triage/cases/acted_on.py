"""Whether the clinic has acted on a case, and when: the one definition (RULES.md 11.2).

A case has been **acted on** once a clinician has moved it out of the status `new`, booked her
a visit, or recorded that the clinic spoke with her. An emergency or urgent advice stays a live
alarm on her pages until then (S2), and the doctor's deadlines and escalations stop at it (S8).

Acting counts from the moment she was given the advice she is shown (`Case.advised_at`): her Send,
or the re-assessment that moved the case up and gave her new advice (S4), which is a live alarm
again until the clinic acts on it, whatever it did before.

The reads are annotations (one subquery each per row), so a list of cases or of her
questionnaires stays one query whatever its length; `acted_on(row)` reads them back.

The worklist also needs it as a column, to count, filter and sort the overdue cases through an
index: a subquery per row cannot be indexed, and an expression index cannot read other tables.
So `Case.acted_on_at` stores what `acted_on` answers, written by `acted_on_store` in the same
transaction as every write that can change the answer (a status change, a visit booked, moved,
cancelled or given to her, a contact logged, new advice given to her). It is a copy of this definition's answer, never a
second definition: `acted_on_store` computes it here, and a test runs each of those writes and
checks the column against `acted_on`.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import DateTimeField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import Case, CaseEvent, Visit
from .selectors import spoke_with_her_at

# The annotations `with_acted_on` adds, read by `acted_on`.
STATUS_LEFT_NEW_AT = "acted_status_at"
VISIT_BOOKED_AT = "acted_visit_at"
SPOKE_WITH_HER_AT = "acted_spoke_at"


class ActedOnKind:
    """How the clinic acted, so that her page can say it in her words."""

    SPOKE = "spoke"
    STATUS = "status"
    VISIT = "visit"


@dataclass(frozen=True)
class ActedOn:
    kind: str
    at: datetime


def _case(path: str, field: str) -> OuterRef:
    return OuterRef(f"{path}{field}")


def _advised_at(path: str) -> Coalesce:
    """When she was given the advice she is shown (her Send, for a case stored without the date)."""
    return Coalesce(_case(path, "advised_at"), _case(path, "submitted_at"))


def _status_left_new_at(path: str) -> Subquery:
    """When a clinician first moved the case out of `new` after she was given her advice."""
    return Subquery(
        CaseEvent.objects.filter(
            case_id=_case(path, "pk"),
            kind=CaseEvent.Kind.STATUS,
            from_status=Case.Status.NEW,
            created_at__gte=_advised_at(path),
        )
        .exclude(to_status=Case.Status.NEW)
        .order_by("created_at", "pk")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )


def _visit_booked_at(path: str) -> Subquery:
    """When the clinic first booked her a visit (not since cancelled) after she was given her advice."""
    return Subquery(
        Visit.objects.filter(patient_id=_case(path, "patient_id"), created_at__gte=_advised_at(path))
        .exclude(state=Visit.State.CANCELLED)
        .order_by("created_at", "pk")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )


def _spoke_with_her_at(path: str) -> Subquery:
    """When the contact log first records that the clinic spoke with her about this case, after she
    was given her advice."""
    return spoke_with_her_at(_case(path, "pk"), since=_advised_at(path))


def with_acted_on(queryset: QuerySet, case_path: str = "") -> QuerySet:
    """Annotate each row with when its case was acted on, in each way (see `acted_on`).

    `case_path` leads from the queryset's model to the case: "" for cases, "case__" for her
    questionnaires.
    """
    return queryset.annotate(
        **{
            STATUS_LEFT_NEW_AT: _status_left_new_at(case_path),
            VISIT_BOOKED_AT: _visit_booked_at(case_path),
            SPOKE_WITH_HER_AT: _spoke_with_her_at(case_path),
        }
    )


def acted_on(row, case: Case | None = None) -> ActedOn | None:
    """How and when the clinic first acted on the case of `row` (annotated by `with_acted_on`).

    A case no longer `new` counts as acted on even when its timeline has no status change (data
    written before the timeline existed): its last action, or its submission, dates it. Not so
    for advice a re-assessment gave her later (`Case.earlier_advised_at` set): the clinic has
    acted on that one only by what it did since.
    """
    case = case if case is not None else row
    found = [
        ActedOn(kind, at)
        for kind, at in (
            (ActedOnKind.SPOKE, getattr(row, SPOKE_WITH_HER_AT, None)),
            (ActedOnKind.STATUS, getattr(row, STATUS_LEFT_NEW_AT, None)),
            (ActedOnKind.VISIT, getattr(row, VISIT_BOOKED_AT, None)),
        )
        if at is not None
    ]
    as_sent = case.earlier_advised_at is None
    if (
        as_sent
        and not any(item.kind == ActedOnKind.STATUS for item in found)
        and case.status != Case.Status.NEW
    ):
        found.append(ActedOn(ActedOnKind.STATUS, case.last_acted_at or case.submitted_at))
    if not found:
        return None
    # A conversation with her is what she remembers: it is named first when there was one.
    spoke = [item for item in found if item.kind == ActedOnKind.SPOKE]
    return min(spoke or found, key=lambda item: item.at)


def case_is_acted_on(case: Case) -> bool:
    """One case, read with its own query (lists annotate with `with_acted_on` instead)."""
    row = with_acted_on(Case.objects.filter(pk=case.pk)).first()
    return row is not None and acted_on(row) is not None


def acted_on_store(*, case_ids=(), patient_ids=()) -> int:
    """Store `acted_on`'s moment on these cases and on every case of these patients (`Case.acted_on_at`).

    Called in the transaction of each write that can change whether a case was acted on; a visit
    counts for each of her cases, so a visit's write passes her id. Returns how many changed.
    """
    wanted = Q(pk__in=list(case_ids)) | Q(patient_id__in=[pk for pk in patient_ids if pk is not None])
    rows = with_acted_on(
        Case.objects.filter(wanted).only(
            "pk", "status", "submitted_at", "last_acted_at", "acted_on_at", "earlier_advised_at"
        )
    )
    changed = []
    for row in rows:
        found = acted_on(row)
        at = found.at if found is not None else None
        if at != row.acted_on_at:
            row.acted_on_at = at
            changed.append(row)
    Case.objects.bulk_update(changed, ["acted_on_at"])
    return len(changed)


__all__ = ["ActedOn", "ActedOnKind", "acted_on", "acted_on_store", "case_is_acted_on", "with_acted_on"]
