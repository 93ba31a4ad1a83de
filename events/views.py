"""Program event pages: the public list and detail, registering, running an event, the
office's attendance report, and a partner's events in its workspace."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors
from core.program_years import program_year_bounds, program_year_for
from core.spreadsheets import csv_response, spreadsheet_safe
from partners.models import Partner
from partners.workspace import Workspace, workspace_view

from . import services
from .filters import EventFilterSet
from .forms import AttendanceForm, EventForm, RegistrationForm, ReportYearForm
from .models import Event, EventKind, EventRegistration, RegistrationStatus
from .selectors import (
    can_create_events,
    can_see_online_link,
    eligibility,
    event_is_managed_by,
    event_registrations,
    event_schedule,
    events_managed_by,
    events_open_to_partner,
    events_visible_to,
    managed_partner_ids,
    places_left,
    registrations_for_partner,
    report_partners_for,
    role_label,
    summit_attendance_report,
)

LIST_PAGE_SIZE = 25


def _host_partners(user):
    if user.is_program_admin:
        return Partner.objects.exclude(status=Partner.Status.INACTIVE).order_by("name")
    return Partner.objects.filter(pk__in=managed_partner_ids(user)).order_by("name")


# --- Public pages --------------------------------------------------------------------------


def event_list(request):
    filterset = EventFilterSet(request.GET, queryset=events_visible_to(request.user))
    events = filterset.qs if filterset.is_valid() else filterset.queryset.upcoming()
    page = Paginator(events, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.places_left = places_left(event)
        event.schedule = event_schedule(event)
    return render(
        request,
        "events/event_list.html",
        {"filter": filterset, "page": page, "can_create": can_create_events(request.user)},
    )


def _detail_context(request, event: Event, form: RegistrationForm | None = None) -> dict:
    decision = eligibility(event, request.user)
    if form is None and decision.allowed:
        form = RegistrationForm(partners=decision.partners, needs_zip=decision.needs_zip)
    managed = event_is_managed_by(event, request.user)
    registrations = None
    if managed:
        registrations = list(event_registrations(event))
        for registration in registrations:
            registration.role_label = role_label(registration.role)
    return {
        "event": event,
        "schedule": event_schedule(event),
        "places_left": places_left(event),
        "decision": decision,
        "form": form if decision.allowed else None,
        "show_link": can_see_online_link(event, request.user, decision.registration),
        "can_manage": managed,
        "registrations": registrations,
        "has_started": event.starts_on <= timezone.localdate(),
    }


def event_detail(request, pk: int):
    event = get_object_or_404(events_visible_to(request.user), pk=pk)
    return render(request, "events/event_detail.html", _detail_context(request, event))


@login_required
@require_POST
def event_register(request, pk: int):
    event = get_object_or_404(events_visible_to(request.user), pk=pk)
    decision = eligibility(event, request.user)
    form = RegistrationForm(request.POST, partners=decision.partners, needs_zip=decision.needs_zip)
    if form.is_valid():
        try:
            registration = services.registration_create(
                event=event,
                user=request.user,
                partner=form.cleaned_data.get("partner"),
                zip_code=form.cleaned_data.get("zip_code"),
            )
        except ValidationError as error:
            if decision.allowed:
                add_service_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect(event)
        else:
            if registration.status == RegistrationStatus.WAITLISTED:
                messages.success(request, "The event is full: you are on the waitlist.")
            else:
                messages.success(request, f"You are registered for {event.name}.")
            return redirect(event)
    if not decision.allowed:
        # Nothing to correct in a form: say why (already registered, closed, not eligible).
        messages.error(request, decision.reason)
        return redirect(event)
    event = get_object_or_404(events_visible_to(request.user), pk=pk)
    return render(request, "events/event_detail.html", _detail_context(request, event, form))


@login_required
@require_http_methods(["GET", "POST"])
def registration_cancel(request, pk: int):
    """Cancel one's own place, after a confirmation step."""
    event = get_object_or_404(events_visible_to(request.user), pk=pk)
    registration = (
        EventRegistration.objects.filter(event=event, user=request.user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if registration is None:
        messages.error(request, "You have no registration for this event to cancel.")
        return redirect(event)
    if request.method == "POST":
        try:
            services.registration_cancel(registration=registration, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Your registration for {event.name} is cancelled.")
        return redirect(event)
    return render(
        request,
        "events/registration_cancel.html",
        {"event": event, "registration": registration, "schedule": event_schedule(event)},
    )


# --- Running events ------------------------------------------------------------------------


@login_required
def event_create(request):
    if not can_create_events(request.user):
        raise Http404
    hosts = _host_partners(request.user)
    initial = {}
    wanted = request.GET.get("partner")
    if wanted:
        host = hosts.filter(slug=wanted).first()
        if host is not None:
            initial = {"host_partner": host, "kind": EventKind.MEETUP}
    form = EventForm(request.POST or None, initial=initial, user=request.user, host_partners=hosts)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(user=request.user, data=form.service_data())
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{event.name}” is created.")
            return redirect(event)
    return render(request, "events/event_form.html", {"form": form, "event": None})


@login_required
def event_update(request, pk: int):
    event = get_object_or_404(events_managed_by(request.user), pk=pk)
    form = EventForm(
        request.POST or None,
        instance=event,
        user=request.user,
        host_partners=_host_partners(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_update(event=event, user=request.user, data=form.service_data())
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{event.name}” is saved.")
            return redirect(event)
    return render(
        request,
        "events/event_form.html",
        {"form": form, "event": get_object_or_404(Event, pk=pk)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_delete(request, pk: int):
    event = get_object_or_404(events_managed_by(request.user), pk=pk)
    active = event.registrations.exclude(status=RegistrationStatus.CANCELLED).count()
    if request.method == "POST":
        name, host = event.name, event.host_partner
        try:
            services.event_delete(event=event, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(event)
        messages.success(request, f"“{name}” is deleted.")
        if host is not None and not request.user.is_program_admin:
            return redirect("partner_events:list", slug=host.slug)
        return redirect("events:list")
    return render(request, "events/event_delete.html", {"event": event, "active": active})


@login_required
def event_attendance(request, pk: int):
    event = get_object_or_404(events_managed_by(request.user), pk=pk)
    registered = event_registrations(event).filter(status=RegistrationStatus.REGISTERED)
    form = AttendanceForm(request.POST or None, registrations=registered)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.attendance_mark(
                event=event, user=request.user, attended_ids=form.attended_ids()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Attendance is saved ({changed} change{'s' if changed != 1 else ''})."
            )
            return redirect("events:attendance", pk=event.pk)
    return render(
        request,
        "events/event_attendance.html",
        {
            "event": event,
            "form": form,
            "schedule": event_schedule(event),
            "not_yet": event.starts_on > timezone.localdate(),
            "attended_count": sum(1 for r in form.registrations if r.attended),
        },
    )


# --- The office's report -------------------------------------------------------------------


def _report(request):
    partners = report_partners_for(request.user)
    if partners is None:
        raise Http404
    today = timezone.localdate()
    form = ReportYearForm(request.GET or None, today=today)
    year = form.year(today)
    return form, summit_attendance_report(partners, year, today=today)


@login_required
def attendance_report(request):
    form, report = _report(request)
    return render(request, "events/attendance_report.html", {"form": form, "report": report})


@login_required
def attendance_report_csv(request):
    _form, report = _report(request)
    response = csv_response(f"event-attendance-{report.program_year}.csv")
    writer = csv.writer(response)
    header = ["Partner", "Status"]
    for summit in report.summits:
        header.append(f"{summit.name} ({summit.starts_on:%Y-%m-%d}): program manager attended")
    for conference in report.conferences:
        label = f"{conference.name} ({conference.starts_on:%Y-%m-%d})"
        header += [f"{label}: teachers attended", f"{label}: teachers registered"]
    writer.writerow([spreadsheet_safe(h) for h in header])
    for row in report.rows:
        line = [spreadsheet_safe(row.partner.name), row.partner.get_status_display()]
        line += [cell.label for cell in row.summits]
        for cell in row.conferences:
            line += [cell.attended, cell.registered]
        writer.writerow(line)
    return response


# --- The partner workspace -----------------------------------------------------------------


@workspace_view("events")
def partner_events(request, ws: Workspace):
    partner = ws.partner
    today = timezone.localdate()
    year = program_year_for(today)
    first, last = program_year_bounds(year)
    registrations = list(
        registrations_for_partner(partner)
        .filter(
            event__kind__in=(EventKind.SUMMIT, EventKind.TEACHER_CONFERENCE),
            event__starts_on__gte=first,
            event__starts_on__lte=last,
        )
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by("event__starts_on", "event__name", "user__last_name", "pk")
    )
    for registration in registrations:
        registration.role_label = role_label(registration.role)
    hosted = list(
        partner.hosted_events.annotate(
            registered_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
            ),
            attended_count=Count("registrations", filter=Q(registrations__attended=True)),
        ).order_by("-starts_on", "name")
    )
    can_edit_meetups = request.user.is_program_admin or (
        request.user.is_program_manager and partner.pk in managed_partner_ids(request.user)
    )
    open_events = list(events_open_to_partner(partner, today=today))
    for event in [*hosted, *open_events]:
        event.schedule = event_schedule(event)
    return render(
        request,
        "events/partner_events.html",
        {
            "ws": ws,
            "program_year": year,
            "registrations": registrations,
            "hosted": hosted,
            "open_events": open_events,
            "can_edit_meetups": can_edit_meetups,
            "today": today,
        },
    )
