"""The applicant's pages, under /educate/regional-partner/apply/ (the landing page itself is
pages:apply)."""

from django.urls import path

from .views import apply as views
from .views import invitations

app_name = "apply"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("invitation/<str:token>/", invitations.invitation, name="invitation"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/waitlist/", views.waitlist, name="waitlist"),
    path("<int:pk>/<slug:section>/", views.section, name="section"),
]
