"""Pages of the project itself, outside any app: the refused form (CSRF failure), the failure page."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from .models import cached_clinic_profile


def csrf_failure(request, reason=""):
    """Django's CSRF refusal as the portal's styled 403 page, with what to do next.

    The reason (a missing cookie, a bad token) is for developers and is not shown.
    """
    return render(request, "403.html", {"csrf_failure": True}, status=403)


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """Django's 500 page, with the clinic's phone and emergency numbers when the cache has the profile.

    Nothing here may need the database, the session or the user: the failure may be theirs. The
    profile is read from the cache only; without it the page names 112 and 118 and the footer's place.
    """
    template = loader.get_template(template_name)
    return HttpResponseServerError(template.render({"clinic": cached_clinic_profile()}))
