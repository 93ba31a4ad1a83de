"""A partner's funding pages, mounted at /manage/partners/<slug:slug>/funding/."""

from django.urls import path

from . import views_spending as views

app_name = "partner_funding"

REPORT = "reports/<int:pk>/"
LINE = REPORT + "lines/<int:line_pk>/"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("reports/new/", views.report_create, name="report_new"),
    path(REPORT, views.report_detail, name="report"),
    path(REPORT + "submit/", views.report_submit, name="report_submit"),
    path(REPORT + "delete/", views.report_delete, name="report_delete"),
    path(REPORT + "lines/", views.line_add, name="line_add"),
    path(LINE + "edit/", views.line_edit, name="line_edit"),
    path(LINE + "delete/", views.line_delete, name="line_delete"),
    path(LINE + "receipts/", views.receipt_add, name="receipt_add"),
    path(LINE + "receipts/<int:receipt_pk>/", views.receipt_download, name="receipt"),
    path(LINE + "receipts/<int:receipt_pk>/delete/", views.receipt_delete, name="receipt_delete"),
    path("independent/", views.independent_add, name="independent_add"),
    path("independent/<int:pk>/", views.independent_edit, name="independent_edit"),
    path("independent/<int:pk>/delete/", views.independent_delete, name="independent_delete"),
]
