"""iCalendar feeds of workshops: one VEVENT per session, in the workshop's own zone (TZID),
with the VTIMEZONE definitions calendar programs need."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Workshop, WorkshopState

STATUS = {WorkshopState.CANCELLED: "CANCELLED", WorkshopState.DRAFT: "TENTATIVE"}
PRODID = "-//PartnerHub//Regional Partner Program workshops//EN"


def _location(workshop: Workshop) -> str:
    if workshop.is_online:
        return "Online"
    parts = [workshop.venue, workshop.address, workshop.city]
    if workshop.zip_code_id:
        parts.append(f"{workshop.zip_code.state.code} {workshop.zip_code.code}")
    return ", ".join(p for p in parts if p)


def workshops_calendar(workshops: Iterable[Workshop], *, name: str) -> bytes:
    """An iCalendar file of the workshops' sessions (prefetch sessions, partner, zip)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(datetime.UTC)
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "partnerhub"
    for workshop in workshops:
        sessions = list(workshop.sessions.all())
        url = f"{settings.SITE_URL}{workshop.get_absolute_url()}"
        for number, session in enumerate(sessions, start=1):
            event = Event()
            event.add("uid", f"workshop-{workshop.pk}-session-{session.pk}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", session.starts_at)
            event.add("dtend", session.ends_at)
            title = workshop.display_title
            if len(sessions) > 1:
                title = f"{title} (session {number} of {len(sessions)})"
            event.add("summary", title)
            event.add("location", _location(workshop))
            event.add("url", url)
            event.add(
                "description",
                f"{workshop.partner.name}\n{workshop.course.name}: {workshop.kind.name}\n{url}",
            )
            event.add("status", STATUS.get(workshop.state, "CONFIRMED"))
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_response(workshops: Iterable[Workshop], *, name: str, filename: str) -> HttpResponse:
    response = HttpResponse(
        workshops_calendar(workshops, name=name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
