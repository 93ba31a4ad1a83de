"""/workshops/: one namespace, each concern in its own module."""

from django.urls import include, path

app_name = "workshops"

urlpatterns = [
    path("", include("workshops.urls_enrollment")),
    path("", include("workshops.urls_attendance")),
    path("", include("workshops.urls_public")),
]
