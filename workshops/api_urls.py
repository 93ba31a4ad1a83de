"""Routes under /api/v1/workshops/ of this module: the workshops themselves."""

from rest_framework.routers import SimpleRouter

from .api import WorkshopViewSet

router = SimpleRouter()
router.register("", WorkshopViewSet, basename="workshop")

urlpatterns = router.urls
