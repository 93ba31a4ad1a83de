"""Reads for geography and regions."""

from collections import defaultdict
from dataclasses import dataclass, field

from .models import Region, RegionCounty, RegionState, RegionZip, ZipCode


@dataclass
class RegionRow:
    region: Region
    state_codes: list[str] = field(default_factory=list)
    state_names: list[str] = field(default_factory=list)


def region_rows() -> list[RegionRow]:
    """Every region with the states it touches, in four queries whatever the number of regions."""
    regions = list(Region.objects.select_related("partner").order_by("name"))
    states: dict[int, dict[str, str]] = defaultdict(dict)
    for region_id, code, name in RegionState.objects.values_list(
        "region_id", "state__code", "state__name"
    ):
        states[region_id][code] = name
    for region_id, code, name in (
        RegionCounty.objects.values_list("region_id", "county__state__code", "county__state__name")
        .distinct()
        .order_by()
    ):
        states[region_id][code] = name
    for region_id, code, name in (
        RegionZip.objects.values_list("region_id", "zip_code__state__code", "zip_code__state__name")
        .distinct()
        .order_by()
    ):
        states[region_id][code] = name
    rows = []
    for region in regions:
        by_code = dict(sorted(states[region.pk].items(), key=lambda item: item[1]))
        rows.append(RegionRow(region, list(by_code), list(by_code.values())))
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
