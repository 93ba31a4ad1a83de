"""/api/v1/partners/<partner_pk>/... routes of this app."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import CheckInNoteViewSet, CommitmentsView, ProgramManagerViewSet

router = SimpleRouter()
router.register("program-managers", ProgramManagerViewSet, basename="partner-program-manager")
router.register("check-ins", CheckInNoteViewSet, basename="partner-check-in")

urlpatterns = [
    path("commitments/", CommitmentsView.as_view(), name="partner-commitments"),
    *router.urls,
]
