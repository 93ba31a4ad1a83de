from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<slug:slug>/", views.profile, name="profile"),
    path("<slug:slug>/edit/", views.profile_edit, name="profile_edit"),
]
