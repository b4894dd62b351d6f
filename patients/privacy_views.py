"""The patient's privacy pages: download her data, erase her account, see who opened her record."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from clinic.forms import PasswordConfirmForm
from triage.audit.selectors import audit_event_groups
from triage.audit.writer import Actor
from triage.models import AuditEvent

from .decorators import patient_required
from .gdpr import (
    patient_account_close,
    patient_data_export,
    patient_has_clinical_record,
    patient_self_event,
    staff_access_for,
    staff_name,
)

ACCESS_LOG_PAGE_SIZE = 50


@never_cache
@patient_required
@require_http_methods(["GET", "POST"])
def data_export_view(request):
    """GET explains what the file holds; POST downloads it (and is audit-logged)."""
    patient = request.user.patient
    if request.method == "GET":
        return render(request, "patients/data_export.html")
    patient_self_event(Actor.from_request(request), AuditEvent.Action.DATA_EXPORT, patient)
    data = patient_data_export(patient, language=get_language())
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"my-clinic-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@sensitive_post_parameters("password")
@patient_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request):
    """Close the account after the password is entered again; consent is withdrawn with it.

    The page says first what goes now and what the clinic must keep: it
    depends on whether she has sent a questionnaire. Wrong passwords count
    towards the login lockout; once it locks, the session ends.
    """
    patient = request.user.patient
    keeps_record = patient_has_clinical_record(patient)
    label = _("Close my account") if keeps_record else _("Delete my account and my data")
    form = PasswordConfirmForm(request.POST or None, request=request, submit_label=label)
    valid = request.method == "POST" and form.is_valid()
    if form.locked_out:
        logout(request)  # django-axes' middleware shows the lockout page
        return redirect("login")
    if valid:
        outcome = patient_account_close(patient, Actor.from_request(request))
        logout(request)
        if outcome == "closed":
            messages.success(
                request,
                _(
                    "Your account is closed and your login deleted. The clinic keeps your clinical "
                    "record as the law requires. Thank you for using the portal."
                ),
            )
        else:
            messages.success(
                request, _("Your account and your data have been deleted. Thank you for using the portal.")
            )
        return redirect("login")
    context = {
        "form": form,
        "keeps_record": keeps_record,
        "retention_years": settings.CLINICAL_RECORD_RETENTION_YEARS,
    }
    return render(request, "patients/account_delete.html", context)


@never_cache
@patient_required
@require_http_methods(["GET"])
def access_log_view(request):
    """Who on the staff opened or changed her record, and when (from the audit trail).

    Repeated views by one person within minutes read as one line, so the
    pages count lines rather than events.
    """
    groups = audit_event_groups(staff_access_for(request.user.patient).iterator(chunk_size=500))
    page = Paginator(groups, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(group, staff_name(group.last)) for group in page]
    return render(request, "patients/access_log.html", {"page": page, "rows": rows})
