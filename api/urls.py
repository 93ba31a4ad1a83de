from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from applications.api import ApplicationViewSet

from .views import NotFoundView, PartnerViewSet, RegionViewSet, ZipLookupView

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("partners", PartnerViewSet, basename="partner")
router.register("applications", ApplicationViewSet, basename="application")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("regions/lookup/", ZipLookupView.as_view(), name="regions-lookup"),
    # A partner's records, scoped like the workspace pages (see api.scoping).
    path("partners/<int:partner_pk>/", include("partners.api_urls")),
    path("partners/<int:partner_pk>/", include("districts.api_urls")),
    path("partners/<int:partner_pk>/", include("facilitators.api_urls")),
    path("partners/<int:partner_pk>/", include("events.api_urls")),
    path("workshops/", include("workshops.api_urls_enrollment")),
    path("workshops/", include("workshops.api_urls_attendance")),
    path("workshops/", include("workshops.api_urls")),
    path("surveys/", include("surveys.api_urls")),
    path("funding/", include("funding.api_urls_awards")),
    path("funding/", include("funding.api_urls_spending")),
    path("metrics/", include("metrics.api_urls")),
    path("", include(router.urls)),
    # Any other address under /api/v1/ (ending in a slash: APPEND_SLASH still adds a missing
    # one) answers the API's JSON 404, never the site's HTML page.
    re_path(r"^(?P<unknown>[\s\S]+/)$", NotFoundView.as_view(), name="not-found"),
]
