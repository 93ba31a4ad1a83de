"""The program office's dashboards, at /manage/metrics/ (namespace `metrics`).

A partner's own dashboard, evidence and targets live in its workspace (partners.urls_workspace).
"""

from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.program, name="program"),
    path("quality/", views.quality, name="quality"),
]
