from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("dashboard/export.csv", views.export_csv_view, name="export_csv"),
    path("dashboard/cases/<id:pk>/", views.case_detail_view, name="case_detail"),
    path("dashboard/cases/<id:pk>/status/", views.case_status_view, name="case_status"),
    path("dashboard/cases/<id:pk>/notes/", views.case_note_view, name="case_note"),
    path("dashboard/cases/<id:pk>/next/", views.case_next_view, name="case_next"),
]
