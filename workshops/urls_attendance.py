"""/workshops/ routes for attendance, check-in, certificates and teaching reports."""

from django.urls import path

from .views import attendance as views

urlpatterns = [
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("certificates/<uuid:code>/", views.verify, name="verify"),
    path("teaching/", views.teaching_report, name="teaching_report"),
    path("facilitating/", views.facilitating, name="facilitating"),
]
