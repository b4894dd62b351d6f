from django.urls import path

from clinic.metrics import metrics_view

from . import views

urlpatterns = [
    path("health/", views.readiness_view, name="health"),
    path("health/live/", views.liveness_view, name="health_live"),
    path("metrics/", metrics_view, name="metrics"),
]
