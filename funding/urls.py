"""The program office's funding pages, at /manage/funding/ (namespace `funding`)."""

from django.urls import path

from . import views_awards as views

app_name = "funding"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("awards/new/", views.award_new, name="award_new"),
    path("awards/<int:pk>/", views.award_detail, name="award"),
    path("awards/<int:pk>/lines/", views.award_lines, name="award_lines"),
    path("awards/<int:pk>/propose/", views.award_propose, name="award_propose"),
    path("awards/<int:pk>/approve/", views.award_approve, name="award_approve"),
    path("awards/<int:pk>/return/", views.award_return, name="award_return"),
    path("awards/<int:pk>/close/", views.award_close, name="award_close"),
    path(
        "awards/<int:pk>/disbursements/new/",
        views.disbursement_new,
        name="disbursement_new",
    ),
    path(
        "awards/<int:pk>/disbursements/<int:disbursement_pk>/delete/",
        views.disbursement_delete,
        name="disbursement_delete",
    ),
]
