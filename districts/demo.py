"""Fictional, deterministic districts and schools for the demo regions.

Called by `partners.demo.demo_seed` once the demo regions exist and the ZIP lookup index is
fresh: every served, onboarding and open demo region gets a few districts (more in regions
with more ZIP codes), each sitting in real ZIP codes of the region, so the schools count in
the region (`districts.selectors.schools_in_region`). Names are common generic ones
("Cedar Valley School District", "Lincoln Elementary School"); NCES ids start with "99",
which no state's FIPS code does, to mark them fictional. Locale follows the size of the
place (a city with many ZIP codes is a city, a one-ZIP place is a town or rural), and
enrollment and demographics follow the locale, with variety between districts and schools.
Everything is `is_demo=True`.
"""

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import FloatField
from django.db.models.functions import Cast

from geography.models import Region, ZipCode

from .models import District, Locale, School, locale_for_code

DISTRICTS_PER_SCALE = 150
MIN_DISTRICTS_PER_REGION = 2
ID_PREFIX = "99"
FOUR_PLACES = Decimal("0.0001")
SIX_PLACES = Decimal("0.000001")

PLACE_FIRST = (
    "Cedar", "Pine", "Maple", "Oak", "Willow", "Aspen", "Birch", "Elm", "Spruce", "Juniper",
    "Laurel", "Cottonwood", "Sycamore", "Hickory", "Eagle", "Falcon", "Heron", "Fox", "Deer",
    "Elk", "Silver", "Golden", "Crystal", "Stone", "Clear", "Sandy", "Rocky", "Green", "Blue",
    "Fair", "Spring", "Sun", "Lake", "River", "Prairie", "Meadow", "Mill", "Harbor", "Bear",
    "Hawk",
)  # fmt: skip
PLACE_SECOND = (
    "Valley", "Ridge", "Creek", "Grove", "Hills", "Springs", "Falls", "Meadows", "Park",
    "View", "Point", "Crossing", "Hollow", "Bluff", "Plains", "Field", "Brook", "Bend",
    "Canyon", "Mesa",
)  # fmt: skip
# District names follow the state's own naming; the default is "{p} School District".
DISTRICT_TEMPLATES = {
    "CA": ("{p} Unified School District", "{p} Elementary School District"),
    "TX": ("{p} Independent School District",),
    "NY": ("{p} Central School District", "{p} Union Free School District"),
    "IA": ("{p} Community School District",),
    "PA": ("{p} Area School District", "{p} School District"),
    "OH": ("{p} Local School District", "{p} City School District"),
    "MI": ("{p} Public Schools", "{p} Community Schools"),
    "IL": ("{p} Community Unit School District", "{p} School District"),
    "NJ": ("{p} Public Schools", "{p} Regional School District"),
    "MA": ("{p} Public Schools", "{p} Regional School District"),
    "CT": ("{p} Public Schools",),
    "IN": ("{p} Community Schools", "{p} School Corporation"),
    "MN": ("{p} Public Schools", "{p} Independent School District"),
    "WI": ("{p} School District", "{p} Area School District"),
    "MO": ("{p} R-II School District", "{p} School District"),
}
DEFAULT_TEMPLATES = ("{p} School District", "{p} Public Schools")
SCHOOL_NAMES = (
    "Lincoln", "Washington", "Jefferson", "Roosevelt", "Franklin", "Madison", "Adams",
    "Kennedy", "Garfield", "McKinley", "Longfellow", "Whittier", "Emerson", "Hawthorne",
    "Edison", "Audubon", "Carver", "Douglass", "Tubman", "King", "Chavez", "Parks", "Sequoyah",
    "Keller", "Earhart", "Hopper", "Sunrise", "Sunset", "Meadowbrook", "Brookside",
    "Hillcrest", "Lakeside", "Riverside", "Parkview", "Westwood", "Eastgate", "Northside",
    "Southside", "Oak Grove", "Maple Hill", "Pine Crest", "Willow Creek", "Cedar Park",
    "Mountain View", "Valley View", "Prairie View", "Orchard", "Discovery", "Horizon",
    "Pioneer", "Liberty", "Heritage", "Harmony", "Evergreen", "Bluebird", "Canyon",
)  # fmt: skip
STREETS = (
    "School Street", "Main Street", "Oak Avenue", "Academy Road", "Education Way",
    "Park Drive", "College Street", "Mill Road", "Church Street", "Center Street",
    "Maple Avenue", "Ridge Road", "Lake Street", "Pine Street", "Highland Avenue",
)  # fmt: skip

# Locale codes by the size of the place (standard ZIP codes its name has in its state).
LOCALES_BY_PLACE_SIZE = (
    (15, ((11, 8), (21, 2))),
    (6, ((12, 5), (21, 3), (22, 2))),
    (3, ((13, 4), (22, 3), (23, 3))),
    (2, ((23, 2), (31, 3), (32, 3), (41, 2))),
    (1, ((32, 2), (33, 2), (41, 2), (42, 3), (43, 3))),
)
# A small place in the county of the region's city is a suburb, mostly.
METRO_LOCALES = ((21, 4), (22, 3), (23, 2), (41, 1))
SCHOOLS_PER_DISTRICT = {
    11: (8, 16), 12: (6, 12), 13: (4, 8), 21: (6, 12), 22: (4, 9), 23: (3, 6),
    31: (3, 6), 32: (2, 5), 33: (1, 4), 41: (2, 4), 42: (1, 3), 43: (1, 2),
}  # fmt: skip
# Students per school by level, and how the locale scales them.
BASE_ENROLLMENT = {"elementary": 430, "middle": 640, "high": 1150, "k12": 210, "secondary": 380}
LOCALE_SIZE = {Locale.CITY: 1.2, Locale.SUBURB: 1.1, Locale.TOWN: 0.75, Locale.RURAL: 0.5}
# District means: free/reduced-price lunch and under-represented minority shares.
LOCALE_FRL = {Locale.CITY: 0.62, Locale.SUBURB: 0.36, Locale.TOWN: 0.52, Locale.RURAL: 0.47}
LOCALE_URM = {Locale.CITY: 0.62, Locale.SUBURB: 0.36, Locale.TOWN: 0.27, Locale.RURAL: 0.2}
# How much more (or less) diverse a state's schools are than the locale alone says.
STATE_URM_SHIFT = {
    "NM": 0.35, "TX": 0.25, "CA": 0.25, "HI": 0.3, "AZ": 0.2, "NV": 0.2, "FL": 0.15,
    "GA": 0.15, "MS": 0.2, "LA": 0.15, "MD": 0.15, "DC": 0.3, "PR": 0.7, "AS": 0.7, "GU": 0.6,
    "MP": 0.6, "VI": 0.7, "AK": 0.15, "VT": -0.12, "ME": -0.12, "NH": -0.1, "WV": -0.12,
    "IA": -0.08, "ND": -0.05, "MT": -0.02, "WY": -0.05,
}  # fmt: skip


@dataclass
class DemoSchools:
    districts: int = 0
    schools: int = 0
    by_locale: Counter = field(default_factory=Counter)


@dataclass
class _Zip:
    pk: int
    city: str
    state_id: int
    state_code: str
    county_id: int | None
    lat: float | None
    lon: float | None


def demo_schools_delete() -> int:
    """Delete every demo school and district; returns the number of rows deleted."""
    schools, _ = School.objects.filter(is_demo=True).delete()
    districts, _ = District.objects.filter(is_demo=True).delete()
    return schools + districts


def demo_schools(*, rng: random.Random, scale: int) -> DemoSchools:
    """Create the demo districts and schools (about DISTRICTS_PER_SCALE districts per scale
    step) in the demo regions that are not closed. Deterministic for a given `rng` state."""
    regions = list(
        Region.objects.filter(is_demo=True)
        .exclude(status=Region.Status.CLOSED)
        .order_by("name")
        .values_list("pk", flat=True)
    )
    by_region: dict[int, list[_Zip]] = defaultdict(list)
    rows = (
        ZipCode.objects.filter(region__in=regions, kind=ZipCode.Kind.STANDARD)
        .order_by("code")
        # Floats, not decimals: tens of thousands of rows, and only a jitter is added.
        .annotate(lat=Cast("latitude", FloatField()), lon=Cast("longitude", FloatField()))
        .values_list("pk", "city", "state_id", "state__code", "county_id", "lat", "lon", "region")
    )
    for pk, city, state_id, code, county_id, lat, lon, region_id in rows:
        by_region[region_id].append(_Zip(pk, city, state_id, code, county_id, lat, lon))
    regions = [r for r in regions if by_region[r]]
    if not regions:
        return DemoSchools()
    place_size = Counter(
        (state_id, city.lower())
        for state_id, city in ZipCode.objects.filter(
            state_id__in={z.state_id for zips in by_region.values() for z in zips},
            kind=ZipCode.Kind.STANDARD,
        ).values_list("state_id", "city")
    )

    counts = _allocate(regions, by_region, DISTRICTS_PER_SCALE * scale, rng)
    builder = _Builder(rng, place_size)
    for region_id in regions:
        builder.region(by_region[region_id], counts[region_id])
    District.objects.bulk_create(builder.districts, batch_size=500)
    for school in builder.schools:
        school.district_id = school.district.pk
    School.objects.bulk_create(builder.schools, batch_size=500)
    return DemoSchools(
        districts=len(builder.districts),
        schools=len(builder.schools),
        by_locale=Counter(s.locale for s in builder.schools),
    )


def _allocate(
    regions: list[int], by_region: dict[int, list[_Zip]], total: int, rng: random.Random
) -> dict[int, int]:
    """Districts per region: a few each, the rest by the square root of its ZIP count."""
    counts = dict.fromkeys(regions, MIN_DISTRICTS_PER_REGION)
    extra = total - MIN_DISTRICTS_PER_REGION * len(regions)
    if extra > 0:
        weights = [math.sqrt(len(by_region[r])) for r in regions]
        for region_id in rng.choices(regions, weights, k=extra):
            counts[region_id] += 1
    return counts


def _pick(options: tuple[tuple[int, int], ...], rng: random.Random) -> int:
    """One value of (value, weight) pairs."""
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights)[0]


def _around(mean: float, spread: float, rng: random.Random) -> float:
    """A share near `mean`, varied on the logit scale so it stays inside 0..1 naturally."""
    mean = min(0.98, max(0.02, mean))
    return 1 / (1 + math.exp(-(math.log(mean / (1 - mean)) + rng.gauss(0, spread))))


def _fraction(value: float) -> Decimal:
    return Decimal(str(value)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


class _Builder:
    def __init__(self, rng: random.Random, place_size: Counter):
        self.rng = rng
        self.place_size = place_size
        self.districts: list[District] = []
        self.schools: list[School] = []
        self.names_by_state: dict[int, set[str]] = defaultdict(set)
        taken = set(
            District.objects.filter(nces_id__startswith=ID_PREFIX).values_list("nces_id", flat=True)
        )
        candidates = (f"{ID_PREFIX}{n:05d}" for n in range(1, 100_000))
        self.ids = (nces_id for nces_id in candidates if nces_id not in taken)

    def region(self, zips: list[_Zip], districts: int) -> None:
        rng = self.rng
        cities: dict[str, list[_Zip]] = defaultdict(list)
        for z in zips:
            cities[z.city].append(z)
        by_county: dict[int | None, list[_Zip]] = defaultdict(list)
        for z in zips:
            by_county[z.county_id].append(z)
        metro = {
            z.county_id
            for z in zips
            if z.county_id and self.place_size[(z.state_id, z.city.lower())] >= 15
        }
        # The biggest place first (the region's city district), then a place next to it (a
        # suburb), then places at random.
        ordered = sorted(cities, key=lambda c: (-len(cities[c]), c))
        rest = ordered[1:]
        rng.shuffle(rest)
        nearby = [c for c in rest if cities[c][0].county_id in metro]
        if nearby:
            rest.remove(nearby[0])
            rest.insert(0, nearby[0])
        places = [ordered[0], *rest]
        for number in range(districts):
            city = places[number % len(places)]
            self.district(cities[city], by_county, metro)

    def district(self, city_zips: list[_Zip], by_county: dict, metro: set[int]) -> None:
        rng = self.rng
        anchor = city_zips[0]
        size = self.place_size[(anchor.state_id, anchor.city.lower())]
        options = next(opts for least, opts in LOCALES_BY_PLACE_SIZE if size >= least)
        if size < 3 and anchor.county_id in metro:
            options = METRO_LOCALES
        code = _pick(options, rng)
        locale = locale_for_code(code)
        place, name = self.district_name(anchor)
        district = District(
            nces_id=next(self.ids),
            name=name,
            state_id=anchor.state_id,
            county_id=anchor.county_id,
            city=anchor.city,
            zip_code_id=anchor.pk,
            is_demo=True,
        )
        self.districts.append(district)

        # Where its schools are: the place's ZIP codes, and its county's when it has few.
        pool = list(city_zips)
        if len(pool) < 3:
            pool += [z for z in by_county.get(anchor.county_id, []) if z not in pool][:6]
        shift = STATE_URM_SHIFT.get(anchor.state_code, 0.0)
        frl = _around(LOCALE_FRL[locale], 0.6, rng)
        urm = _around(LOCALE_URM[locale] + shift, 0.6, rng)
        low, high = SCHOOLS_PER_DISTRICT[code]
        used: set[str] = set()
        for level, lowest, highest in self.plan(rng.randint(low, high)):
            z = rng.choice(pool)
            enrollment = BASE_ENROLLMENT[level] * LOCALE_SIZE[locale] * rng.lognormvariate(0, 0.3)
            if code == 43:
                enrollment *= 0.6
            name = self.school_name(level, place, used)
            school = School(
                nces_id=f"{district.nces_id}{len(used):05d}",
                name=name,
                district=district,
                state_id=z.state_id,
                county_id=z.county_id,
                zip_code_id=z.pk,
                street=f"{rng.randint(1, 48) * 25} {rng.choice(STREETS)}",
                city=z.city,
                phone=f"(555) 555-{100 + len(self.schools) % 100:04d}",
                lowest_grade=lowest,
                highest_grade=highest,
                enrollment=max(18, round(enrollment)),
                # High schools under-report free lunch: teenagers sign up less.
                frl_share=_fraction(_around(frl - (0.05 if level == "high" else 0), 0.3, rng)),
                urm_share=_fraction(_around(urm, 0.25, rng)),
                female_share=_fraction(_around(0.487, 0.05, rng)),
                locale=locale,
                locale_code=code,
                latitude=self.jitter(z.lat, rng),
                longitude=self.jitter(z.lon, rng),
                is_demo=True,
            )
            if rng.random() < 0.03:
                school.frl_share = None  # suppressed in the source, as some are
            self.schools.append(school)

    @staticmethod
    def plan(count: int) -> list[tuple[str, str, str]]:
        """(level, lowest grade, highest grade) for a district of `count` schools."""
        if count == 1:
            return [("k12", "KG", "12")]
        if count == 2:
            return [("elementary", "PK", "06"), ("secondary", "07", "12")]
        high = max(1, round(count * 0.18))
        middle = max(1, round(count * 0.22))
        elementary = count - high - middle
        return (
            [("elementary", "KG", "05")] * elementary
            + [("middle", "06", "08")] * middle
            + [("high", "09", "12")] * high
        )

    def district_name(self, anchor: _Zip) -> tuple[str, str]:
        """A fictional place and the district's name, unique in its state."""
        rng = self.rng
        templates = DISTRICT_TEMPLATES.get(anchor.state_code, DEFAULT_TEMPLATES)
        taken = self.names_by_state[anchor.state_id]
        for _ in range(50):
            place = f"{rng.choice(PLACE_FIRST)} {rng.choice(PLACE_SECOND)}"
            name = rng.choice(templates).format(p=place)
            if name not in taken:
                break
        base, n = name, 2
        while name in taken:  # numbered, as many real districts are
            name, n = f"{base} No. {n}", n + 1
        taken.add(name)
        return place, name

    def school_name(self, level: str, place: str, used: set[str]) -> str:
        rng = self.rng
        suffix = {
            "elementary": "Elementary School",
            "middle": "Middle School",
            "high": "High School",
            "k12": "School",
            "secondary": "Junior-Senior High School",
        }[level]
        first = f"{place} {suffix}"
        if level in ("k12", "secondary") or (level == "high" and first not in used):
            name = first
        else:
            name = f"{rng.choice(SCHOOL_NAMES)} {suffix}"
            while name in used:
                name = f"{rng.choice(SCHOOL_NAMES)} {suffix}"
        used.add(name)
        return name

    @staticmethod
    def jitter(value: float | None, rng: random.Random) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value + rng.uniform(-0.015, 0.015))).quantize(SIX_PLACES)
