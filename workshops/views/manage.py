"""A partner's workshops in its workspace: the list by program year and state, scheduling a
new one, and one workshop's page with edit, publish and cancel (program managers of the
partner and program admins; regional managers read only)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from core.program_years import program_year_choices, program_year_for
from partners.workspace import Workspace, workspace_view

from ..enrollment import enrollment_window, first_session
from ..forms_scheduling import CancelForm, WorkshopForm, session_formset
from ..models import WorkshopState
from ..scheduling import (
    CHANGEABLE_STATES,
    effective_state,
    effective_state_label,
    partner_workshops,
    places_left,
    schedule_summary,
    session_times,
    workshop_cancel,
    workshop_check,
    workshop_create,
    workshop_publish,
    workshop_update,
)

# The order the list shows its groups in: what needs attention first.
GROUP_ORDER = (
    WorkshopState.IN_PROGRESS,
    WorkshopState.PUBLISHED,
    WorkshopState.DRAFT,
    WorkshopState.ENDED,
    WorkshopState.CANCELLED,
)


def _workshop(ws: Workspace, pk: int):
    """One of the partner's workshops, with what its pages show; 404 for anyone else's."""
    return get_object_or_404(partner_workshops(ws.partner), pk=pk)


def _add_errors(form, formset, error: Exception) -> list[str]:
    """A service's refusal next to its field; session problems go above the sessions."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or "You cannot make this change.")
        return []
    session_errors: list[str] = []
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return session_errors
    for name, errors in error.message_dict.items():
        if name == "sessions":
            session_errors += errors
        elif name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, errors)
    return session_errors


def _check_errors(request, ws: Workspace, form, formset, workshop=None) -> list[str]:
    """The form or the sessions have errors: run the service's cross-field checks on what
    did validate and add the problems the fields do not say already, so the page reports
    everything in one pass (not field errors first, then overlaps and accreditation)."""
    formset_ok = formset.is_valid()
    rows = formset.sessions(valid_only=True)
    facilitators = None
    if "facilitators" not in form.errors:
        facilitators = list(getattr(form, "cleaned_data", {}).get("facilitators") or [])
    try:
        found = workshop_check(
            partner=ws.partner,
            user=request.user,
            data=form.valid_data(),
            sessions=rows,
            facilitators=facilitators,
            workshop=workshop,
        )
    except (ValidationError, PermissionDenied):
        return []
    session_errors: list[str] = []
    for name, errors in found.items():
        if name == "sessions":
            # With a broken session row, "add a session" is not the problem: the row is.
            if rows or formset_ok:
                session_errors += errors
        elif name in form.fields:
            if name not in form.errors:  # the field's own error says it already
                form.add_error(name, errors)
        else:
            form.add_error(None, errors)
    return session_errors


@workspace_view("workshops")
def workshop_list(request, ws: Workspace):
    today = timezone.localdate()
    choices = program_year_choices(today, before=2, after=1)
    year = request.GET.get("year")
    if year not in dict(choices):
        year = program_year_for(today)
    now = timezone.now()
    groups = {state: [] for state in GROUP_ORDER}
    for workshop in partner_workshops(ws.partner, year):
        workshop.current_state = effective_state(workshop, now)
        workshop.current_state_label = effective_state_label(workshop.current_state)
        workshop.schedule = schedule_summary(workshop)
        workshop.places_left = places_left(workshop)
        groups[workshop.current_state].append(workshop)
    return render(
        request,
        "workshops/manage/list.html",
        {
            "ws": ws,
            "year": year,
            "year_choices": choices,
            "groups": [
                (state, effective_state_label(state), rows) for state, rows in groups.items()
            ],
            "total": sum(len(rows) for rows in groups.values()),
        },
    )


def _form_page(request, ws: Workspace, form, formset, workshop=None, session_errors=()):
    return render(
        request,
        "workshops/manage/form.html",
        {
            "ws": ws,
            "form": form,
            "formset": formset,
            "workshop": workshop,
            "session_errors": list(session_errors),
        },
    )


@workspace_view("workshops", edit=True)
@require_http_methods(["GET", "POST"])
def workshop_new(request, ws: Workspace):
    data = request.POST if request.method == "POST" else None
    form = WorkshopForm(data, partner=ws.partner)
    formset = session_formset(data)
    if data is None:
        return _form_page(request, ws, form, formset)
    if form.is_valid() and formset.is_valid():
        try:
            workshop = workshop_create(
                partner=ws.partner,
                user=request.user,
                data=form.service_data(),
                sessions=formset.sessions(),
                facilitators=form.chosen_facilitators(),
            )
        except (ValidationError, PermissionDenied) as error:
            return _form_page(request, ws, form, formset, None, _add_errors(form, formset, error))
        messages.success(request, f"“{workshop.display_title}” is saved as a draft.")
        return redirect("partner_workshops:detail", slug=ws.partner.slug, pk=workshop.pk)
    session_errors = _check_errors(request, ws, form, formset)
    return _form_page(request, ws, form, formset, None, session_errors)


def _enrollment_text(workshop, state: str, now) -> str:
    """The enrollment window as it is (workshops.enrollment.enrollment_window: it closes when
    the first session starts unless set earlier), in the workshop's zone."""

    def at(moment) -> str:
        local = moment.astimezone(workshop.zone)
        return f"{date_format(local, 'M j, Y, g:i A')} {local.tzname()}"

    opens, closes = enrollment_window(workshop)
    if state == WorkshopState.CANCELLED:
        return "Closed: the workshop is cancelled."
    if state == WorkshopState.DRAFT:
        start = f"Opens {at(opens)}" if opens else "Opens when it is published"
        end = f"closes {at(closes)}" if closes else "closes when the first session starts"
        return f"{start}, {end}."
    if state in (WorkshopState.IN_PROGRESS, WorkshopState.ENDED):
        first = first_session(workshop)
        closed = min(closes, first.starts_at) if closes and first else closes
        return f"Closed {at(closed)}." if closed else "Closed: the workshop has started."
    if closes is not None and now >= closes:
        return f"Closed {at(closes)}."
    until = f", until {at(closes)}" if closes else ""
    if opens is not None and now < opens:
        return f"Opens {at(opens)}{until}."
    return f"Open now{until}."


@workspace_view("workshops")
def workshop_detail(request, ws: Workspace, pk: int):
    workshop = _workshop(ws, pk)
    now = timezone.now()
    state = effective_state(workshop, now)
    return render(
        request,
        "workshops/manage/detail.html",
        {
            "ws": ws,
            "workshop": workshop,
            "state": state,
            "state_label": effective_state_label(state),
            "sessions": session_times(workshop),
            "places_left": places_left(workshop),
            "enrollment_text": _enrollment_text(workshop, state, now),
            "facilitators": list(workshop.facilitators.all()),
            "changeable": ws.can_edit and state in CHANGEABLE_STATES,
        },
    )


@workspace_view("workshops", edit=True)
@require_http_methods(["GET", "POST"])
def workshop_edit(request, ws: Workspace, pk: int):
    workshop = _workshop(ws, pk)
    if effective_state(workshop) not in CHANGEABLE_STATES:
        messages.error(request, "This workshop has started or is over: it can no longer change.")
        return redirect("partner_workshops:detail", slug=ws.partner.slug, pk=workshop.pk)
    data = request.POST if request.method == "POST" else None
    form = WorkshopForm(data, partner=ws.partner, workshop=workshop)
    formset = session_formset(data, workshop=workshop)
    if data is None:
        return _form_page(request, ws, form, formset, workshop)
    if form.is_valid() and formset.is_valid():
        try:
            workshop = workshop_update(
                workshop=workshop,
                user=request.user,
                data=form.service_data(),
                sessions=formset.sessions(),
                facilitators=form.chosen_facilitators(),
            )
        except (ValidationError, PermissionDenied) as error:
            errors = _add_errors(form, formset, error)
            return _form_page(request, ws, form, formset, workshop, errors)
        messages.success(request, f"“{workshop.display_title}” is saved.")
        return redirect("partner_workshops:detail", slug=ws.partner.slug, pk=workshop.pk)
    session_errors = _check_errors(request, ws, form, formset, workshop)
    return _form_page(request, ws, form, formset, workshop, session_errors)


@workspace_view("workshops", edit=True)
@require_POST
def workshop_publish_view(request, ws: Workspace, pk: int):
    workshop = _workshop(ws, pk)
    try:
        workshop_publish(workshop=workshop, user=request.user)
    except ValidationError as error:
        # Say what to fix; the edit page has the fields.
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"“{workshop.display_title}” is published.")
    return redirect("partner_workshops:detail", slug=ws.partner.slug, pk=workshop.pk)


@workspace_view("workshops", edit=True)
@require_http_methods(["GET", "POST"])
def workshop_cancel_view(request, ws: Workspace, pk: int):
    """Cancel after a confirmation step that says who will be told. A workshop that has
    started or ended (by the clock), or is cancelled already, cannot be: no confirmation
    that would be refused, but its page with the reason."""
    workshop = _workshop(ws, pk)
    state = effective_state(workshop)
    if state not in CHANGEABLE_STATES:
        if state == WorkshopState.CANCELLED:
            reason = "This workshop is already cancelled."
        else:
            label = effective_state_label(state).lower()
            reason = f"This workshop is {label}: it can no longer be cancelled."
        messages.error(request, reason)
        return redirect("partner_workshops:detail", slug=ws.partner.slug, pk=workshop.pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            workshop_cancel(
                workshop=workshop, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"“{workshop.display_title}” is cancelled.")
        return redirect("partner_workshops:detail", slug=ws.partner.slug, pk=workshop.pk)
    return render(
        request,
        "workshops/manage/cancel.html",
        {
            "ws": ws,
            "workshop": workshop,
            "form": form,
            "state": state,
            "state_label": effective_state_label(state),
        },
    )
