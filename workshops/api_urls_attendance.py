"""Routes under /api/v1/workshops/ of this module: a session's attendance."""

from django.urls import path

from .api_attendance import SessionAttendanceView

urlpatterns = [
    path(
        "<int:workshop_pk>/sessions/<int:session_pk>/attendance/",
        SessionAttendanceView.as_view(),
        name="workshop-attendance-session",
    ),
]
