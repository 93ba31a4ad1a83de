"""/manage/partners/<slug>/events/: a partner's events in its workspace."""

from django.urls import path

from . import views

app_name = "partner_events"

urlpatterns = [
    path("", views.partner_events, name="list"),
]
