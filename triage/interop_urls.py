"""Exchange with other systems: FHIR resources and the printable case summary."""

from django.urls import path

from . import fhir, fhir_views, print_views

app_name = "interop"

urlpatterns = [
    path(
        f"fhir/Questionnaire/{fhir.QUESTIONNAIRE_ID}",
        fhir_views.questionnaire_view,
        name="fhir_questionnaire",
    ),
    path("questionnaire/<id:pk>/fhir.json", fhir_views.submission_fhir_view, name="submission_fhir"),
    path("dashboard/cases/<id:pk>/fhir.json", fhir_views.case_fhir_view, name="case_fhir"),
    path("dashboard/cases/<id:pk>/print/", print_views.case_print_view, name="case_print"),
]
