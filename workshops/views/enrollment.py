"""Enrollment pages: enrolling (with the school picker), cancelling, a teacher's workshops,
and a partner's roster in its workspace (move, cancel, CSV)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from core.spreadsheets import csv_response, spreadsheet_safe
from partners.workspace import Workspace, workspace_view

from .. import enrollment as services
from ..forms_enrollment import EnrollmentForm, MoveForm, SchoolSearchForm
from ..models import Enrollment, EnrollmentStatus, Workshop, WorkshopState
from ..scheduling import (
    effective_state,
    effective_state_label,
    open_q,
    session_times,
    viewer_time_zone,
)

# --- Helpers -------------------------------------------------------------------------------


def _public_workshop(user, pk: int) -> Workshop:
    return get_object_or_404(
        Workshop.objects.visible_to(user).select_related(
            "course", "kind", "partner", "reserved_for", "zip_code"
        ),
        pk=pk,
    )


# --- Teachers ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def enroll(request, pk: int):
    """GET: the enrollment form with a school search; POST: enroll (or join the waitlist)."""
    workshop = _public_workshop(request.user, pk)
    user = request.user
    current = workshop.enrollments.filter(teacher=user, status__in=services.ACTIVE).first()
    if current is not None:
        position = services.waitlist_position(current)
        messages.info(
            request,
            f"You are on the waitlist of this workshop (position {position})."
            if position
            else "You are enrolled in this workshop.",
        )
        return redirect(workshop)
    if not services.is_teacher(user):
        messages.error(request, "Only teachers can enroll in workshops.")
        return redirect(workshop)
    closed = services.enrollment_closed_reason(workshop)
    if closed:
        messages.error(request, closed)
        return redirect(workshop)

    search = SchoolSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    allow_unlisted = not workshop.reserved_for_id
    chosen = None
    if request.method == "POST":
        raw = request.POST.get("school", "")
        if raw.isdigit() and len(raw) < 12:
            chosen = services.active_schools().filter(pk=int(raw)).first()
        schools = services.school_choices(workshop, user, include=chosen)
        form = EnrollmentForm(request.POST, schools=schools, allow_unlisted=allow_unlisted)
        if form.is_valid():
            try:
                enrollment = services.enrollment_create(
                    workshop=workshop, teacher=user, **form.service_kwargs()
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_errors(form, error, denied="You cannot do this.")
            else:
                if enrollment.status == EnrollmentStatus.WAITLISTED:
                    position = services.waitlist_position(enrollment)
                    messages.success(
                        request,
                        f"The workshop is full: you are on the waitlist (position {position}). "
                        "We have emailed you the details.",
                    )
                else:
                    messages.success(request, "You are enrolled. We have emailed you the details.")
                return redirect(workshop)
    else:
        schools = services.school_choices(workshop, user, query=query)
        form = EnrollmentForm(
            schools=schools, allow_unlisted=allow_unlisted, initial=services.initial_school(user)
        )
    return render(
        request,
        "workshops/enrollment/enroll.html",
        {
            "workshop": workshop,
            "form": form,
            "search": search if request.method == "GET" else SchoolSearchForm(),
            "query": query,
            "no_match": bool(query) and not services.school_search(query, workshop=workshop),
            "places_left": services.places_left(workshop),
            "sessions": services.session_lines(workshop),
            "zone_label": services.zone_label(workshop),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, pk: int):
    """A teacher cancels their own place or waitlist spot, after a confirmation step."""
    workshop = _public_workshop(request.user, pk)
    enrollment = workshop.enrollments.filter(
        teacher=request.user, status__in=services.ACTIVE
    ).first()
    if enrollment is None:
        messages.error(request, "You have no place in this workshop to cancel.")
        return redirect(workshop)
    if effective_state(workshop) != WorkshopState.PUBLISHED:
        # No confirmation that would be refused (enrollment_cancel says the same).
        messages.error(
            request,
            "The workshop has started or is over: enrollments can no longer be cancelled.",
        )
        return redirect(workshop)
    if request.method == "POST":
        try:
            services.enrollment_cancel(enrollment=enrollment, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"Your enrollment in {workshop.display_title} is cancelled.")
        return redirect(workshop)
    return render(
        request,
        "workshops/enrollment/cancel.html",
        {
            "workshop": workshop,
            "enrollment": enrollment,
            "position": services.waitlist_position(enrollment),
            "sessions": services.session_lines(workshop),
        },
    )


@login_required
def mine(request):
    """A teacher's workshops: upcoming, waitlisted and past (with certificate, survey and
    teaching report for those attended)."""
    workshops = services.teacher_workshops(request.user)
    # Like the workshop's page: its own zone, and the teacher's times when theirs differs.
    viewer_zone = viewer_time_zone(request.user)
    for rows in (workshops.upcoming, workshops.waitlisted, workshops.past):
        for enrollment in rows:
            enrollment.session_rows = session_times(enrollment.workshop, viewer_zone)
    return render(
        request,
        "workshops/enrollment/mine.html",
        {"workshops": workshops, "viewer_zone": viewer_zone},
    )


# --- The partner workspace -----------------------------------------------------------------


def _partner_workshop(ws: Workspace, pk: int) -> Workshop:
    return get_object_or_404(
        Workshop.objects.filter(partner=ws.partner).select_related("course", "kind"), pk=pk
    )


@workspace_view("workshops")
def roster(request, ws: Workspace, pk: int):
    """Enrolled and waitlisted people of one of the partner's workshops."""
    workshop = _partner_workshop(ws, pk)
    rows = services.roster(workshop)
    enrolled = [r for r in rows if r.status == EnrollmentStatus.ENROLLED]
    waiting = [r for r in rows if r.status == EnrollmentStatus.WAITLISTED]
    state = effective_state(workshop)
    return render(
        request,
        "workshops/enrollment/roster.html",
        {
            "ws": ws,
            "workshop": workshop,
            "enrolled": enrolled,
            "waiting": waiting,
            "places_left": max(workshop.capacity - len(enrolled), 0),
            "state_label": effective_state_label(state),
            "zone_label": services.zone_label(workshop),
            # By the clock: an ended workshop's roster no longer changes.
            "can_change": ws.can_edit and state in services.RUNNING,
        },
    )


@workspace_view("workshops")
def roster_csv(request, ws: Workspace, pk: int):
    workshop = _partner_workshop(ws, pk)
    response = csv_response(f"workshop-{workshop.pk}-roster.csv")
    writer = csv.writer(response)
    zone = workshop.zone
    writer.writerow(
        [
            "Name",
            "Email",
            "School",
            "NCES id",
            "Status",
            "Waitlist position",
            # ISO 8601 with the offset, in the workshop's zone (named here).
            f"Enrolled or waitlisted at ({workshop.time_zone})",
        ]
    )
    for row in services.roster(workshop):
        at = row.enrolled_at if row.status == EnrollmentStatus.ENROLLED else row.waitlisted_at
        writer.writerow(
            [
                spreadsheet_safe(row.teacher.get_full_name()),
                spreadsheet_safe(row.teacher.email),
                spreadsheet_safe(row.school_display),
                spreadsheet_safe(row.school.nces_id if row.school_id else ""),
                row.get_status_display(),
                row.position or "",
                at.astimezone(zone).isoformat(timespec="minutes") if at else "",
            ]
        )
    return response


def _over(request, ws: Workspace, workshop: Workshop):
    """A redirect to the roster with the reason when the workshop has ended (by the clock):
    no form that would be refused. None while its enrollments can still change."""
    if effective_state(workshop) in services.RUNNING:
        return None
    messages.error(request, "This workshop is over: its enrollments can no longer change.")
    return redirect("partner_enrollments:roster", slug=ws.partner.slug, pk=workshop.pk)


def _roster_row(workshop: Workshop, enrollment_pk: int) -> Enrollment:
    return get_object_or_404(
        workshop.enrollments.filter(status__in=services.ACTIVE).select_related("teacher"),
        pk=enrollment_pk,
    )


@workspace_view("workshops", edit=True)
@require_http_methods(["GET", "POST"])
def roster_move(request, ws: Workspace, pk: int, enrollment_pk: int):
    workshop = _partner_workshop(ws, pk)
    enrollment = _roster_row(workshop, enrollment_pk)
    if (over := _over(request, ws, workshop)) is not None:
        return over
    targets = (
        # Not ended by the clock (a session still to end), whatever the stored state says.
        Workshop.objects.filter(partner=ws.partner, state__in=services.RUNNING)
        .filter(open_q(timezone.now()))
        .exclude(pk=workshop.pk)
        .select_related("course", "kind")
        .annotate(first_date=Min("sessions__date"))
        .order_by("first_date", "pk")
    )
    form = MoveForm(request.POST or None, workshops=targets)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.enrollment_move(
                enrollment=enrollment,
                to_workshop=form.cleaned_data["to_workshop"],
                user=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error, denied="You cannot do this.")
        else:
            where = "enrolled" if moved.status == EnrollmentStatus.ENROLLED else "waitlisted"
            messages.success(
                request,
                f"{enrollment.teacher} is moved to {moved.workshop.display_title} ({where}).",
            )
            return redirect("partner_enrollments:roster", slug=ws.partner.slug, pk=workshop.pk)
    return render(
        request,
        "workshops/enrollment/move.html",
        {"ws": ws, "workshop": workshop, "enrollment": enrollment, "form": form},
    )


@workspace_view("workshops", edit=True)
@require_http_methods(["GET", "POST"])
def roster_cancel(request, ws: Workspace, pk: int, enrollment_pk: int):
    workshop = _partner_workshop(ws, pk)
    enrollment = _roster_row(workshop, enrollment_pk)
    if (over := _over(request, ws, workshop)) is not None:
        return over
    if request.method == "POST":
        try:
            services.enrollment_cancel(enrollment=enrollment, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"{enrollment.teacher}'s enrollment is cancelled.")
        return redirect("partner_enrollments:roster", slug=ws.partner.slug, pk=workshop.pk)
    return render(
        request,
        "workshops/enrollment/roster_cancel.html",
        {
            "ws": ws,
            "workshop": workshop,
            "enrollment": enrollment,
            "position": services.waitlist_position(enrollment),
        },
    )
