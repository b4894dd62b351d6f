"""Reads about visits: the day's list with each visit's questionnaire, a patient's next visit, the feed."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from clinic.health import HealthCheck
from patients.models import Patient, Submission

from ..models import CalendarFeed, CalendarSync, Case, CaseLevel, Visit, VisitInvitation
from .tokens import token_digest


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of `day` and of the next day in the clinic's time zone (23 or 25 hours apart
    on the days the clocks change)."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return start, end


def _submitted_for_visit() -> QuerySet[Submission]:
    """The visit's questionnaires: submitted from the visit's `questionnaire_since` up to its start."""
    return Submission.objects.filter(
        patient_id=OuterRef("patient_id"),
        status=Submission.Status.SUBMITTED,
        submitted_at__gte=OuterRef("questionnaire_since"),
        submitted_at__lte=OuterRef("starts_at"),
    )


def with_questionnaire(qs: QuerySet[Visit]) -> QuerySet[Visit]:
    """Annotate each visit with its latest questionnaire (`submission_id`) and whether a draft was
    started for it (`draft_started`)."""
    return qs.annotate(
        submission_id=Subquery(_submitted_for_visit().order_by("-submitted_at", "-pk").values("pk")[:1]),
        draft_started=Exists(
            Submission.objects.filter(
                patient_id=OuterRef("patient_id"),
                status=Submission.Status.DRAFT,
                updated_at__gte=OuterRef("questionnaire_since"),
            )
        ),
    )


def _listed() -> QuerySet[Visit]:
    """Visits of patients whose account is open, and of invited patients who have not signed up."""
    return Visit.objects.filter(Q(patient__isnull=True) | Q(patient__closed_at__isnull=True))


@dataclass(frozen=True)
class CaseLink:
    """A case named on the day's list: its page, level and the day she sent it."""

    pk: int
    level: int
    submitted_at: datetime


@dataclass(frozen=True)
class DayVisit:
    visit: Visit
    # The case of the latest questionnaire submitted for the visit, or None.
    case: Case | None
    draft_started: bool
    age: int | None
    # Her other open flagged cases, whatever their date, most urgent first.
    open_cases: tuple[CaseLink, ...] = ()
    # The case this visit was booked from ("follow-up booked"), or None.
    booked_from: CaseLink | None = None

    @property
    def name(self) -> str:
        if self.visit.patient_id:
            return self.visit.patient.user.display_name
        return self.visit.invitation.display_name

    @property
    def phone(self) -> str:
        return self.visit.patient.phone if self.visit.patient_id else ""


def day_visits(day: date) -> list[DayVisit]:
    """The visits starting on `day`, in time order, each with its questionnaire's case (two queries)."""
    start, end = day_bounds(day)
    visits = list(
        with_questionnaire(_listed().filter(starts_at__gte=start, starts_at__lt=end))
        .select_related("patient__user", "invitation")
        .order_by("starts_at", "pk")
    )
    ids = [visit.submission_id for visit in visits if visit.submission_id]
    cases = (
        {
            case.pk: case
            for case in Case.objects.filter(pk__in=ids).only(
                "pk", "level", "score", "flags", "rules_version", "status", "patient_id"
            )
        }
        if ids
        else {}
    )
    open_cases, booked_from = _cases_around(visits)
    return [
        DayVisit(
            visit=visit,
            case=cases.get(visit.submission_id),
            draft_started=visit.draft_started,
            age=visit.patient.age_on(day) if visit.patient_id else None,
            open_cases=tuple(
                link for link in open_cases.get(visit.patient_id, ()) if link.pk != visit.submission_id
            ),
            booked_from=booked_from.get(visit.pk),
        )
        for visit in visits
    ]


def _cases_around(visits: list[Visit]) -> tuple[dict[int, list[CaseLink]], dict[int, CaseLink]]:
    """Every open flagged case of the day's patients, whatever its date, and the case each visit was
    booked from, in one query: a flagged questionnaire from weeks ago is never hidden behind
    "not filled in" for this visit."""
    patient_ids = {visit.patient_id for visit in visits if visit.patient_id}
    visit_ids = [visit.pk for visit in visits]
    if not visit_ids:
        return {}, {}
    flagged = Q(patient_id__in=patient_ids, level__gt=CaseLevel.ROUTINE) & ~Q(status=Case.Status.CLOSED)
    rows = (
        Case.objects.filter(flagged | Q(follow_up_visit_id__in=visit_ids))
        .order_by("sort_key", "submitted_at", "pk")
        .values_list("pk", "patient_id", "level", "submitted_at", "status", "follow_up_visit_id")
    )
    open_cases: dict[int, list[CaseLink]] = {}
    booked_from: dict[int, CaseLink] = {}
    for pk, patient_id, level, submitted_at, status, visit_id in rows:
        link = CaseLink(pk, level, submitted_at)
        if visit_id in visit_ids:
            booked_from.setdefault(visit_id, link)
        if patient_id in patient_ids and level > CaseLevel.ROUTINE and status != Case.Status.CLOSED:
            open_cases.setdefault(patient_id, []).append(link)
    return open_cases, booked_from


def patient_visits(patient: Patient) -> QuerySet[Visit]:
    """All of a patient's visits, latest first, for the doctor's page of the patient."""
    return with_questionnaire(Visit.objects.filter(patient=patient)).order_by("-starts_at", "-pk")


def patient_next_visit(patient: Patient, now=None) -> Visit | None:
    """Her next booked visit, with `submission_id` and `draft_started` (one query)."""
    now = now or timezone.now()
    return (
        with_questionnaire(Visit.objects.filter(patient=patient, state=Visit.State.BOOKED, starts_at__gt=now))
        .order_by("starts_at", "pk")
        .first()
    )


def visit_for_patient(patient: Patient, pk) -> Visit | None:
    return Visit.objects.filter(patient=patient, pk=pk).first()


def overlapping_visits(*, patient_id, starts_at, duration_minutes, exclude_pk=None) -> list[Visit]:
    """The patient's other booked visits that overlap [starts_at, starts_at + duration)."""
    if patient_id is None:
        return []
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    # A visit lasts at most a day, so only those starting within a day before can reach into this one.
    candidates = Visit.objects.filter(
        patient_id=patient_id,
        state=Visit.State.BOOKED,
        starts_at__lt=ends_at,
        starts_at__gt=starts_at - timedelta(days=1),
    ).exclude(pk=exclude_pk)
    return [visit for visit in candidates if visit.ends_at > starts_at]


def feed_visits(now=None) -> QuerySet[Visit]:
    """The booked visits for the doctors' calendar: from 30 days back on, open accounts only."""
    now = now or timezone.now()
    return (
        _listed()
        .filter(state=Visit.State.BOOKED, starts_at__gte=now - timedelta(days=30))
        .select_related("patient__user", "invitation")
        .order_by("starts_at", "pk")
    )


def calendar_feed_owner(token: str):
    """The doctor whose calendar address carries `token`, or None."""
    if not token:
        return None
    feed = CalendarFeed.objects.filter(token_digest=token_digest(token)).select_related("user").first()
    return feed.user if feed is not None else None


def reminder_candidates(*, first_day: date, last_day: date) -> QuerySet[Visit]:
    """Booked visits from `first_day` to `last_day` (local dates) of patients who want reminders and
    have not sent the questionnaire for them, or who were invited and have not signed up yet; each
    with `submission_id` for a last check."""
    start, _ = day_bounds(first_day)
    _, end = day_bounds(last_day)
    wants_reminders = Q(
        patient__isnull=False,
        patient__visit_reminders=True,
        patient__closed_at__isnull=True,
        patient__user__is_active=True,
        patient__user__email_verified_at__isnull=False,
    ) | Q(patient__isnull=True, invitation__used_at__isnull=True, match_reason="")
    return (
        with_questionnaire(
            Visit.objects.filter(
                wants_reminders,
                state=Visit.State.BOOKED,
                starts_at__gte=max(start, timezone.now()),
                starts_at__lt=end,
                # A visit booked in the last day has just had its invitation.
                created_at__lte=timezone.now() - timedelta(days=1),
            )
        )
        .filter(submission_id__isnull=True)
        .order_by("starts_at", "pk")
    )


def invitation_for_token(token: str) -> VisitInvitation | None:
    """The unused, unexpired invitation of a sign-up link, or None."""
    from .tokens import invitation_token_raw

    raw = invitation_token_raw(token)
    if raw is None:
        return None
    return VisitInvitation.objects.filter(token_digest=token_digest(raw), used_at__isnull=True).first()


def visits_awaiting_confirmation() -> QuerySet[Visit]:
    """Imported visits bound to nobody until the doctor says whose they are, soonest first."""
    return (
        Visit.objects.exclude(match_reason="")
        .filter(state=Visit.State.BOOKED)
        .select_related("invitation", "match_patient__user")
        .order_by("starts_at", "pk")
    )


def calendar_sync_state() -> CalendarSync | None:
    """The last sync of the booking calendar, or None before the first."""
    return CalendarSync.objects.filter(id=1).first()


def calendar_sync_failing(state: CalendarSync | None, now=None) -> bool:
    """Whether the booking calendar's sync has kept failing for longer than the alert time."""
    if state is None or state.failing_since is None:
        return False
    now = now or timezone.now()
    return now - state.failing_since > timedelta(minutes=settings.CALENDAR_SYNC_ALERT_MINUTES)


def calendar_sync_health() -> HealthCheck:
    """The booking calendar's sync for /health/ (`clinic.health`): times and an error code only."""
    state = calendar_sync_state()
    return HealthCheck(
        warning="calendar_sync_failing" if calendar_sync_failing(state) else "",
        details={
            "last_success": state.last_success_at.isoformat() if state and state.last_success_at else None,
            "failing_since": state.failing_since.isoformat() if state and state.failing_since else None,
            "last_error": state.last_error if state else "",
        },
    )
