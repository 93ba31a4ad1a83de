"""Routes under /api/v1/funding/ of this module: a partner's spending reports, independent
funding and sustainability, and cost per teacher across the partners in scope."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api_spending import (
    CostPerTeacherView,
    IndependentFundingViewSet,
    SpendingReportViewSet,
    SustainabilityViewSet,
)

router = SimpleRouter()
router.register("spending-reports", SpendingReportViewSet, basename="funding-spending-report")
router.register(
    "independent-funding", IndependentFundingViewSet, basename="funding-independent-funding"
)
router.register("sustainability", SustainabilityViewSet, basename="funding-sustainability")

urlpatterns = [
    path("partners/<int:partner_pk>/", include(router.urls)),
    path("cost-per-teacher/", CostPerTeacherView.as_view(), name="funding-cost-per-teacher"),
]
