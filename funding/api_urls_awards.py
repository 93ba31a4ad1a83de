"""Routes under /api/v1/funding/ of this module: awards, their workflow and payments, and the
overview. Route names start with `funding-`."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api_awards import AwardViewSet, OverviewView

router = SimpleRouter()
router.register("awards", AwardViewSet, basename="funding-award")

urlpatterns = [
    path("overview/", OverviewView.as_view(), name="funding-overview"),
    *router.urls,
]
