"""The two baselines every page is compared with: the framework's ceiling and a logged-in ceiling."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def ping_view(request):
    """Touches no database: the most any view can do through this middleware stack."""
    return HttpResponse(b"ok", content_type="text/plain")


@never_cache
@require_GET
def ping_user_view(request):
    """Loads the session and the user and nothing else: the ceiling for a page behind login."""
    return HttpResponse(str(request.user.pk).encode(), content_type="text/plain")
