"""/manage/audit/: the audit trail browser (program admins)."""

from django.urls import path

from . import views_audit

app_name = "audit"

urlpatterns = [
    path("", views_audit.log, name="log"),
]
