"""/api/v1/partners/<partner_pk>/... routes of this app."""

from rest_framework.routers import SimpleRouter

from .api import CommitmentViewSet, PartnerDistrictViewSet, PartnershipViewSet

router = SimpleRouter()
router.register("districts", PartnerDistrictViewSet, basename="partner-district")
router.register("partnerships", PartnershipViewSet, basename="district-partnership")
router.register(
    r"partnerships/(?P<partnership_pk>[0-9]+)/commitments",
    CommitmentViewSet,
    basename="district-commitment",
)

urlpatterns = router.urls
