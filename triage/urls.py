from django.urls import path

from .cases import fhir_views, print_views
from .cases import views as case_views
from .fhir.export import QUESTIONNAIRE_ID
from .visits import views as visit_views
from .worklist import views as worklist_views

app_name = "triage"

urlpatterns = [
    path("dashboard/", worklist_views.dashboard_view, name="dashboard"),
    path("dashboard/export.csv", worklist_views.export_csv_view, name="export_csv"),
    path("dashboard/close-routine/", worklist_views.bulk_close_view, name="bulk_close"),
    path("dashboard/cases/<id:pk>/", case_views.case_detail_view, name="case_detail"),
    path("dashboard/cases/<id:pk>/status/", case_views.case_status_view, name="case_status"),
    path("dashboard/cases/<id:pk>/notes/", case_views.case_note_view, name="case_note"),
    path("dashboard/cases/<id:pk>/contacts/", case_views.case_contact_view, name="case_contact"),
    path("dashboard/cases/<id:pk>/next/", worklist_views.case_next_view, name="case_next"),
    path("dashboard/cases/<id:pk>/messages/", case_views.case_message_view, name="case_message"),
    path("dashboard/cases/<id:pk>/assignment/", case_views.case_assign_view, name="case_assign"),
    path("dashboard/cases/<id:pk>/sign-off/", case_views.case_sign_off_view, name="case_sign_off"),
    path(
        "dashboard/cases/<id:pk>/contact-task/", case_views.case_contact_task_view, name="case_contact_task"
    ),
    path("dashboard/cases/<id:pk>/print/", print_views.case_print_view, name="case_print"),
    path("dashboard/cases/<id:pk>/fhir.json", fhir_views.case_fhir_view, name="case_fhir"),
    path("dashboard/day/", visit_views.day_view, name="visit_day"),
    path("dashboard/day/print/", visit_views.day_print_view, name="visit_day_print"),
    path("dashboard/patients/<id:pk>/", visit_views.patient_view, name="patient_detail"),
    path("dashboard/patients/<id:pk>/visits/", visit_views.visit_book_view, name="visit_book"),
    path("dashboard/visits/<id:pk>/", visit_views.visit_view, name="visit_detail"),
    path("dashboard/visits/<id:pk>/mark/", visit_views.visit_mark_view, name="visit_mark"),
    path("dashboard/visits/import/", visit_views.import_view, name="visit_import"),
    path("dashboard/visits/<id:pk>/match/", visit_views.visit_match_view, name="visit_match"),
    path("dashboard/calendar/", visit_views.calendar_settings_view, name="calendar_settings"),
    # Public, for calendar apps: the secret token is the key (triage.visits.tokens).
    path("calendar/<str:token>.ics", visit_views.calendar_feed_view, name="calendar_feed"),
    # Public: the questionnaire holds no personal data, and its canonical URL is where it is served.
    path(f"fhir/Questionnaire/{QUESTIONNAIRE_ID}", fhir_views.questionnaire_view, name="fhir_questionnaire"),
]
