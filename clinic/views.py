"""Pages of the project itself, outside any app: the refused form (CSRF failure)."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """Django's CSRF refusal as the portal's styled 403 page, with what to do next.

    The reason (a missing cookie, a bad token) is for developers and is not shown.
    """
    return render(request, "403.html", {"csrf_failure": True}, status=403)
