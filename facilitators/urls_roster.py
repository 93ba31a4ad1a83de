"""/manage/partners/<slug>/facilitators/: a partner's roster, in the workspace."""

from django.urls import path

from . import views

app_name = "roster"

urlpatterns = [
    path("", views.roster, name="list"),
    path("add/", views.roster_add, name="add"),
    path("<int:member_id>/remove/", views.roster_remove, name="remove"),
]
