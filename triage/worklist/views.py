"""The worklist's pages: the list itself, closing routine cases together, the CSV export, and the
next case in the list."""

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

from ..access import case_for_doctor
from ..audit.writer import Actor, audit_export
from ..chips import flag_item
from ..decorators import doctor_required
from ..models import LEVEL_ORDER, AuditEvent, Case, CaseLevel
from .exports import worklist_csv_write
from .forms import BulkCloseForm, WorklistFilterForm, filter_params, filter_querystring
from .presenters import Labels, case_closable_in_bulk, worklist_rows_html, worklist_summary
from .search_refs import worklist_query
from .selectors import (
    QUEUE_KEY_FIELDS,
    TASK_CONTACT,
    TASK_SIGN_OFF,
    WorklistFilters,
    case_level_counts,
    case_next,
    case_overdue_count,
    case_task_counts,
    case_worklist,
    case_worklist_page,
    case_worklist_page_number,
    case_worklist_total,
    every_case_shown,
    with_query,
)
from .services import BulkCloseRefused, cases_bulk_close


def _worklist_form(request) -> WorklistFilterForm:
    return WorklistFilterForm(worklist_query(request))


def _dashboard_page(request, *, bulk_form=None, status=200):
    form = _worklist_form(request)
    filters = form.filters(request.user)
    cursor = form.cursor()
    # One moment for the whole page: which cases are overdue, their order, counts and markers.
    now = timezone.now()
    page = case_worklist_page(filters, **cursor, now=now)
    # Each row shows a patient's name, phone and flags: the list is a read of every one of them.
    audit_export(
        Actor.from_request(request),
        AuditEvent.Action.WORKLIST_VIEW,
        [(row.pk, row.patient_id) for row in page.rows],
        object_type="worklist",
    )
    counts = case_level_counts(filters, now)
    total = case_worklist_total(counts)
    overdue = case_overdue_count(filters, now)
    case_worklist_page_number(filters, page, counts=counts, first=not cursor or page.cursor_lost, now=now)
    query = filter_querystring(filters, request.session)
    labels = Labels(now)
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
    # What re-assessments left to do, over the whole worklist, each a link to its cases (S4 d, S5).
    tasks = case_task_counts()
    task_links = [
        {
            "task": task,
            "count": count,
            "query": filter_querystring(WorklistFilters(task=task), request.session),
            "active": filters.task == task,
        }
        for task, count in ((TASK_CONTACT, tasks.contact), (TASK_SIGN_OFF, tasks.sign_off))
        if count or filters.task == task
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
        "task_links": task_links,
        "overdue_count": overdue,
        "overdue_query": filter_querystring(filters, request.session, overdue="1"),
        "query": query,
        # Routine and closed cases already listed (the patients to contact): no link to add them.
        "every_case_shown": every_case_shown(filters),
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
        "bulk_url": with_query(reverse("triage:bulk_close"), query),
    }
    return render(request, "triage/worklist/dashboard.html", context, status=status)


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
            case_ids=form.cleaned_data["cases"],
            actor=Actor.from_request(request),
            reason=form.cleaned_data["reason"],
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
    if closed:
        messages.success(
            request,
            ngettext("%(count)d case closed.", "%(count)d cases closed.", len(closed))
            % {"count": len(closed)},
        )
    else:
        messages.info(request, _("These cases were already closed; nothing changed."))
    query = filter_querystring(_worklist_form(request).filters(request.user), request.session)
    return redirect(with_query(reverse("triage:dashboard"), query))


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
    audit_export(Actor.from_request(request), AuditEvent.Action.EXPORT_CSV, exported, object_type="worklist")
    return response


@never_cache
@doctor_required
@require_GET
def case_next_view(request, pk):
    """Open the case that follows this one in the worklist, with the same filters."""
    case = case_for_doctor(request, pk, queryset=Case.objects.only(*QUEUE_KEY_FIELDS))
    filters = _worklist_form(request).filters(request.user)
    query = filter_querystring(filters, request.session)
    next_pk = case_next(case, filters)
    if next_pk is None:
        messages.info(request, _("That was the last case in this list."))
        return redirect(with_query(reverse("triage:dashboard"), query))
    return redirect(with_query(reverse("triage:case_detail", args=[next_pk]), query))
