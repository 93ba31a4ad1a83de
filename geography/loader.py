"""Load US states, counties and ZIP codes from the packages that ship them.

States and counties (with FIPS codes) come from `us`; ZIP codes (city, county name,
coordinates, time zone) from `zipcodes`. The two name counties slightly differently
("St Louis County" / "St. Louis County", "Municipality of Anchorage" / "Anchorage
Municipality"), so a ZIP's county name is matched to a FIPS code by exact name, then by
`addfips` (which knows the Census spellings), then by a normalized name unique in its state.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import addfips
import us
import zipcodes
from django.db import transaction

from .models import County, State, ZipCode

_GENERIC = {"county", "parish", "borough", "census", "area", "municipality", "city", "and", "of"}
_KIND = {
    "STANDARD": ZipCode.Kind.STANDARD,
    "PO BOX": ZipCode.Kind.PO_BOX,
    "UNIQUE": ZipCode.Kind.UNIQUE,
    "MILITARY": ZipCode.Kind.MILITARY,
}


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=lambda: {"states": 0, "counties": 0, "zips": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"states": 0, "counties": 0, "zips": 0})
    zips_without_county: int = 0
    zips_skipped: int = 0

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def _words(name: str) -> list[str]:
    name = name.lower().replace("'", "")
    name = re.sub(r"\bste?\.?\s", "saint ", name + " ")
    return re.findall(r"[a-z0-9]+", name)


class CountyMatcher:
    """Finds a county's FIPS code from a ZIP record's county name."""

    def __init__(self, counties_by_state: dict[str, list[tuple[str, str]]]):
        self._addfips = addfips.AddFIPS()
        self._exact: dict[tuple[str, str], str] = {}
        self._loose: dict[tuple[str, str], set[str]] = {}
        self._only: dict[str, str] = {}
        self._known: dict[str, set[str]] = {}
        for state, counties in counties_by_state.items():
            self._known[state] = {fips for fips, _ in counties}
            if len(counties) == 1:
                self._only[state] = counties[0][0]
            for fips, name in counties:
                words = _words(name)
                self._exact[(state, " ".join(words))] = fips
                loose = " ".join(w for w in words if w not in _GENERIC)
                self._loose.setdefault((state, loose), set()).add(fips)

    def match(self, state: str, name: str) -> str | None:
        if not name:
            return self._only.get(state)
        words = _words(name)
        fips = self._exact.get((state, " ".join(words)))
        if fips:
            return fips
        fips = self._addfips.get_county_fips(name, state)
        if fips in self._known.get(state, ()):
            return fips
        loose = self._loose.get((state, " ".join(w for w in words if w not in _GENERIC)), set())
        return next(iter(loose)) if len(loose) == 1 else None


def _package_states(only: Iterable[str] | None):
    wanted = {code.upper() for code in only} if only else None
    for state in us.states.STATES_AND_TERRITORIES:
        if wanted is None or state.abbr in wanted:
            yield state


@transaction.atomic
def load_geography(
    *,
    states: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> LoadReport:
    """Create or update states, counties and ZIP codes; running it twice changes nothing.

    `states` limits the load to some state codes (tests use it); `progress` is called with the
    number of ZIP records handled since the last call, `on_total` once with the total.
    """
    report = LoadReport()
    package_states = list(_package_states(states))

    existing_states = {s.code: s for s in State.objects.all()}
    for ps in package_states:
        values = {
            "fips": ps.fips,
            "name": ps.name,
            "is_territory": bool(ps.is_territory),
            "is_contiguous": bool(ps.is_contiguous),
        }
        obj = existing_states.get(ps.abbr)
        if obj is None:
            existing_states[ps.abbr] = State.objects.create(code=ps.abbr, **values)
            report.created["states"] += 1
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            obj.save()
            report.updated["states"] += 1

    existing_counties = {c.fips: c for c in County.objects.all()}
    new_counties, changed_counties = [], []
    counties_by_state: dict[str, list[tuple[str, str]]] = {}
    for ps in package_states:
        state = existing_states[ps.abbr]
        counties_by_state[ps.abbr] = [(c.fips, c.name) for c in ps.counties or []]
        for pc in ps.counties or []:
            obj = existing_counties.get(pc.fips)
            if obj is None:
                obj = County(fips=pc.fips, state=state, name=pc.name)
                new_counties.append(obj)
                existing_counties[pc.fips] = obj
            elif obj.name != pc.name or obj.state_id != state.pk:
                obj.name, obj.state = pc.name, state
                changed_counties.append(obj)
    County.objects.bulk_create(new_counties, batch_size=1000)
    County.objects.bulk_update(changed_counties, ["name", "state"], batch_size=1000)
    report.created["counties"] = len(new_counties)
    report.updated["counties"] = len(changed_counties)
    county_ids = dict(County.objects.values_list("fips", "pk"))

    matcher = CountyMatcher(counties_by_state)
    records = [z for z in zipcodes.list_all() if z["state"] in counties_by_state]
    if on_total:
        on_total(len(records))
    fields = [
        "city",
        "state_id",
        "county_id",
        "latitude",
        "longitude",
        "timezone",
        "kind",
        "is_active",
    ]
    existing_zips = {z.code: z for z in ZipCode.objects.all()}
    new_zips, changed_zips = [], []
    for index, record in enumerate(records, start=1):
        fips = matcher.match(record["state"], record["county"])
        if fips is None:
            report.zips_without_county += 1
        values = {
            "city": record["city"],
            "state_id": existing_states[record["state"]].pk,
            "county_id": county_ids.get(fips) if fips else None,
            "latitude": Decimal(record["lat"]).quantize(Decimal("0.0001"))
            if record["lat"]
            else None,
            "longitude": Decimal(record["long"]).quantize(Decimal("0.0001"))
            if record["long"]
            else None,
            "timezone": record["timezone"] or "",
            "kind": _KIND.get(record["zip_code_type"], ZipCode.Kind.STANDARD),
            "is_active": bool(record["active"]),
        }
        obj = existing_zips.get(record["zip_code"])
        if obj is None:
            new_zips.append(ZipCode(code=record["zip_code"], **values))
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            changed_zips.append(obj)
        if progress and index % 1000 == 0:
            progress(1000)
    if progress:
        progress(len(records) % 1000)
    ZipCode.objects.bulk_create(new_zips, batch_size=2000)
    ZipCode.objects.bulk_update(changed_zips, fields, batch_size=2000)
    report.created["zips"] = len(new_zips)
    report.updated["zips"] = len(changed_zips)
    return report
