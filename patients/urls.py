from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("accounts/profile/", views.profile_view, name="profile"),
]
