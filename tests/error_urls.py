"""The project's URLs plus one view that fails, to see the 500 page as a visitor would."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from clinic.urls import handler500  # noqa: F401 - the project's failure page
from clinic.urls import urlpatterns as project_urlpatterns


@login_not_required
def failing_view(request):
    raise RuntimeError("a failure for the error page test")


urlpatterns = [path("fails/", failing_view), *project_urlpatterns]
