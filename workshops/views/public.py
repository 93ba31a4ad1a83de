"""Public workshop pages: the list at /workshops/, one workshop's page, and the iCalendar
feeds (all open workshops, one workshop, one partner's)."""

import datetime

from auditlog.models import LogEntry
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core.fingerprint import tables_fingerprint
from core.page_cache import cache_for_visitors
from partners.models import Partner

from ..calendar import calendar_response
from ..enrollment import enrollment_panel
from ..filters import WorkshopFilterSet
from ..models import Course, Workshop
from ..scheduling import (
    PUBLIC_STATES,
    effective_state,
    effective_state_label,
    open_q,
    places_left,
    public_workshops,
    schedule_summary,
    session_times,
    viewer_time_zone,
    workshop_for_page,
)

LIST_PAGE_SIZE = 20


def _decorate(workshops, now) -> None:
    for workshop in workshops:
        workshop.current_state = effective_state(workshop, now)
        workshop.current_state_label = effective_state_label(workshop.current_state)
        workshop.places_left = places_left(workshop)
        workshop.schedule = schedule_summary(workshop)


def _list_fingerprint() -> str:
    """Changes with the workshops, partners and courses, and with every change the app makes
    to sessions, facilitators and enrollments (all audited: the audit log's newest id)."""
    return tables_fingerprint(Workshop, Partner, Course, newest=(LogEntry,))


# The same for every visitor; a minute behind the clock at most (a workshop stops being open
# when its first session starts), never behind the app's changes.
@cache_for_visitors(_list_fingerprint, clock_seconds=60)
def workshop_list(request):
    filterset = WorkshopFilterSet(request.GET, queryset=Workshop.objects.all())
    workshops = filterset.qs if filterset.is_valid() else public_workshops()
    page = Paginator(workshops, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    _decorate(page, timezone.now())
    return render(
        request,
        "workshops/public/list.html",
        {
            "filter": filterset,
            "page": page,
            "near": filterset.form.cleaned_data.get("zip") if filterset.is_valid() else None,
        },
    )


def workshop_detail(request, pk: int):
    workshop = workshop_for_page(pk, request.user)
    if workshop is None:
        raise Http404
    now = timezone.now()
    state = effective_state(workshop, now)
    is_partner_staff = Partner.objects.visible_to(request.user).filter(pk=workshop.partner_id)
    context = {
        **enrollment_panel(workshop, request.user),
        "workshop": workshop,
        "state": state,
        "state_label": effective_state_label(state),
        "is_public": workshop.state in PUBLIC_STATES,
        "sessions": session_times(workshop, viewer_time_zone(request.user)),
        "places_left": places_left(workshop),
        "facilitators": list(workshop.facilitators.all()),
        "can_see_workspace": is_partner_staff.exists(),
    }
    return render(request, "workshops/public/detail.html", context)


def calendar_all(request):
    workshops = public_workshops({"state": "all"}).filter(open_q(timezone.now()))
    return calendar_response(workshops, name="Regional Partner workshops", filename="workshops.ics")


def calendar_workshop(request, pk: int):
    workshop = workshop_for_page(pk, request.user)
    if workshop is None:
        raise Http404
    return calendar_response(
        [workshop], name=workshop.display_title, filename=f"workshop-{workshop.pk}.ics"
    )


def calendar_partner(request, slug: str):
    partner = get_object_or_404(Partner.objects.public(), slug=slug)
    # A year back and everything ahead: enough for a subscribed calendar, bounded over time.
    since = timezone.localdate() - datetime.timedelta(days=365)
    workshops = public_workshops({"state": "all", "partner": partner, "date_from": since})
    return calendar_response(
        workshops, name=f"{partner.name} workshops", filename=f"{partner.slug}-workshops.ics"
    )
