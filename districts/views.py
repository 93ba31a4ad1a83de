"""A partner's district partnerships in its workspace (/manage/partners/<slug>/districts/).

Everyone who sees the partner reads these pages; its program managers and program admins
change them (`workspace_view(..., edit=True)`: for anyone else a change page is a 404). A
partnership or commitment of another partner is a 404 too: every lookup starts from
`ws.partner`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.forms import add_service_errors
from core.program_years import program_year_for
from partners.workspace import Workspace, workspace_view

from . import services
from .filters import PartnershipFilterSet
from .forms import (
    CommitmentForm,
    CommitmentTeachersForm,
    PartnershipCreateForm,
    PartnershipUpdateForm,
)
from .models import DistrictCommitment, DistrictPartnership
from .selectors import (
    commitment_totals_by_course,
    partnership_commitments_by_year,
    partnership_schools_in_area,
    school_summary,
    with_attendance,
)

LIST_PAGE_SIZE = 50


def _partnership(ws: Workspace, pk: int) -> DistrictPartnership:
    return get_object_or_404(
        DistrictPartnership.objects.filter(partner=ws.partner).select_related(
            "partner", "district__state", "district__county", "district__zip_code"
        ),
        pk=pk,
    )


def _commitment(ws: Workspace, pk: int, commitment_pk: int) -> DistrictCommitment:
    return get_object_or_404(
        DistrictCommitment.objects.filter(
            partnership__partner=ws.partner, partnership_id=pk
        ).select_related("course", "partnership__partner", "partnership__district"),
        pk=commitment_pk,
    )


@workspace_view("districts")
def partnership_list(request, ws: Workspace):
    # Always bound: the filter set picks the year shown even when no filter is given.
    filterset = PartnershipFilterSet(request.GET, partner=ws.partner)
    rows = filterset.qs
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_attendance(page.object_list, ws.partner, filterset.program_year)
    totals = rows.aggregate(teachers=Sum("teachers_committed"), districts=Count("pk"))
    return render(
        request,
        "districts/partnership_list.html",
        {
            "ws": ws,
            "filter": filterset,
            "page": page,
            "program_year": filterset.program_year,
            "is_current_year": filterset.program_year == program_year_for(timezone.localdate()),
            "total_districts": totals["districts"] or 0,
            "total_teachers": totals["teachers"] or 0,
            "course_totals": commitment_totals_by_course(rows, filterset.program_year),
        },
    )


@workspace_view("districts", edit=True)
def partnership_create(request, ws: Workspace):
    source = request.POST if request.method == "POST" else request.GET
    query = source.get("q", "")[:100]
    form = PartnershipCreateForm(
        request.POST if request.method == "POST" else None,
        partner=ws.partner,
        query=query,
        initial={"q": query, "since": timezone.localdate()},
    )
    if form.is_bound and form.is_valid():
        try:
            partnership = services.partnership_create(
                partner=ws.partner, user=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{partnership.district.name} is now a partner district.")
            return redirect("districts:detail", slug=ws.partner.slug, pk=partnership.pk)
    return render(
        request, "districts/partnership_create.html", {"ws": ws, "form": form, "query": query}
    )


@workspace_view("districts")
def partnership_detail(request, ws: Workspace, pk: int):
    partnership = _partnership(ws, pk)
    schools = list(partnership_schools_in_area(partnership))
    return render(
        request,
        "districts/partnership_detail.html",
        {
            "ws": ws,
            "partnership": partnership,
            "district": partnership.district,
            "schools": schools,
            "summary": school_summary(partnership.district, schools),
            "years": partnership_commitments_by_year(partnership),
            "editable_years": {year for year, _ in services.commitment_year_choices()},
            "commitment_form": CommitmentForm(
                partner=ws.partner,
                initial={"program_year": program_year_for(timezone.localdate())},
            )
            if ws.can_edit
            else None,
        },
    )


@workspace_view("districts", edit=True)
def partnership_update(request, ws: Workspace, pk: int):
    partnership = _partnership(ws, pk)
    form = PartnershipUpdateForm(request.POST or None, instance=partnership)
    if form.is_bound and form.is_valid():
        try:
            services.partnership_update(
                partnership=partnership, user=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The partnership with {partnership.district.name} is saved.")
            return redirect("districts:detail", slug=ws.partner.slug, pk=partnership.pk)
    return render(
        request,
        "districts/partnership_update.html",
        {"ws": ws, "form": form, "partnership": partnership},
    )


@workspace_view("districts", edit=True)
def partnership_delete(request, ws: Workspace, pk: int):
    partnership = _partnership(ws, pk)
    if request.method == "POST":
        try:
            services.partnership_delete(partnership=partnership, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("districts:detail", slug=ws.partner.slug, pk=partnership.pk)
        messages.success(request, f"The partnership with {partnership.district.name} is ended.")
        return redirect("districts:list", slug=ws.partner.slug)
    return render(
        request,
        "districts/partnership_delete.html",
        {
            "ws": ws,
            "partnership": partnership,
            "commitment_count": partnership.commitments.count(),
            "past_years": services.partnership_past_years(partnership),
        },
    )


@workspace_view("districts", edit=True)
def commitment_set(request, ws: Workspace, pk: int):
    """Add a commitment, or change the one of the same year and course."""
    partnership = _partnership(ws, pk)
    form = CommitmentForm(
        request.POST or None,
        partner=ws.partner,
        initial={"program_year": program_year_for(timezone.localdate())},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            commitment = services.commitment_set(
                partnership=partnership,
                user=request.user,
                program_year=data["program_year"],
                course=data["course"],
                teachers=data["teachers"],
                confirm_replace=data["confirm_replace"],
            )
        except ValidationError as error:
            if "confirm_replace" in getattr(error, "error_dict", {}):
                form.ask_confirmation()
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{partnership.district.name} commits {commitment.teachers} teachers to "
                f"{commitment.course.name} in {commitment.program_year}.",
            )
            return redirect("districts:detail", slug=ws.partner.slug, pk=partnership.pk)
    return render(
        request,
        "districts/commitment_form.html",
        {"ws": ws, "form": form, "partnership": partnership, "commitment": None},
    )


@workspace_view("districts", edit=True)
def commitment_update(request, ws: Workspace, pk: int, commitment_pk: int):
    commitment = _commitment(ws, pk, commitment_pk)
    partnership = commitment.partnership
    form = CommitmentTeachersForm(request.POST or None, instance=commitment)
    if form.is_bound and form.is_valid():
        try:
            services.commitment_set(
                partnership=partnership,
                user=request.user,
                program_year=commitment.program_year,
                course=commitment.course,
                teachers=form.cleaned_data["teachers"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{partnership.district.name} commits {form.cleaned_data['teachers']} teachers "
                f"to {commitment.course.name} in {commitment.program_year}.",
            )
            return redirect("districts:detail", slug=ws.partner.slug, pk=partnership.pk)
    return render(
        request,
        "districts/commitment_form.html",
        {"ws": ws, "form": form, "partnership": partnership, "commitment": commitment},
    )


@workspace_view("districts", edit=True)
def commitment_delete(request, ws: Workspace, pk: int, commitment_pk: int):
    commitment = _commitment(ws, pk, commitment_pk)
    partnership = commitment.partnership
    error = None
    if request.method == "POST":
        try:
            services.commitment_delete(commitment=commitment, user=request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                f"The commitment to {commitment.course.name} in {commitment.program_year} "
                "is removed.",
            )
            return redirect("districts:detail", slug=ws.partner.slug, pk=partnership.pk)
    return render(
        request,
        "districts/commitment_delete.html",
        {"ws": ws, "commitment": commitment, "partnership": partnership, "error": error},
    )
