"""The printable case summary: one A4 page to print or attach to the health record."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..access import case_for_doctor
from ..audit.writer import Actor, audit_record
from ..decorators import doctor_required
from ..models import AuditEvent
from .presenters import case_print_context


@never_cache
@doctor_required
@require_GET
def case_print_view(request, pk):
    case = case_for_doctor(request, pk)
    audit_record(Actor.from_request(request), AuditEvent.Action.CASE_PRINT, obj=case, patient=case.patient)
    return render(request, "triage/cases/case_print.html", case_print_context(case))
