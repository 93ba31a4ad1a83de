"""Facilitator pages.

/manage/facilitators/...: the program office's accreditation list. Program admins change it;
regional managers read it (they coach partners about facilitator capacity) and get 404 for
the pages that change it; everyone else signed in gets 404; anonymous visitors sign in.

/manage/partners/<slug>/facilitators/...: a partner's roster, inside the workspace frame
(partners.workspace): its people read it, its program managers and program admins change it.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from accounts.models import User
from partners.models import Partner
from partners.workspace import Workspace, workspace_view

from . import selectors, services
from .filters import AccreditationListFilterSet
from .forms import (
    AccreditationKeyForm,
    AccreditationSetForm,
    FindPersonForm,
    ProgramYearForm,
    RenewForm,
    RosterAddForm,
    RosterSearchForm,
    add_service_error,
)
from .models import Accreditation, RosterMember

FIND_LIMIT = 10


def _entry(allowed: Callable[[User], bool]):
    """Anonymous visitors sign in; signed-in people `allowed` refuses get 404."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise Http404("No such page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


office_required = _entry(selectors.can_view_accreditations)
admin_required = _entry(selectors.can_change_accreditations)


# --- The program office's list ------------------------------------------------------------


@office_required
@require_http_methods(["GET", "HEAD"])
def accreditations(request: HttpRequest) -> HttpResponse:
    filterset = AccreditationListFilterSet(
        request.GET, queryset=selectors.facilitators_visible_to(request.user)
    )
    people = filterset.qs if filterset.is_valid() else filterset.queryset
    year = filterset.program_year
    courses = selectors.accreditation_columns(year)
    page, rows = selectors.accreditation_page(people, year, courses, request.GET.get("page"))
    return render(
        request,
        "facilitators/accreditations.html",
        {
            "filter": filterset,
            "program_year": year,
            "courses": courses,
            "page": page,
            "rows": rows,
            "can_change": selectors.can_change_accreditations(request.user),
            "filtered": any(request.GET.get(k) for k in ("course", "status", "q")),
        },
    )


@office_required
@require_http_methods(["GET", "HEAD"])
def facilitator_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(selectors.facilitators_visible_to(request.user), pk=user_id)
    rosters = list(selectors.facilitator_rosters(person))
    visible = set(
        Partner.objects.visible_to(request.user)
        .filter(pk__in=[m.partner_id for m in rosters])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "facilitators/facilitator.html",
        {
            "person": person,
            "history": selectors.facilitator_accreditations(person),
            "rosters": [(m, m.partner_id in visible) for m in rosters],
            "can_change": selectors.can_change_accreditations(request.user),
            "program_year": selectors.current_program_year(),
        },
    )


def _prefill(request: HttpRequest) -> dict:
    """Initial values from a list cell's link; the current status when the row exists."""
    key = AccreditationKeyForm(request.GET)
    if not key.is_valid():
        return {
            name: key.cleaned_data[name]
            for name in ("facilitator", "course", "program_year")
            if name in key.cleaned_data
        }
    initial = dict(key.cleaned_data)
    existing = Accreditation.objects.filter(**key.cleaned_data).first()
    if existing is not None:
        initial.update(status=existing.status, note=existing.note)
    return initial


@admin_required
@require_http_methods(["GET", "HEAD", "POST"])
def accreditation_set(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AccreditationSetForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                accreditation = services.accreditation_set(
                    facilitator=form.person,
                    course=data["course"],
                    program_year=data["program_year"],
                    status=data["status"],
                    note=data["note"],
                    user=request.user,
                )
            except ValidationError as error:
                add_service_error(form, error, rename={"facilitator": form.person_field})
                codes = {e.code for errs in getattr(error, "error_dict", {}).values() for e in errs}
                if "not_facilitator" in codes:
                    # The error is said once, at the field; next to it, the way out.
                    # (The bound field, cached since validation, holds its own copy.)
                    form[form.person_field].help_text = format_html(
                        '<a href="{}">Change the role of {} in People and roles</a>, then '
                        "come back.",
                        reverse("admin:accounts_user_change", args=[form.person.pk]),
                        form.person,
                    )
            else:
                messages.success(
                    request,
                    f"{accreditation.facilitator}: {accreditation.course} "
                    f"{accreditation.program_year} is now {accreditation.get_status_display()}.",
                )
                return redirect("facilitators:facilitator", user_id=accreditation.facilitator_id)
    else:
        form = AccreditationSetForm(initial=_prefill(request))
    find = FindPersonForm(request.GET or None)
    found = None
    if find.is_valid() and find.cleaned_data["find"].strip():
        query = find.cleaned_data["find"].strip()
        found = list(
            User.objects.filter(selectors.name_or_email_q(query)).order_by("email")[:FIND_LIMIT]
        )
    return render(
        request,
        "facilitators/set.html",
        {"form": form, "find": find, "found": found},
    )


@admin_required
@require_http_methods(["GET", "HEAD", "POST"])
def accreditations_renew(request: HttpRequest) -> HttpResponse:
    """Choose the years (GET), see what would be copied, confirm (POST)."""
    preview = None
    if request.method == "POST":
        form = RenewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.accreditations_renew(
                    from_year=data["from_year"], to_year=data["to_year"], user=request.user
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"Renewed into {report.to_year}: {report.copied} accreditation"
                    f"{'s' if report.copied != 1 else ''} copied, {report.already_there} "
                    f"already recorded, {report.not_facilitators} left out (no longer "
                    "facilitators).",
                )
                return redirect(f"{reverse('facilitators:accreditations')}?year={report.to_year}")
    else:
        form = RenewForm(request.GET or None)
        if form.is_bound and form.is_valid():
            from_year, to_year = form.cleaned_data["from_year"], form.cleaned_data["to_year"]
            if to_year != selectors.next_program_year(from_year):
                form.add_error(
                    "to_year",
                    f"Renew into the year after {from_year}: "
                    f"{selectors.next_program_year(from_year)}.",
                )
            else:
                preview = selectors.renew_preview(from_year, to_year)
    return render(request, "facilitators/renew.html", {"form": form, "preview": preview})


# --- A partner's roster -------------------------------------------------------------------


@workspace_view("facilitators")
@require_http_methods(["GET", "HEAD"])
def roster(request: HttpRequest, ws: Workspace) -> HttpResponse:
    year_form = ProgramYearForm(request.GET or None)
    page = selectors.roster_page(ws.partner, year_form.year)
    return render(
        request, "facilitators/roster.html", {"ws": ws, "year_form": year_form, "roster": page}
    )


@workspace_view("facilitators", edit=True)
@require_http_methods(["GET", "HEAD", "POST"])
def roster_add(request: HttpRequest, ws: Workspace) -> HttpResponse:
    add_form = RosterAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and add_form.is_valid():
        person = add_form.cleaned_data["facilitator"]
        try:
            services.roster_add(partner=ws.partner, facilitator=person, user=request.user)
        except ValidationError as error:
            add_service_error(add_form, error)
        else:
            messages.success(request, f"{person} is on the roster.")
            return redirect("roster:list", slug=ws.partner.slug)
    search = RosterSearchForm(request.POST if request.method == "POST" else request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    return render(
        request,
        "facilitators/roster_add.html",
        {
            "ws": ws,
            "search": search,
            "add_form": add_form,
            "query": query,
            "candidates": selectors.roster_candidates(ws.partner, query),
        },
    )


@workspace_view("facilitators", edit=True)
@require_http_methods(["GET", "HEAD", "POST"])
def roster_remove(request: HttpRequest, ws: Workspace, member_id: int) -> HttpResponse:
    member = (
        RosterMember.objects.select_related("facilitator", "partner")
        .filter(partner=ws.partner, pk=member_id)
        .first()
    )
    if member is None:
        if request.method == "POST":
            # A second click on "Remove": the first one did it.
            messages.info(request, "That facilitator is no longer on the roster.")
            return redirect("roster:list", slug=ws.partner.slug)
        raise Http404("No such roster member.")
    if request.method == "POST":
        services.roster_remove(member=member, user=request.user)
        messages.success(request, f"{member.facilitator} is off the roster.")
        return redirect("roster:list", slug=ws.partner.slug)
    return render(request, "facilitators/roster_remove.html", {"ws": ws, "member": member})
