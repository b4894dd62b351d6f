"""The printable case summary: one A4 page to print or attach to the health record."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .access import case_for_doctor
from .audit import audit_record
from .decorators import doctor_required
from .models import AuditEvent, CaseEvent
from .presenters import answers_html
from .selectors import case_assessment, case_events, case_history

# Enough earlier questionnaires to show a trend while the summary stays on one page.
PRINT_HISTORY_ROWS = 8


def case_print_context(case) -> dict:
    """What `triage/_case_sheet.html` prints of a case."""
    history = case_history(case)
    earlier = [item for item in history.entries if not item.is_current]
    return {
        "case": case,
        "patient": case.patient,
        "age_today": case.patient.age_on(timezone.localdate()),
        "assessment": case_assessment(case),
        "answers_html": answers_html(case.submission, "triage/_print_answers.html"),
        "history": earlier[:PRINT_HISTORY_ROWS],
        "history_cut": len(earlier) > PRINT_HISTORY_ROWS or history.truncated,
        "recent_bleeding_reports": history.recent_bleeding_reports,
        "events": case_events(case).filter(kind__in=[CaseEvent.Kind.NOTE, CaseEvent.Kind.STATUS]),
        "printed_at": timezone.now(),
    }


@never_cache
@doctor_required
@require_GET
def case_print_view(request, pk):
    case = case_for_doctor(request, pk)
    audit_record(request, AuditEvent.Action.CASE_PRINT, obj=case, patient=case.patient)
    return render(request, "triage/case_print.html", case_print_context(case))
