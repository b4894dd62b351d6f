"""The doctor's pages."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


@permission_required("triage.view_queue", raise_exception=True)
@require_http_methods(["GET"])
def dashboard_view(request):
    return render(request, "triage/dashboard.html")
