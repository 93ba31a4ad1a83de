"""/manage/partners/<slug>/workshops/: a partner's workshops in its workspace."""

from django.urls import path

from .views import manage

app_name = "partner_workshops"

urlpatterns = [
    path("", manage.workshop_list, name="list"),
    path("new/", manage.workshop_new, name="new"),
    path("<int:pk>/", manage.workshop_detail, name="detail"),
    path("<int:pk>/edit/", manage.workshop_edit, name="edit"),
    path("<int:pk>/publish/", manage.workshop_publish_view, name="publish"),
    path("<int:pk>/cancel/", manage.workshop_cancel_view, name="cancel"),
]
