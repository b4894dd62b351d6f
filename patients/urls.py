from django.urls import path

from . import questionnaire_views, views

app_name = "patients"

urlpatterns = [
    path("accounts/profile/", views.profile_view, name="profile"),
    path("questionnaire/", questionnaire_views.submission_list_view, name="submission_list"),
    path("questionnaire/new/", questionnaire_views.submission_edit_view, name="submission_edit"),
    path("questionnaire/<int:pk>/", questionnaire_views.submission_detail_view, name="submission_detail"),
]
