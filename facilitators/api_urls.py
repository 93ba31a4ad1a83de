"""/api/v1/partners/<partner_pk>/... routes of this app."""

from rest_framework.routers import SimpleRouter

from .api import RosterViewSet

router = SimpleRouter()
router.register("facilitators", RosterViewSet, basename="partner-facilitator")

urlpatterns = router.urls
