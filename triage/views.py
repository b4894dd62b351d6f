"""The doctor's pages: the worklist, its export, and one case with its status and notes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .access import case_for_doctor
from .advice import advice_given, patient_language
from .audit import audit_cases, audit_export, audit_record
from .decorators import doctor_required
from .exports import worklist_csv_write
from .forms import (
    BulkCloseForm,
    CaseNoteForm,
    CaseStatusForm,
    WorklistFilterForm,
    filter_params,
    filter_querystring,
)
from .models import LEVEL_ORDER, AuditEvent, Case, CaseLevel
from .presenters import (
    Labels,
    answers_html,
    case_closable_in_bulk,
    case_flags_html,
    case_history_html,
    flag_item,
    timeline_events_html,
    unbound_form_html,
    worklist_rows_html,
    worklist_summary,
)
from .search_refs import worklist_query
from .selectors import (
    WorklistFilters,
    case_assessments,
    case_events,
    case_history,
    case_level_counts,
    case_next,
    case_worklist,
    case_worklist_page,
    case_worklist_page_number,
    case_worklist_total,
)
from .services import (
    BulkCloseRefused,
    CaseConflict,
    case_add_note,
    case_assign,
    case_change_status,
    cases_bulk_close,
)

# The buttons of the case page's assignment form (templates/triage/_assignment.html).
ASSIGNMENT_CHOICES = ("take", "release")


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _worklist_form(request) -> WorklistFilterForm:
    return WorklistFilterForm(worklist_query(request))


def _dashboard_page(request, *, bulk_form=None, status=200):
    form = _worklist_form(request)
    filters = form.filters(request.user)
    cursor = form.cursor()
    page = case_worklist_page(filters, **cursor)
    # Each row shows a patient's name, phone and flags: the list is a read of every one of them.
    audit_export(
        request,
        AuditEvent.Action.WORKLIST_VIEW,
        [(row.pk, row.patient_id) for row in page.rows],
        object_type="worklist",
    )
    counts = case_level_counts(filters)
    total = case_worklist_total(counts)
    case_worklist_page_number(filters, page, total=total, first=not cursor or page.cursor_lost)
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
    bulk_form = bulk_form or BulkCloseForm()
    bulk_closable = any(case_closable_in_bulk(case.level, case.status) for case in page.rows)
    rows = worklist_rows_html(
        page.rows, query=query, labels=labels, bulk_closable=bulk_closable, chosen=bulk_form.chosen()
    )
    flag_label = flag_item(filters.flag).label if filters.flag else ""
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "total": total,
        "summary": worklist_summary(filters, flag_label),
        "level_links": level_links,
        "query": query,
        "toggle_query": filter_querystring(
            filters, request.session, all=None if filters.include_all else "1"
        ),
        "levels": [(level, CaseLevel(level).label) for level in LEVEL_ORDER],
        "statuses": Case.Status.choices,
        "ignored": form.ignored_labels,
        # Closed on a first visit so a phone shows the cases first; open while filters apply.
        "filters_active": filters != WorklistFilters(),
        "filters_open": filters != WorklistFilters() or bool(form.ignored_labels),
        "assigned": dict(filter_params(filters)).get("assigned", ""),
        "bulk_form": bulk_form,
        "bulk_closable": bulk_closable,
        "bulk_url": _with_query(reverse("triage:bulk_close"), query),
    }
    return render(request, "triage/dashboard.html", context, status=status)


@never_cache
@doctor_required
@require_GET
def dashboard_view(request):
    return _dashboard_page(request)


@never_cache
@doctor_required
@require_POST
def bulk_close_view(request):
    """Close the chosen routine cases with one reason; any other case refuses the whole request."""
    form = BulkCloseForm(request.POST)
    if not form.is_valid():
        return _dashboard_page(request, bulk_form=form, status=400)
    try:
        closed = cases_bulk_close(
            case_ids=form.cleaned_data["cases"], actor=request.user, reason=form.cleaned_data["reason"]
        )
    except BulkCloseRefused as refused:
        form.add_error(
            "cases",
            _(
                "Only routine cases can be closed together. Nothing was closed: open case %(cases)s "
                "and close it on its own page, or untick it."
            )
            % {"cases": ", ".join(str(pk) for pk in refused.case_ids)},
        )
        return _dashboard_page(request, bulk_form=form, status=400)
    except ValidationError as error:
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
        return _dashboard_page(request, bulk_form=form, status=400)
    audit_cases(request, AuditEvent.Action.STATUS_CHANGE, closed)
    if closed:
        messages.success(
            request,
            ngettext("%(count)d case closed.", "%(count)d cases closed.", len(closed))
            % {"count": len(closed)},
        )
    else:
        messages.info(request, _("These cases were already closed; nothing changed."))
    query = filter_querystring(_worklist_form(request).filters(request.user), request.session)
    return redirect(_with_query(reverse("triage:dashboard"), query))


@never_cache
@doctor_required
@require_GET
def export_csv_view(request):
    """The whole filtered worklist (every page) as CSV; the export is audited, for each patient too."""
    filters = _worklist_form(request).filters(request.user)
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
    filter_form = _worklist_form(request)
    query = filter_querystring(filter_form.filters(request.user), request.session)
    status_url = _with_query(reverse("triage:case_status", args=[case.pk]), query)
    note_url = _with_query(reverse("triage:case_note", args=[case.pk]), query)
    audit_record(request, AuditEvent.Action.CASE_VIEW, obj=case, patient=case.patient_id)
    assessments = case_assessments(case)
    history = case_history(case)
    fresh_status_form = None if status_form else CaseStatusForm(case=case, action=status_url)
    fresh_note_form = None if note_form else CaseNoteForm(action=note_url)
    context = {
        "case": case,
        "assessment": assessments[-1] if assessments else None,
        "advice": advice_given(assessments, patient_language(case.patient.user)),
        "events": timeline_events_html(case_events(case)),
        "flags_html": case_flags_html(case.flags, case.rules_version),
        "history": history,
        "history_html": case_history_html(history),
        # Answers the questionnaire does not know are shown too: a case the engine could not
        # assess must be read in full.
        "answers_html": answers_html(case.submission, "triage/_answers.html"),
        "status_form": status_form or fresh_status_form,
        "note_form": note_form or fresh_note_form,
        # A form as first shown is a cached fragment; one with the doctor's input is rendered anew.
        "status_form_html": None
        if status_form
        else unbound_form_html(request, "case-status", fresh_status_form),
        "note_form_html": None if note_form else unbound_form_html(request, "case-note", fresh_note_form),
        "conflict": conflict,
        "query": query,
        "ignored": filter_form.ignored_labels,
        "assign_url": _with_query(reverse("triage:case_assign", args=[case.pk]), query),
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
    query = filter_querystring(_worklist_form(request).filters(request.user), request.session)
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
    query = filter_querystring(_worklist_form(request).filters(request.user), request.session)
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
    filters = _worklist_form(request).filters(request.user)
    query = filter_querystring(filters, request.session)
    next_pk = case_next(case, filters)
    if next_pk is None:
        messages.info(request, _("That was the last case in this list."))
        return redirect(_with_query(reverse("triage:dashboard"), query))
    return redirect(_with_query(reverse("triage:case_detail", args=[next_pk]), query))


@never_cache
@doctor_required
@require_POST
def case_assign_view(request, pk):
    """Take the case ("assign to me") or release it; the change is in the timeline and the audit log."""
    case = case_for_doctor(request, pk)
    choice = request.POST.get("assignment")
    if choice not in ASSIGNMENT_CHOICES:
        messages.error(request, _("Choose to take the case or to release it."))
        return _case_page(request, case, status=400)
    take = choice == "take"
    query = filter_querystring(_worklist_form(request).filters(request.user), request.session)
    if case_assign(case_id=case.pk, actor=request.user, take=take):
        audit_record(request, AuditEvent.Action.ASSIGNMENT, obj=case, patient=case.patient_id)
        messages.success(request, _("The case is assigned to you.") if take else _("The case was released."))
    return redirect(_with_query(reverse("triage:case_detail", args=[pk]), query))
