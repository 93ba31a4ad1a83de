"""/events/: the public list and pages, registering, running events, the office's report."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("attendance/", views.attendance_report, name="report"),
    path("attendance/report.csv", views.attendance_report_csv, name="report_csv"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/register/", views.event_register, name="register"),
    path("<int:pk>/cancel/", views.registration_cancel, name="cancel"),
    path("<int:pk>/edit/", views.event_update, name="update"),
    path("<int:pk>/delete/", views.event_delete, name="delete"),
    path("<int:pk>/attendance/", views.event_attendance, name="attendance"),
]
