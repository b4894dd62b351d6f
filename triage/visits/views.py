"""The doctor's visit pages: the day's list and its print, a patient's visits and booking, a visit,
the import from the booking system, and the calendar feed."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.models import clinic_profile, masked_url

from ..access import patient_for_doctor, visit_for_doctor
from ..audit.writer import Actor, audit_calendar_feed, audit_export, audit_record
from ..cases.presenters import case_print_context
from ..cases.selectors import case_detail_queryset
from ..decorators import doctor_required
from ..models import AuditEvent, CalendarFeed, Case, Visit
from . import ics
from .forms import DayForm, VisitBookForm, VisitChangeForm, VisitImportForm
from .matching import MatchNotPossible, import_file, visit_match_resolve
from .presenters import day_rows_html, import_report_lines, sync_summary
from .selectors import (
    calendar_feed_owner,
    calendar_sync_failing,
    calendar_sync_state,
    day_visits,
    feed_visits,
    patient_visits,
    visits_awaiting_confirmation,
)
from .services import (
    VisitOverlap,
    visit_book,
    visit_change,
    visit_mark,
)
from .tokens import calendar_feed_regenerate


def _day_url(day) -> str:
    return f"{reverse('triage:visit_day')}?date={day.isoformat()}"


def _audit_day(request, action, visits) -> None:
    """One access-log entry for the day's list or its print, naming every patient on it."""
    audit_export(
        Actor.from_request(request),
        action,
        [(item.visit.pk, item.visit.patient_id) for item in visits if item.visit.patient_id],
        object_type="triage.visit",
        item_type="triage.visit",
    )


@never_cache
@doctor_required
@require_GET
def day_view(request):
    """The visits of a day in time order, each with the triage of its questionnaire."""
    return _day_page(request, DayForm(request.GET).day())


def _day_page(request, day, *, status: int = 200):
    visits = day_visits(day)
    _audit_day(request, AuditEvent.Action.DAY_LIST, visits)
    context = {
        "day": day,
        "visits": visits,
        "rows": day_rows_html(visits),
        "previous_url": _day_url(day - timedelta(days=1)),
        "next_url": _day_url(day + timedelta(days=1)),
        "print_url": f"{reverse('triage:visit_day_print')}?date={day.isoformat()}",
        "printable": any(item.visit.state != Visit.State.CANCELLED for item in visits),
        "sync_failing": calendar_sync_failing(calendar_sync_state()),
    }
    return render(request, "triage/visits/day.html", context, status=status)


@never_cache
@doctor_required
@require_GET
def day_print_view(request):
    """The one-page summary of every visit of the day that is not cancelled, in visit order, in one document."""
    day = DayForm(request.GET).day()
    visits = [item for item in day_visits(day) if item.visit.state != Visit.State.CANCELLED]
    cases = {
        case.pk: case
        for case in case_detail_queryset().filter(pk__in=[item.case.pk for item in visits if item.case])
    }
    sheets = []
    for number, item in enumerate(visits, start=1):
        case = cases.get(item.case.pk) if item.case else None
        context = case_print_context(case) if case else {}
        sheets.append({"item": item, "sheet_id": f"-{number}", **context})
    _audit_day(request, AuditEvent.Action.DAY_PRINT, visits)
    return render(
        request, "triage/visits/day_print.html", {"day": day, "sheets": sheets, "day_url": _day_url(day)}
    )


def _patient_page(request, patient, *, form=None, status=200):
    audit_record(Actor.from_request(request), AuditEvent.Action.PATIENT_VIEW, obj=patient, patient=patient)
    action = reverse("triage:visit_book", args=[patient.pk])
    context = {
        "patient": patient,
        "visits": patient_visits(patient),
        "cases": Case.objects.filter(patient=patient)
        .only("pk", "submitted_at", "level", "status")
        .order_by("-submitted_at")[:20],
        "form": form or VisitBookForm(action=action),
    }
    return render(request, "triage/visits/patient.html", context, status=status)


@never_cache
@doctor_required
@require_GET
def patient_view(request, pk):
    return _patient_page(request, patient_for_doctor(request, pk))


@never_cache
@doctor_required
@require_POST
def visit_book_view(request, pk):
    patient = patient_for_doctor(request, pk)
    form = VisitBookForm(request.POST, action=reverse("triage:visit_book", args=[pk]))
    if form.is_valid() and (starts_at := form.starts_at()) is not None:
        data = form.cleaned_data
        try:
            visit_book(
                patient=patient,
                starts_at=starts_at,
                duration_minutes=data["duration_minutes"],
                kind=data["kind"],
                note=data["note"],
                uid=data["booking_key"],
                actor=Actor.from_request(request),
                allow_overlap=data["allow_overlap"],
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, _("Visit booked. The patient is invited to fill in the questionnaire."))
            return redirect("triage:patient_detail", pk=patient.pk)
    return _patient_page(request, patient, form=form, status=400)


@never_cache
@doctor_required
@require_http_methods(["GET", "POST"])
def visit_view(request, pk):
    """One visit: move it, change its length or note, mark it attended, cancelled or no-show."""
    visit = visit_for_doctor(request, pk)
    action = reverse("triage:visit_detail", args=[pk])
    form = VisitChangeForm(request.POST or None, visit=visit, action=action)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and (starts_at := form.starts_at()) is not None:
            data = form.cleaned_data
            try:
                visit_change(
                    visit_id=visit.pk,
                    actor=Actor.from_request(request),
                    starts_at=starts_at,
                    duration_minutes=data["duration_minutes"],
                    state=data["state"],
                    note=data["note"],
                    allow_overlap=data["allow_overlap"],
                    # Closing a visit that has started (attended, no-show) is no booking in the past.
                    check=starts_at != visit.starts_at or data["duration_minutes"] != visit.duration_minutes,
                )
            except (VisitOverlap, ValidationError) as error:
                for name, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(request, _("The visit was saved."))
                return redirect("triage:visit_detail", pk=visit.pk)
    audit_record(
        Actor.from_request(request), AuditEvent.Action.PATIENT_VIEW, obj=visit, patient=visit.patient_id
    )
    cases = Case.objects.filter(follow_up_visit=visit).only("pk", "submitted_at")
    return render(
        request, "triage/visits/visit.html", {"visit": visit, "form": form, "cases": cases}, status=status
    )


@never_cache
@doctor_required
@require_http_methods(["GET", "POST"])
def import_view(request):
    action = reverse("triage:visit_import")
    form = VisitImportForm(request.POST or None, request.FILES or None, action=action)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_file(upload.name, upload.read(), actor=Actor.from_request(request))
            status = 200 if report.saved else 400
        else:
            status = 400
    context = {
        "form": form,
        "report": report,
        "lines": import_report_lines(report) if report else [],
        "awaiting": _awaiting_confirmation(request),
        **_sync_context(),
    }
    return render(request, "triage/visits/import.html", context, status=status)


def _sync_context() -> dict:
    """The booking calendar's last sync for the import page: when, what it brought, what failed."""
    state = calendar_sync_state()
    return {
        "sync": state,
        "sync_lines": sync_summary(state) if state and state.last_outcome else [],
        "sync_failing": calendar_sync_failing(state),
        "sync_source": masked_url(clinic_profile().booking_calendar_url),
        "sync_minutes": settings.CALENDAR_SYNC_MINUTES,
    }


def _awaiting_confirmation(request) -> list:
    """The imported visits waiting for the doctor, in the access log of each patient they may be."""
    awaiting = list(visits_awaiting_confirmation())
    audit_export(
        Actor.from_request(request),
        AuditEvent.Action.MATCH_LIST,
        [(visit.pk, visit.match_patient_id) for visit in awaiting if visit.match_patient_id],
        object_type="triage.visit",
        item_type="triage.visit",
    )
    return awaiting


@never_cache
@doctor_required
@require_POST
def visit_match_view(request, pk):
    """The doctor says whose an imported visit is: the proposed patient, whoever owns the email, or nobody."""
    try:
        visit_match_resolve(
            visit_id=pk, decision=request.POST.get("decision", ""), actor=Actor.from_request(request)
        )
    except MatchNotPossible as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved: the visit is no longer waiting for your confirmation."))
    return redirect("triage:visit_import")


@never_cache
@doctor_required
@require_http_methods(["GET", "POST"])
def calendar_settings_view(request):
    """The doctor's secret calendar address: shown once when made; making a new one ends the old one."""
    feed_url = None
    if request.method == "POST":
        token = calendar_feed_regenerate(request.user)
        feed_url = request.build_absolute_uri(reverse("triage:calendar_feed", args=[token]))
    context = {"feed_url": feed_url, "has_feed": CalendarFeed.objects.filter(user=request.user).exists()}
    return render(request, "triage/visits/calendar.html", context)


@login_not_required
@never_cache
@require_GET
def calendar_feed_view(request, token):
    """The booked visits for the doctor's calendar app: initials and kind only. A wrong token is a 404."""
    owner = calendar_feed_owner(token)
    if owner is None or not owner.is_doctor:
        raise Http404
    visits = list(feed_visits())
    audit_calendar_feed(Actor.from_request(request, user=owner), len(visits))
    with translation.override(owner.language):
        body = ics.feed_calendar(visits)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="visits.ics"'
    return response


@never_cache
@doctor_required
@require_POST
def visit_mark_view(request, pk):
    """One tap on the day's list: she attended, or she did not; back to that day's row."""
    visit = visit_for_doctor(request, pk)
    try:
        changed = visit_mark(
            visit_id=visit.pk, actor=Actor.from_request(request), state=request.POST.get("state", "")
        )
    except ValidationError as error:
        for messages_ in error.message_dict.values():
            for message in messages_:
                messages.error(request, message)
        return _day_page(request, visit.local_date, status=400)
    if changed:
        messages.success(request, _("The visit was saved."))
    return redirect(f"{_day_url(visit.local_date)}#visit-{visit.pk}")
