"""/api/v1/partners/<partner_pk>/... routes of this app: events/ and registrations/."""

from rest_framework.routers import SimpleRouter

from .api import PartnerEventViewSet, PartnerRegistrationViewSet

router = SimpleRouter()
router.register("events", PartnerEventViewSet, basename="partner-event")
router.register("registrations", PartnerRegistrationViewSet, basename="partner-event-registration")

urlpatterns = router.urls
