"""A partner's district partnerships, mounted at /manage/partners/<slug:slug>/districts/."""

from django.urls import path

from . import views

app_name = "districts"

urlpatterns = [
    path("", views.partnership_list, name="list"),
    path("new/", views.partnership_create, name="new"),
    path("<int:pk>/", views.partnership_detail, name="detail"),
    path("<int:pk>/edit/", views.partnership_update, name="edit"),
    path("<int:pk>/delete/", views.partnership_delete, name="delete"),
    path("<int:pk>/commitments/", views.commitment_set, name="commitment_set"),
    path(
        "<int:pk>/commitments/<int:commitment_pk>/edit/",
        views.commitment_update,
        name="commitment_edit",
    ),
    path(
        "<int:pk>/commitments/<int:commitment_pk>/delete/",
        views.commitment_delete,
        name="commitment_delete",
    ),
]
