from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from core.views import favicon, healthz, livez

admin.site.site_header = "PartnerHub administration"
admin.site.site_title = "PartnerHub admin"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="pages:program", permanent=False)),
    path("educate/regional-partner/partners/", include("partners.urls")),
    path("educate/regional-partner/apply/", include("applications.urls_apply")),
    path("educate/regional-partner/", include("pages.urls")),
    path("manage/regions/", include("geography.urls")),
    path("manage/applications/", include("applications.urls_review")),
    path("manage/partners/", include("partners.urls_workspace")),
    path("manage/partners/<slug:slug>/districts/", include("districts.urls")),
    path("manage/partners/<slug:slug>/facilitators/", include("facilitators.urls_roster")),
    path("manage/partners/<slug:slug>/events/", include("events.urls_partner")),
    path("manage/partners/<slug:slug>/workshops/", include("workshops.urls_manage")),
    path("manage/partners/<slug:slug>/workshops/", include("workshops.urls_manage_enrollment")),
    path("manage/partners/<slug:slug>/funding/", include("funding.urls_partner")),
    path("manage/funding/", include("funding.urls")),
    path("manage/metrics/", include("metrics.urls")),
    path("manage/facilitators/", include("facilitators.urls")),
    path("manage/audit/", include("core.urls_audit")),
    path("workshops/", include("workshops.urls")),
    path("surveys/", include("surveys.urls")),
    path("events/", include("events.urls")),
    path("api/v1/", include("api.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("favicon.ico", favicon, name="favicon"),
]

handler500 = "core.views.server_error"
