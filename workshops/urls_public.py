"""/workshops/: the public list, one workshop's page, and the iCalendar feeds."""

from django.urls import path

from .views import public

urlpatterns = [
    path("", public.workshop_list, name="list"),
    path("<int:pk>/", public.workshop_detail, name="detail"),
    path("calendar.ics", public.calendar_all, name="calendar"),
    path("<int:pk>/calendar.ics", public.calendar_workshop, name="workshop_calendar"),
    path("partners/<slug:slug>/calendar.ics", public.calendar_partner, name="partner_calendar"),
]
