"""Reads for geography and regions."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.audit import (
    HistoryChange,
    HistoryItem,
    choice_label,
    clipped,
    history_changes,
    logged_blank,
)
from partners.models import Partner

from .models import (
    County,
    InterestSignup,
    Region,
    RegionCounty,
    RegionState,
    RegionZip,
    State,
    ZipCode,
)
from .permissions import regions_manageable_by


@dataclass
class RegionRow:
    region: Region
    state_codes: list[str] = field(default_factory=list)
    state_names: list[str] = field(default_factory=list)


@dataclass(frozen=True, order=True)
class StateRef:
    name: str
    code: str
    id: int


def region_states(region_filter: Q | None = None) -> dict[int, set[StateRef]]:
    """The states each region touches (whole, through a county, or through a ZIP).

    Three queries whatever the number of regions; `region_filter` is a Q on the region.
    """
    touched: dict[int, set[StateRef]] = defaultdict(set)
    for model, path in (
        (RegionState, "state"),
        (RegionCounty, "county__state"),
        (RegionZip, "zip_code__state"),
    ):
        links = model.objects.all()
        if region_filter is not None:
            links = links.filter(region__in=Region.objects.filter(region_filter))
        for region_id, state_id, code, name in (
            links.values_list("region_id", f"{path}_id", f"{path}__code", f"{path}__name")
            .distinct()
            .order_by()
        ):
            touched[region_id].add(StateRef(name, code, state_id))
    return touched


def touching_state(code: str) -> Q:
    """A Q for regions with any part in the state with this code."""
    region = OuterRef("pk")
    code = code.strip().upper()
    return (
        Q(Exists(RegionState.objects.filter(region=region, state__code=code)))
        | Q(Exists(RegionCounty.objects.filter(region=region, county__state__code=code)))
        | Q(Exists(RegionZip.objects.filter(region=region, zip_code__state__code=code)))
    )


def region_rows() -> list[RegionRow]:
    """Every region with the states it touches, in four queries whatever the number of regions."""
    regions = list(Region.objects.select_related("partner").order_by("name"))
    touched = region_states()
    rows = []
    for region in regions:
        states = sorted(touched.get(region.pk, ()))
        rows.append(RegionRow(region, [s.code for s in states], [s.name for s in states]))
    rows.sort(key=lambda row: (row.state_names[:1] or ["~"], row.region.name))
    return rows


def zip_lookup(code: str):
    """The ZipCode with its state, county, region and partner, in one query; None if unknown.

    `code` is a normalized five-digit ZIP (geography.zips.normalize_zip). The region comes
    from the lookup index on ZipCode, kept fresh by geography.services.regions_reindex.
    """
    return (
        ZipCode.objects.select_related("state", "county", "region__partner")
        .filter(code=code)
        .first()
    )


@dataclass(frozen=True)
class ZipResolution:
    """Who serves a ZIP code, as the public lookup answers it."""

    code: str
    city: str
    state: str
    county: str | None
    matched_on: str | None
    region_id: int | None
    region_name: str | None
    region_slug: str | None
    region_status: str | None
    partner_name: str | None
    partner_slug: str | None


@lru_cache(maxsize=1)
def _zip_resolve_sql() -> str:
    q = connection.ops.quote_name
    zip_t, state_t, county_t = (q(m._meta.db_table) for m in (ZipCode, State, County))
    region_t, partner_t = q(Region._meta.db_table), q(Partner._meta.db_table)
    # Only quoted table names from the models are interpolated; the ZIP is a parameter.
    columns = "z.code, z.city, s.code, c.name, z.matched_on, r.id, r.name, r.slug, r.status"
    return (
        f"SELECT {columns}, p.name, p.slug FROM {zip_t} z "  # noqa: S608
        f"JOIN {state_t} s ON s.id = z.state_id "
        f"LEFT JOIN {county_t} c ON c.id = z.county_id "
        f"LEFT JOIN {region_t} r ON r.id = z.region_id "
        f"LEFT JOIN {partner_t} p ON p.id = r.partner_id "
        f"WHERE z.code = %s"
    )


def zip_resolve(code: str) -> ZipResolution | None:
    """The lookup's hot path: one indexed query, answered without building model objects.

    Written in SQL because the ORM spends several times longer compiling this four-join
    query than the database spends answering it (see `make bench`); the tables and columns
    are the models', and tests compare it with `zip_lookup`.
    """
    with connection.cursor() as cursor:
        cursor.execute(_zip_resolve_sql(), [code])
        row = cursor.fetchone()
    if row is None:
        return None
    return ZipResolution(*row[:4], row[4] or None, *row[5:])


# --- The region workspace: list and history ------------------------------------------------


def _link_count(model) -> Coalesce:
    counts = (
        model.objects.filter(region=OuterRef("pk"))
        .order_by()
        .values("region")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def regions_for_workspace(user) -> QuerySet[Region]:
    """Regions with partner, whole states and link counts: a fixed number of queries."""
    return (
        regions_manageable_by(user)
        .select_related("partner")
        .prefetch_related("states")
        .annotate(county_count=_link_count(RegionCounty), zip_count=_link_count(RegionZip))
        .order_by("name")
    )


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


def region_log_entries(region: Region) -> QuerySet[LogEntry]:
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
        if logged_blank(value):
            return "—"
        if kind == "status":
            return choice_label(Region.Status, value)
        value = str(value)
        if kind in names:
            return names[kind].get(int(value), f"#{value} (deleted)") if value.isdigit() else value
        return clipped(value)

    grouped = history_changes(entries)
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
                        created and (key == "slug" or logged_blank(changes[key][1]))
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


# --- Demand where no partner is -----------------------------------------------------------------


@dataclass
class DemandRow:
    label: str
    region: Region | None
    total: int
    by_role: dict[str, int]
    latest: datetime | None

    @property
    def others(self) -> int:
        named = ("teacher", "school", "district")
        return self.total - sum(self.by_role.get(role, 0) for role in named)


def demand_by_region() -> list[DemandRow]:
    """ "Notify me" sign-ups counted per region without a partner (and per state outside
    every region), most wanted first. Two queries whatever the number of sign-ups."""
    counts: dict[tuple[int | None, int | None], Counter] = defaultdict(Counter)
    latest: dict[tuple[int | None, int | None], datetime] = {}
    rows = InterestSignup.objects.values_list(
        "zip_code__region_id", "zip_code__state_id", "role"
    ).annotate(n=Count("pk"), last=Max("created_at"))
    for region_id, state_id, role, n, last in rows.order_by():
        key = (region_id, None if region_id else state_id)
        counts[key][role] += n
        latest[key] = max(latest.get(key, last), last)
    regions = Region.objects.in_bulk([r for r, _ in counts if r])
    states = State.objects.in_bulk([s for _, s in counts if s])
    result = []
    for (region_id, state_id), by_role in counts.items():
        region = regions.get(region_id)
        if region is not None and region.status in (Region.Status.SERVED, Region.Status.ONBOARDING):
            continue  # a partner is there now: this demand is met
        label = region.name if region else f"{states[state_id].name} (no region yet)"
        result.append(
            DemandRow(
                label, region, sum(by_role.values()), dict(by_role), latest[(region_id, state_id)]
            )
        )
    return sorted(result, key=lambda row: (-row.total, row.label))
