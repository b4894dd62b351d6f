"""The portal's URLs plus the benchmark's baseline views."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/ping/", views.ping_view, name="bench_ping"),
    path("bench/ping-user/", views.ping_user_view, name="bench_ping_user"),
    path("", include("clinic.urls")),
]
