"""/api/v1/workshops/<workshop_pk>/enrollments/: list, enroll, one, and cancel."""

from rest_framework.routers import SimpleRouter

from .api_enrollment import WorkshopEnrollmentViewSet

router = SimpleRouter()
router.register(
    r"(?P<workshop_pk>[0-9]+)/enrollments",
    WorkshopEnrollmentViewSet,
    basename="workshop-enrollment",
)

urlpatterns = router.urls
