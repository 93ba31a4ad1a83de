"""The region workspace: program admins list, create and edit regions and import ZIP lists."""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from districts.selectors import school_counts_by_region

from . import services
from .filters import RegionFilterSet
from .forms import RegionForm, ZipImportForm
from .models import Region
from .permissions import region_manager_required, regions_manageable_by
from .selectors import demand_by_region, region_history, region_log_entries, regions_for_workspace

LIST_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 200

# --- Views ------------------------------------------------------------------------------------


@region_manager_required
def region_list(request):
    filterset = RegionFilterSet(request.GET or None, queryset=regions_for_workspace(request.user))
    regions = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    # Counts per status among the regions the other filters select.
    others = request.GET.copy()
    others.pop("status", None)
    others.pop("page", None)
    base = RegionFilterSet(others, queryset=regions_manageable_by(request.user))
    by_status = Counter(
        dict(
            (base.qs if base.is_valid() else base.queryset)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
    )
    status_counts = [(value, label, by_status[value]) for value, label in Region.Status.choices]
    page = Paginator(regions, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "geography/region_list.html",
        {
            "filter": filterset,
            "page": page,
            "status_counts": status_counts,
            "total": sum(by_status.values()),
            "current_status": request.GET.get("status", ""),
        },
    )


def _region_form(request, region: Region | None) -> RegionForm:
    counties_url = reverse("geography:region_counties")
    if region is not None:
        counties_url += f"?region={region.slug}"
    if request.method != "POST":
        return RegionForm(region=region, counties_url=counties_url)
    if "show_counties" in request.POST:
        # Without JavaScript: list the chosen states' counties, keeping what was typed, and
        # do not judge an unfinished form yet.
        multiple = {"states", "county_states", "counties"}
        initial = {
            name: request.POST.getlist(name) if name in multiple else request.POST.get(name)
            for name in RegionForm.base_fields
        }
        return RegionForm(initial=initial, region=region, counties_url=counties_url)
    return RegionForm(request.POST, region=region, counties_url=counties_url)


@region_manager_required
def region_create(request):
    form = _region_form(request, None)
    if form.is_bound and form.is_valid():
        try:
            region = services.region_create(user=request.user, **form.service_kwargs())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Region “{region.name}” is created.")
            return redirect("geography:region_detail", slug=region.slug)
    return render(request, "geography/region_form.html", {"form": form, "region": None})


@region_manager_required
def region_update(request, slug: str):
    region = get_object_or_404(regions_manageable_by(request.user), slug=slug)
    form = _region_form(request, region)
    if form.is_bound and form.is_valid():
        try:
            region = services.region_update(
                region=region, user=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Region “{region.name}” is saved.")
            return redirect("geography:region_detail", slug=region.slug)
    return render(request, "geography/region_form.html", {"form": form, "region": region})


@region_manager_required
def region_counties(request):
    """htmx: the county checkboxes for the states chosen, keeping the counties already chosen."""
    region = None
    if request.GET.get("region"):
        region = get_object_or_404(regions_manageable_by(request.user), slug=request.GET["region"])
    form = RegionForm(
        initial={
            "county_states": request.GET.getlist("county_states"),
            "counties": request.GET.getlist("counties"),
        },
        region=region,
    )
    return render(request, "geography/_county_picker.html", {"field": form["counties"]})


@region_manager_required
def region_detail(request, slug: str):
    region = get_object_or_404(
        regions_manageable_by(request.user).select_related("partner"), slug=slug
    )
    entries = Paginator(region_log_entries(region), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    coverage = dict(
        region.covered_zips.order_by().values_list("matched_on").annotate(n=Count("pk"))
    )
    return render(
        request,
        "geography/region_detail.html",
        {
            "region": region,
            "states": list(region.states.all()),
            "county_links": list(
                region.county_links.select_related("county__state").order_by(
                    "county__state__name", "county__name"
                )
            ),
            "zip_links": list(
                region.zip_links.select_related("zip_code__state").order_by("zip_code__code")
            ),
            "coverage": coverage,
            "covered": sum(coverage.values()),
            "history": region_history(region, list(entries)),
            "history_page": entries,
        },
    )


@region_manager_required
def region_zips(request, slug: str):
    region = get_object_or_404(regions_manageable_by(request.user), slug=slug)
    form = ZipImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.region_zips_import(
                region=region,
                user=request.user,
                rows=form.cleaned_data["rows"],
                replace=form.cleaned_data["mode"] == "replace",
            )
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "geography/region_zips.html",
        {
            "region": region,
            "form": form,
            "report": report,
            "source": form.cleaned_data.get("source") if report else None,
            "zip_count": region.zip_links.count(),
        },
    )


@region_manager_required
def demand(request):
    """Where people asked to be told when a partner serves them: where to recruit next."""
    return render(
        request,
        "geography/demand.html",
        {"rows": demand_by_region(), "schools": school_counts_by_region()},
    )
