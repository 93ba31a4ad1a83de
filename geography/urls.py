from django.urls import path

from . import views

app_name = "geography"

# services.RESERVED_SLUGS keeps region slugs from shadowing the fixed paths.
urlpatterns = [
    path("", views.region_list, name="region_list"),
    path("new/", views.region_create, name="region_create"),
    path("counties/", views.region_counties, name="region_counties"),
    path("demand/", views.demand, name="demand"),
    path("<slug:slug>/", views.region_detail, name="region_detail"),
    path("<slug:slug>/edit/", views.region_update, name="region_update"),
    path("<slug:slug>/zips/", views.region_zips, name="region_zips"),
]
