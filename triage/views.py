"""The doctor's pages: the worklist, its export, and one case with its status and notes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import rules
from .access import case_for_doctor
from .audit import audit_export, audit_record
from .decorators import doctor_required
from .exports import worklist_csv_write
from .forms import CaseNoteForm, CaseStatusForm, WorklistFilterForm, filter_querystring
from .models import AuditEvent, Case, CaseLevel
from .presenters import Labels, worklist_rows
from .questionnaire import readable_answers
from .search_refs import worklist_query
from .selectors import (
    WorklistFilters,
    case_assessment,
    case_events,
    case_history,
    case_level_counts,
    case_next,
    case_worklist,
    case_worklist_page,
    case_worklist_total,
)
from .services import CaseConflict, case_add_note, case_change_status


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


@never_cache
@doctor_required
@require_GET
def dashboard_view(request):
    form = WorklistFilterForm(worklist_query(request))
    filters = form.filters()
    page = case_worklist_page(filters, **form.cursor())
    counts = case_level_counts(filters)
    query = filter_querystring(filters, request.session)
    labels = Labels()
    level_links = [
        {
            "level": level,
            "badge": labels.badge(level),
            "count": count,
            "query": filter_querystring(filters, request.session, level=[str(level)]),
            "active": filters.levels == (level,),
        }
        for level, count in counts.items()
    ]
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": worklist_rows(page.rows, query=query, labels=labels),
        "total": case_worklist_total(filters, counts),
        "level_links": level_links,
        "query": query,
        "toggle_query": filter_querystring(
            filters, request.session, all=None if filters.include_all else "1"
        ),
        "levels": CaseLevel.choices,
        "statuses": Case.Status.choices,
        "ignored": form.ignored_labels,
        # Closed on a first visit so a phone shows the cases first; open while filters apply.
        "filters_active": filters != WorklistFilters(),
        "filters_open": filters != WorklistFilters() or bool(form.ignored_labels),
    }
    return render(request, "triage/dashboard.html", context)


@never_cache
@doctor_required
@require_GET
def export_csv_view(request):
    """The whole filtered worklist (every page) as CSV; the export is audited, for each patient too."""
    filters = WorklistFilterForm(worklist_query(request)).filters()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="worklist-{stamp}.csv"'
    # A byte-order mark makes Excel read the file as UTF-8 (accented names).
    response.write("\ufeff")
    exported = worklist_csv_write(response, case_worklist(filters).iterator(chunk_size=500))
    audit_export(request, AuditEvent.Action.EXPORT_CSV, exported, object_type="worklist")
    return response


def _case_page(request, case: Case, *, status_form=None, note_form=None, conflict=False, status=200):
    """Render a case; every rendering shows health data, so each one is audited as a view."""
    filter_form = WorklistFilterForm(worklist_query(request))
    query = filter_querystring(filter_form.filters(), request.session)
    status_url = _with_query(reverse("triage:case_status", args=[case.pk]), query)
    note_url = _with_query(reverse("triage:case_note", args=[case.pk]), query)
    audit_record(request, AuditEvent.Action.CASE_VIEW, obj=case, patient=case.patient_id)
    # Answers the questionnaire does not know (an import, an older form) are still shown: a case
    # the engine could not assess must be read in full.
    answers = case.submission.answers if isinstance(case.submission.answers, dict) else {}
    known = rules.rule_set(case.submission.questionnaire_version).fields_by_name
    context = {
        "case": case,
        "assessment": case_assessment(case),
        "events": case_events(case),
        "history": case_history(case),
        "sections": readable_answers(answers, case.submission.questionnaire_version),
        "extra_answers": [(name, value) for name, value in answers.items() if name not in known],
        "status_form": status_form or CaseStatusForm(case=case, action=status_url),
        "note_form": note_form or CaseNoteForm(action=note_url),
        "conflict": conflict,
        "query": query,
        "ignored": filter_form.ignored_labels,
    }
    return render(request, "triage/case_detail.html", context, status=status)


@never_cache
@doctor_required
@require_GET
def case_detail_view(request, pk):
    case = case_for_doctor(request, pk)
    return _case_page(request, case)


@never_cache
@doctor_required
@require_POST
def case_status_view(request, pk):
    case = case_for_doctor(request, pk)
    query = filter_querystring(WorklistFilterForm(worklist_query(request)).filters(), request.session)
    action = _with_query(reverse("triage:case_status", args=[pk]), query)
    form = CaseStatusForm(request.POST, case=case, action=action)
    if not form.is_valid():
        return _case_page(request, case, status_form=form, status=400)
    data = form.cleaned_data
    try:
        case_change_status(
            case_id=case.pk,
            actor=request.user,
            to_status=data["to_status"],
            expected_version=data["version"],
            follow_up=form.follow_up(),
            reason=data.get("reason", ""),
        )
    except CaseConflict:
        # Show the current state; the doctor's input stays in the form, now
        # against the current version, so saving it again is a deliberate act.
        current = case_for_doctor(request, pk)
        fresh = request.POST.copy()
        fresh["version"] = str(current.version)
        form = CaseStatusForm(fresh, case=current, action=action)
        return _case_page(request, current, status_form=form, conflict=True, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return _case_page(request, case, status_form=form, status=400)
    audit_record(request, AuditEvent.Action.STATUS_CHANGE, obj=case, patient=case.patient_id)
    messages.success(
        request, _("Status changed to “%(status)s”.") % {"status": Case.Status(data["to_status"]).label}
    )
    return redirect(_with_query(reverse("triage:case_detail", args=[pk]), query))


@never_cache
@doctor_required
@require_POST
def case_note_view(request, pk):
    case = case_for_doctor(request, pk)
    query = filter_querystring(WorklistFilterForm(worklist_query(request)).filters(), request.session)
    form = CaseNoteForm(request.POST, action=_with_query(reverse("triage:case_note", args=[pk]), query))
    if form.is_valid():
        try:
            case_add_note(case_id=case.pk, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            audit_record(request, AuditEvent.Action.NOTE_ADD, obj=case, patient=case.patient_id)
            messages.success(request, _("Note added."))
            return redirect(_with_query(reverse("triage:case_detail", args=[pk]), query))
    return _case_page(request, case, note_form=form, status=400)


@never_cache
@doctor_required
@require_GET
def case_next_view(request, pk):
    """Open the case that follows this one in the worklist, with the same filters."""
    case = case_for_doctor(request, pk, queryset=Case.objects.only("pk", "sort_key", "submitted_at"))
    filters = WorklistFilterForm(worklist_query(request)).filters()
    query = filter_querystring(filters, request.session)
    next_pk = case_next(case, filters)
    if next_pk is None:
        messages.info(request, _("That was the last case in this list."))
        return redirect(_with_query(reverse("triage:dashboard"), query))
    return redirect(_with_query(reverse("triage:case_detail", args=[next_pk]), query))
