"""Writes for regions, and the ZIP lookup index they keep fresh."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from .models import MatchLevel, RegionCounty, RegionState, RegionZip, ZipCode


@transaction.atomic
def regions_reindex(*, state_ids: Iterable[int] | None = None) -> int:
    """Recompute which region each ZIP resolves to: ZIP, then county, then state.

    Limited to ZIPs of `state_ids` when given (a region change touches only its states).
    Returns the number of ZIP codes whose resolution changed.
    """
    zips = ZipCode.objects.all()
    if state_ids is not None:
        state_ids = set(state_ids)
        if not state_ids:
            return 0
        zips = zips.filter(state_id__in=state_ids)
    by_zip = dict(RegionZip.objects.values_list("zip_code_id", "region_id"))
    by_county = dict(RegionCounty.objects.values_list("county_id", "region_id"))
    by_state = dict(RegionState.objects.values_list("state_id", "region_id"))

    # Group the changes by their new value: one UPDATE per (region, level), not one per ZIP.
    changes: dict[tuple[int | None, str], list[int]] = defaultdict(list)
    rows = zips.values_list("id", "state_id", "county_id", "region_id", "matched_on")
    for pk, state_id, county_id, region_id, matched_on in rows:
        if pk in by_zip:
            resolved = (by_zip[pk], MatchLevel.ZIP.value)
        elif county_id in by_county:
            resolved = (by_county[county_id], MatchLevel.COUNTY.value)
        elif state_id in by_state:
            resolved = (by_state[state_id], MatchLevel.STATE.value)
        else:
            resolved = (None, "")
        if (region_id, matched_on) != resolved:
            changes[resolved].append(pk)
    for (region_id, matched_on), ids in changes.items():
        for start in range(0, len(ids), 5000):
            ZipCode.objects.filter(pk__in=ids[start : start + 5000]).update(
                region_id=region_id, matched_on=matched_on
            )
    return sum(len(ids) for ids in changes.values())
