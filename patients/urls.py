from django.urls import path

from . import fhir_views, privacy_views, questionnaire_views, text_views, views

app_name = "patients"

urlpatterns = [
    path("accounts/profile/", views.profile_view, name="profile"),
    path("accounts/profile/email/", views.email_change_view, name="email_change"),
    path("accounts/profile/email/cancel/", views.email_change_cancel_view, name="email_change_cancel"),
    path("accounts/profile/email/send/", views.email_change_send_view, name="email_change_send"),
    path(
        "accounts/profile/email/confirm/<str:uidb64>/<str:token>/",
        views.email_change_confirm_view,
        name="email_change_confirm",
    ),
    path("texts/inbound/", text_views.text_inbound_view, name="text_inbound"),
    path("visits/<id:pk>/calendar.ics", views.visit_calendar_view, name="visit_calendar"),
    path("accounts/data/export/", privacy_views.data_export_view, name="data_export"),
    path("accounts/delete/", privacy_views.account_delete_view, name="account_delete"),
    path("accounts/access-log/", privacy_views.access_log_view, name="access_log"),
    path("questionnaire/", questionnaire_views.submission_list_view, name="submission_list"),
    path("start/", questionnaire_views.start_view, name="start"),
    path("questionnaire/new/", questionnaire_views.submission_edit_view, name="submission_edit"),
    path(
        "questionnaire/new/step/<int:step>/", questionnaire_views.submission_step_view, name="submission_step"
    ),
    path("questionnaire/new/review/", questionnaire_views.submission_review_view, name="submission_review"),
    path("questionnaire/<id:pk>/", questionnaire_views.submission_detail_view, name="submission_detail"),
    path("questionnaire/<id:pk>/reply/", questionnaire_views.submission_reply_view, name="submission_reply"),
    path("questionnaire/<id:pk>/print/", questionnaire_views.submission_print_view, name="submission_print"),
    path("questionnaire/<id:pk>/fhir.json", fhir_views.submission_fhir_view, name="submission_fhir"),
]
