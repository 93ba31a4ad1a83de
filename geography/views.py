"""The region workspace: program admins list, create and edit regions and import ZIP lists."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from partners.models import Partner

from . import services
from .filters import RegionFilterSet
from .forms import RegionForm, ZipImportForm
from .models import County, Region, RegionCounty, RegionState, RegionZip, State, ZipCode
from .permissions import region_manager_required, regions_manageable_by

LIST_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 200

# --- Reads for these pages. They belong in selectors.py; kept here while that file is being
# --- reworked for the map (see the issue 3 report).


def _link_count(model) -> Coalesce:
    counts = (
        model.objects.filter(region=OuterRef("pk"))
        .order_by()
        .values("region")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def _region_list_queryset(user) -> QuerySet[Region]:
    """Regions with partner, whole states and link counts: a fixed number of queries."""
    return (
        regions_manageable_by(user)
        .select_related("partner")
        .prefetch_related("states")
        .annotate(county_count=_link_count(RegionCounty), zip_count=_link_count(RegionZip))
        .order_by("name")
    )


@dataclass
class HistoryItem:
    label: str
    old: str | None = None
    new: str | None = None
    values: list[str] = field(default_factory=list)
    more: int = 0


@dataclass
class HistoryChange:
    """One save: the log entries written together, by one person at one moment."""

    when: datetime
    actor: str
    entries: list[LogEntry] = field(default_factory=list)
    items: list[HistoryItem] = field(default_factory=list)


_REGION_FIELDS = {
    "name": "Name",
    "slug": "Address",
    "status": "Status",
    "partner": "Regional Partner",
    "description": "Description",
}
_LINKS = {
    RegionState: ("state", "states"),
    RegionCounty: ("county", "counties"),
    RegionZip: ("zip_code", "ZIP codes"),
}
_LISTED = 25


def _region_log(region: Region) -> QuerySet[LogEntry]:
    """The log entries of the region and of its state, county and ZIP links, newest first."""
    types = ContentType.objects.get_for_models(Region, *_LINKS)
    pk = str(region.pk)
    return (
        LogEntry.objects.filter(
            Q(content_type=types[Region], object_pk=pk)
            | Q(
                Q(changes__region__0=pk) | Q(changes__region__1=pk),
                content_type__in=[types[model] for model in _LINKS],
            )
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")
    )


def _none(value) -> bool:
    return value in (None, "None", "")


def _group(entries: list[LogEntry]) -> list[HistoryChange]:
    changes: list[HistoryChange] = []
    for entry in entries:
        last = changes[-1].entries[-1] if changes else None
        same = last is not None and (
            (entry.cid and entry.cid == last.cid)
            or (
                not entry.cid
                and not last.cid
                and entry.actor_id == last.actor_id
                and abs((last.timestamp - entry.timestamp).total_seconds()) < 2
            )
        )
        if not same:
            actor = str(entry.actor) if entry.actor else (entry.actor_email or "System")
            changes.append(HistoryChange(when=entry.timestamp, actor=actor))
        changes[-1].entries.append(entry)
    return changes


def region_history(region: Region, entries: list[LogEntry]) -> list[HistoryChange]:
    """Entries as changes people read: "Status: Open → Served", "Added states: Oregon"."""
    types = {
        ct.pk: model for model, ct in ContentType.objects.get_for_models(Region, *_LINKS).items()
    }
    pk = str(region.pk)
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        changes = entry.changes or {}
        model = types[entry.content_type_id]
        if model is Region:
            wanted["partner"].update(v for v in changes.get("partner", ()) if str(v).isdigit())
        else:
            name = _LINKS[model][0]
            wanted[name].update(v for v in changes.get(name, ()) if str(v).isdigit())
    names = {
        "partner": dict(Partner.objects.filter(pk__in=wanted["partner"]).values_list("pk", "name")),
        "state": dict(State.objects.filter(pk__in=wanted["state"]).values_list("pk", "name")),
        "county": {
            c.pk: str(c)
            for c in County.objects.filter(pk__in=wanted["county"]).select_related("state")
        },
        "zip_code": dict(
            ZipCode.objects.filter(pk__in=wanted["zip_code"]).values_list("pk", "code")
        ),
    }

    def show(kind: str, value) -> str:
        if _none(value):
            return "—"
        if kind == "status":
            return Region.Status(value).label if value in Region.Status.values else value
        value = str(value)
        if kind in names:
            return names[kind].get(int(value), f"#{value} (deleted)") if value.isdigit() else value
        return value if len(value) <= 160 else value[:157] + "…"

    grouped = _group(entries)
    for change in grouped:
        added: dict[type, list[str]] = defaultdict(list)
        removed: dict[type, list[str]] = defaultdict(list)
        for entry in reversed(change.entries):  # oldest first within one save
            changes = entry.changes or {}
            model = types[entry.content_type_id]
            if model is Region:
                created = entry.action == LogEntry.Action.CREATE
                if created:
                    change.items.append(HistoryItem("Created the region"))
                for key, label in _REGION_FIELDS.items():
                    if key not in changes or (
                        created and (key == "slug" or _none(changes[key][1]))
                    ):
                        continue
                    old, new = changes[key]
                    old = None if created else show(key, old)
                    change.items.append(HistoryItem(label, old, show(key, new)))
                continue
            unit = _LINKS[model][0]
            old_region, new_region = changes.get("region", (pk, pk))
            old_unit, new_unit = changes.get(unit, (None, None))
            if entry.action == LogEntry.Action.CREATE or (new_region == pk and old_region != pk):
                added[model].append(show(unit, new_unit) if new_unit else entry.object_repr)
            elif entry.action == LogEntry.Action.DELETE or (old_region == pk and new_region != pk):
                removed[model].append(show(unit, old_unit) if old_unit else entry.object_repr)
            elif old_unit and new_unit:
                removed[model].append(show(unit, old_unit))
                added[model].append(show(unit, new_unit))
        for verb, lists in (("Added", added), ("Removed", removed)):
            for model in _LINKS:
                values = sorted(lists.get(model, []))
                if values:
                    change.items.append(
                        HistoryItem(
                            f"{verb} {_LINKS[model][1]}",
                            values=values[:_LISTED],
                            more=max(0, len(values) - _LISTED),
                        )
                    )
    return grouped


# --- Views ------------------------------------------------------------------------------------


@region_manager_required
def region_list(request):
    filterset = RegionFilterSet(request.GET or None, queryset=_region_list_queryset(request.user))
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
    entries = Paginator(_region_log(region), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
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
