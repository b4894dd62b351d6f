from django.urls import path

from . import views

urlpatterns = [
    path("health/", views.readiness_view, name="health"),
    path("health/live/", views.liveness_view, name="health_live"),
]
