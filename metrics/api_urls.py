"""Routes under /api/v1/metrics/ (see metrics.api). Route names start with `metrics-`."""

from django.urls import path

from .api import PartnerMetricsDetailView, PartnerMetricsListView, PartnerTargetsView

urlpatterns = [
    path("partners/", PartnerMetricsListView.as_view(), name="metrics-partners"),
    path("partners/<int:pk>/", PartnerMetricsDetailView.as_view(), name="metrics-partner"),
    path(
        "partners/<int:pk>/targets/", PartnerTargetsView.as_view(), name="metrics-partner-targets"
    ),
]
