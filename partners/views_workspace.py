"""The partner workspace: the partner list, each partner's overview, program managers and
check-in notes. Scope comes from `partners.workspace.workspace_view` (404 outside it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from applications.models import Invitation
from core.forms import add_service_errors
from core.program_years import program_year_for

from . import selectors, services
from .commitments import (
    COMMITMENT_LABELS,
    CommitmentState,
    fte_state,
    open_tasks,
    partner_commitments,
    program_manager_fte_totals,
)
from .forms_workspace import (
    CheckInNoteForm,
    InviteForm,
    ProgramYearForm,
    RemoveForm,
    ShareForm,
    SwitchForm,
    WorkspacePartnerFilter,
)
from .models import MIN_PROGRAM_MANAGER_FTE, Partner, ProgramManager
from .workspace import Workspace, workspace_view

PER_PAGE = 25

# Column headings of the partner list, short enough for a table; the full label is the title.
SHORT_LABELS = {
    "program_managers": "PMs",
    "summit_september": "Sept. summit",
    "summit_february": "Feb. summit",
    "teacher_conference": "Teacher conf.",
    "district_commitments": "Districts",
    "facilitators": "Facilitators",
    "community": "Community",
    "workshops": "Workshops",
}

SECTION_URLS = {
    "home": "workspace:home",
    "metrics": "workspace:metrics",
    "managers": "workspace:managers",
    "districts": "districts:list",
    "facilitators": "roster:list",
    "events": "partner_events:list",
    "workshops": "partner_workshops:list",
    "funding": "partner_funding:overview",
    "check_ins": "workspace:check_ins",
}


# --- The partner list ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def partner_list(request):
    """Program office: the partners in scope with their commitments at a glance.

    A program manager of one partner goes straight to its overview; of several, picks one here.
    """
    user = request.user
    if not (user.is_program_admin or user.is_regional_manager or user.is_program_manager):
        raise Http404
    partners = selectors.workspace_partners(user)
    if user.is_program_manager:
        slugs = list(partners.values_list("slug", flat=True)[:2])
        if len(slugs) == 1:
            return redirect("workspace:home", slug=slugs[0])
    filterset = WorkspacePartnerFilter(request.GET or None, queryset=partners, user=user)
    if filterset.is_bound and filterset.is_valid():
        partners = filterset.qs
    page = Paginator(partners, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    program_year = program_year_for(today)
    shown = list(page.object_list)
    judged = partner_commitments(shown, program_year=program_year, today=today)
    columns = [(SHORT_LABELS[key], label) for key, label in COMMITMENT_LABELS.items()]
    rows = []
    for partner in shown:
        by_key = {commitment.key: commitment for commitment in judged[partner.pk]}
        rows.append(
            {
                "partner": partner,
                "fte_state": fte_state(partner.pm_fte),
                # Each cell with its column: on a phone the cell is captioned by its label.
                "cells": [
                    (by_key.get(key), column)
                    for key, column in zip(COMMITMENT_LABELS, columns, strict=True)
                ],
            }
        )
    return render(
        request,
        "partners/workspace/list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "columns": columns,
            "program_year": program_year,
            "states": CommitmentState,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def switch(request):
    """The partner switcher: the same section of another partner in scope, else 404."""
    form = SwitchForm(request.GET)
    if not form.is_valid():
        raise Http404
    partner = get_object_or_404(
        Partner.objects.visible_to(request.user), slug=form.cleaned_data["partner"]
    )
    section = form.cleaned_data["section"] or "home"
    return redirect(SECTION_URLS[section], partner.slug)


# --- Overview --------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@workspace_view("home")
def home(request, ws: Workspace):
    """This year's commitments, open tasks, upcoming events, districts and the coach."""
    partner = ws.partner
    today = timezone.localdate()
    current = program_year_for(today)
    year_form = ProgramYearForm(request.GET or None, today=today)
    program_year = year_form.program_year(today)
    commitments = partner_commitments([partner], program_year=program_year, today=today)[partner.pk]
    if program_year == current:
        this_year = commitments
    else:
        this_year = partner_commitments([partner], program_year=current, today=today)[partner.pk]
    context = {
        "ws": ws,
        "year_form": year_form,
        "program_year": program_year,
        "is_current_year": program_year == current,
        "commitments": commitments,
        "tasks": open_tasks(this_year, partner),
        "events": selectors.partner_upcoming_events(partner, today=today),
        "workshops": selectors.partner_upcoming_workshops(partner, today=today),
        "districts": selectors.partner_district_totals(partner, program_year=program_year),
        "regional_manager": partner.regional_manager,
        "latest_note": (
            selectors.check_in_notes_for(partner, request.user).first() if ws.is_office else None
        ),
    }
    return render(request, "partners/workspace/home.html", context)


# --- Program managers ------------------------------------------------------------------------


def _managers_page(request, ws: Workspace, *, invite_form=None, status: int = 200):
    managers = selectors.partner_managers(ws.partner)
    total = program_manager_fte_totals([ws.partner.pk]).get(ws.partner.pk, 0)
    if ws.can_edit and invite_form is None:
        invite_form = InviteForm()
    context = {
        "ws": ws,
        "managers": managers,
        "total": total,
        "total_state": fte_state(total),
        "minimum": MIN_PROGRAM_MANAGER_FTE,
        "invitations": list(selectors.partner_pending_invitations(ws.partner)),
        "invite_form": invite_form if ws.can_edit else None,
    }
    return render(request, "partners/workspace/managers.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@workspace_view("managers")
def managers(request, ws: Workspace):
    """The partner's program managers, their shares and total, and pending invitations."""
    return _managers_page(request, ws)


@require_http_methods(["GET", "HEAD", "POST"])
@workspace_view("managers", edit=True)
def manager_invite(request, ws: Workspace):
    # A refused invitation re-renders at this address; reloading it (GET) goes back to the
    # page the form lives on instead of a blank "method not allowed".
    if request.method != "POST":
        return redirect("workspace:managers", ws.partner.slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.program_manager_invite(
                partner=ws.partner, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("workspace:managers", ws.partner.slug)
    return _managers_page(request, ws, invite_form=form)


def _manager(ws: Workspace, pk: int) -> ProgramManager:
    return get_object_or_404(
        ProgramManager.objects.select_related("user"), pk=pk, partner=ws.partner
    )


def _total_without(ws: Workspace, manager: ProgramManager):
    total = program_manager_fte_totals([ws.partner.pk]).get(ws.partner.pk, 0)
    return total - manager.fte_share if manager.user.is_active else total


@require_http_methods(["GET", "POST"])
@workspace_view("managers", edit=True)
def manager_edit(request, ws: Workspace, pk: int):
    """Change a share; lowering the total below the minimum asks for confirmation first."""
    manager = _manager(ws, pk)
    form = ShareForm(
        request.POST if request.method == "POST" else None, initial={"fte_share": manager.fte_share}
    )
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.program_manager_update(
                manager=manager,
                user=request.user,
                fte_share=form.cleaned_data["fte_share"],
                confirm_below_minimum=form.cleaned_data["confirm_below_minimum"],
            )
        except ValidationError as error:
            if "confirm_below_minimum" in getattr(error, "error_dict", {}):
                form.ask_confirmation()
            add_service_errors(form, error)
        else:
            messages.success(request, f"{manager.user}'s share is now {updated.fte_share} FTE.")
            return redirect("workspace:managers", ws.partner.slug)
    context = {
        "ws": ws,
        "manager": manager,
        "others": _total_without(ws, manager) if manager.user.is_active else None,
        "minimum": MIN_PROGRAM_MANAGER_FTE,
        "form": form,
    }
    return render(request, "partners/workspace/manager_edit.html", context)


@require_http_methods(["GET", "POST"])
@workspace_view("managers", edit=True)
def manager_remove(request, ws: Workspace, pk: int):
    """Confirm, then remove a program manager (never the last one)."""
    manager = _manager(ws, pk)
    after = _total_without(ws, manager)
    last = (
        manager.user.is_active
        and not ProgramManager.objects.filter(partner=ws.partner, user__is_active=True)
        .exclude(pk=manager.pk)
        .exists()
    )
    form = RemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_manager_remove(
                manager=manager,
                user=request.user,
                confirm_below_minimum=form.cleaned_data["confirm_below_minimum"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if manager.user_id == request.user.pk:
                messages.success(request, f"You are no longer a program manager of {ws.partner}.")
                return redirect("accounts:home")
            messages.success(request, f"{manager.user} is no longer a program manager.")
            return redirect("workspace:managers", ws.partner.slug)
    context = {
        "ws": ws,
        "manager": manager,
        "after": after,
        "below": after < MIN_PROGRAM_MANAGER_FTE,
        "last": last,
        "is_self": manager.user_id == request.user.pk,
        "minimum": MIN_PROGRAM_MANAGER_FTE,
        "form": form,
    }
    return render(request, "partners/workspace/manager_remove.html", context)


def _invitation(ws: Workspace, pk: int) -> Invitation:
    return get_object_or_404(Invitation, pk=pk, partner=ws.partner, accepted_at__isnull=True)


def _refused(request, error: ValidationError | PermissionDenied) -> None:
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))


@require_POST
@workspace_view("managers", edit=True)
def invitation_resend(request, ws: Workspace, pk: int):
    invitation = _invitation(ws, pk)
    try:
        services.program_manager_invitation_resend(invitation=invitation, user=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"The invitation was sent again to {invitation.email}.")
    return redirect("workspace:managers", ws.partner.slug)


@require_http_methods(["GET", "POST"])
@workspace_view("managers", edit=True)
def invitation_cancel(request, ws: Workspace, pk: int):
    invitation = _invitation(ws, pk)
    if request.method == "POST":
        try:
            services.program_manager_invitation_cancel(invitation=invitation, user=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, f"The invitation to {invitation.email} is cancelled.")
        return redirect("workspace:managers", ws.partner.slug)
    return render(
        request,
        "partners/workspace/invitation_cancel.html",
        {"ws": ws, "invitation": invitation},
    )


# --- Check-in notes (program office only) ----------------------------------------------------


def _require_office(ws: Workspace) -> None:
    # Program managers must not learn the page exists, not even for their own partner.
    if not ws.is_office:
        raise Http404


@require_http_methods(["GET", "POST"])
@workspace_view("check_ins")
def check_ins(request, ws: Workspace):
    """The partner's dated check-in notes, newest first, and a form to add one."""
    _require_office(ws)
    form = CheckInNoteForm(request.POST or None, initial={"happened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in_note_create(
                partner=ws.partner,
                user=request.user,
                happened_on=form.cleaned_data["happened_on"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, "The check-in note is saved.")
            return redirect("workspace:check_ins", ws.partner.slug)
    notes = selectors.check_in_notes_for(ws.partner, request.user)
    page = Paginator(notes, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/workspace/check_ins.html",
        {"ws": ws, "form": form, "page": page},
    )


def _own_note(request, ws: Workspace, pk: int):
    note = get_object_or_404(selectors.check_in_notes_for(ws.partner, request.user), pk=pk)
    if not request.user.is_program_admin and note.author_id != request.user.pk:
        raise Http404
    return note


@require_http_methods(["GET", "POST"])
@workspace_view("check_ins")
def check_in_edit(request, ws: Workspace, pk: int):
    _require_office(ws)
    note = _own_note(request, ws, pk)
    form = CheckInNoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in_note_update(
                note=note,
                user=request.user,
                happened_on=form.cleaned_data["happened_on"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The check-in note is saved.")
            return redirect("workspace:check_ins", ws.partner.slug)
    return render(
        request, "partners/workspace/check_in_edit.html", {"ws": ws, "form": form, "note": note}
    )


@require_http_methods(["GET", "POST"])
@workspace_view("check_ins")
def check_in_delete(request, ws: Workspace, pk: int):
    _require_office(ws)
    note = _own_note(request, ws, pk)
    if request.method == "POST":
        services.check_in_note_delete(note=note, user=request.user)
        messages.success(request, "The check-in note is deleted.")
        return redirect("workspace:check_ins", ws.partner.slug)
    return render(request, "partners/workspace/check_in_delete.html", {"ws": ws, "note": note})
