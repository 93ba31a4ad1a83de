"""Fictional, deterministic demo data: people of every role, regions and Regional Partners.

`demo_seed()` builds a believable program from the geography in the database: most states
are whole-state regions, a few are split into county regions (California, Texas, and many
more at larger scales), and a few city neighbourhoods are ZIP-level regions. Every person and
organization is invented from word lists with a fixed-seed `random.Random`, so two runs on the
same database produce the same data. Everything it writes is marked `is_demo=True` and only
those rows are ever deleted again (and the applications of demo users, which have no flag of
their own: see applications.demo).
"""

import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Role, User
from applications.demo import (
    APPLICATIONS_PER_SCALE,
    demo_application_counts,
    demo_applications,
    demo_applications_blockers,
    demo_applications_delete,
    mail_suppressed,
)
from applications.models import Review
from core.demo_names import random_name
from districts.demo import demo_schools, demo_schools_delete
from districts.demo_partnerships import demo_partnerships, demo_partnerships_delete
from districts.models import DistrictPartnership
from events.demo import demo_events, demo_events_delete
from facilitators.demo import demo_facilitators
from funding.demo_awards import demo_awards
from funding.demo_spending import demo_spending, demo_spending_delete
from funding.models import Disbursement, FundingAward, IndependentFunding, SpendingReport
from geography import loader
from geography.models import County, Region, RegionCounty, RegionState, RegionZip, State, ZipCode
from geography.services import regions_reindex
from metrics.demo import TARGETS_PER_PARTNER, demo_targets
from pages.models import TermSheet
from surveys.demo import demo_surveys
from workshops.demo import demo_workshops
from workshops.demo_attendance import demo_attendance
from workshops.demo_enrollment import demo_enrollments
from workshops.demo_volume import demo_volume, demo_volume_delete, volume_estimate
from workshops.models import Course, Workshop, WorkshopFacilitator

from .demo_checkins import demo_checkins
from .models import OrganizationType, Partner, ProgramManager

SEED = 20_240_901

# The fixed logins, always these addresses, all with settings.DEMO_PASSWORD.
DEMO_LOGINS: tuple[tuple[str, str, str, str], ...] = (
    ("admin@demo.test", Role.PROGRAM_ADMIN, "Avery", "Lindqvist"),
    ("regional-manager@demo.test", Role.REGIONAL_MANAGER, "Rowan", "Okafor"),
    ("program-manager@demo.test", Role.PROGRAM_MANAGER, "Priya", "Castellano"),
    ("facilitator@demo.test", Role.FACILITATOR, "Felix", "Marchetti"),
    ("teacher@demo.test", Role.TEACHER, "Tamsin", "Whitaker"),
    ("applicant@demo.test", Role.APPLICANT, "Abel", "Fairbanks"),
)
SENTINEL_EMAIL = DEMO_LOGINS[0][0]

# Volumes at scale 1 (multiplied by the scale).
EXTRA_PROGRAM_ADMINS = 1
EXTRA_REGIONAL_MANAGERS = 4
TEACHERS = 50
FACILITATORS = 15
APPLICANTS = 10
# Rows the steps after the partners write per partner at --activity 1, about (scale 1: 600):
# the progress bar's total until they have run.
OPERATION_ROWS_PER_PARTNER = 600

# Share of regions in each non-served status, and of served regions that share a partner.
CLOSED_SHARE, OPEN_SHARE, ONBOARDING_SHARE = 0.05, 0.19, 0.09
MERGED_SHARE = 0.15

# States split into county regions at scale 1 (more are split as the scale grows).
BASE_SPLITS = {"CA": 3, "TX": 4}
STATE_GROUPS = (
    ("Northern New England", ("ME", "NH", "VT")),
    ("Puerto Rico and the U.S. Virgin Islands", ("PR", "VI")),
    ("Pacific Islands", ("AS", "GU", "MP")),
)
# Neighbouring states one partner may serve together.
NEIGHBOR_PAIRS = (
    ("ID", "MT"), ("MT", "WY"), ("WY", "CO"), ("NE", "KS"), ("KS", "OK"), ("CT", "RI"),
    ("VA", "WV"), ("AR", "LA"), ("MS", "AL"), ("DE", "NJ"), ("UT", "NV"), ("OR", "WA"),
    ("IA", "MN"), ("WI", "MI"), ("KY", "TN"), ("SC", "GA"), ("NM", "AZ"), ("ND", "SD"),
    ("MD", "DC"), ("IN", "OH"), ("MO", "IA"), ("NC", "SC"), ("ND", "MN"),
)  # fmt: skip
# ZIP-level regions: (state, city in the ZIP data, region name). One per scale step.
CITY_REGIONS = (
    ("NY", "Bronx", "New York City: The Bronx"),
    ("IL", "Chicago", "Chicago (city ZIP codes)"),
    ("PA", "Philadelphia", "Philadelphia (city ZIP codes)"),
    ("MI", "Detroit", "Detroit (city ZIP codes)"),
    ("TN", "Memphis", "Memphis (city ZIP codes)"),
    ("OH", "Cleveland", "Cleveland (city ZIP codes)"),
    ("MD", "Baltimore", "Baltimore (city ZIP codes)"),
    ("CA", "Oakland", "Oakland (city ZIP codes)"),
    ("GA", "Atlanta", "Atlanta (city ZIP codes)"),
    ("WA", "Seattle", "Seattle (city ZIP codes)"),
)

PLACES = (
    "Cascade", "Lakeshore", "High Plains", "Tidewater", "Blue Mesa", "Redwood Coast",
    "Sagebrush", "Bayou Country", "Prairie Wind", "Timberline", "Riverbend", "Canyonlands",
    "Summit Valley", "Harborview", "Pinecrest", "Bluestem", "Golden Valley", "Silver Lake",
    "Ironwood", "Cedar Ridge", "Juniper Hills", "Sandhill", "Big Sky", "Northwoods",
    "Gulf Coast", "Heartland", "Great Basin", "Lowcountry", "Ozark Highlands",
    "Appalachian Ridge", "Desert Sun", "Three Rivers", "Twin Lakes", "Painted Hills",
    "Red Rock", "Coastal Plain", "Green Mountain", "Granite Peak", "Sunflower", "Magnolia",
    "Evergreen", "Palmetto", "Bluegrass", "Frontier", "Windward", "Clearwater",
    "Northern Lights", "Dune Country", "Lone Pine", "Cypress Bend", "Copper Range",
    "Sierra Foothills", "Tallgrass", "Wildflower", "Crossroads", "Keystone Valley",
    "Maple Hollow", "Osprey Bay", "Saltwater", "Thunder Basin",
)  # fmt: skip
PLACES_BY_AREA = (
    (("CT", "ME", "MA", "NH", "RI", "VT"), (
        "Granite Peak", "Green Mountain", "Maple Hollow", "Osprey Bay", "Saltwater",
        "Harborview", "Northwoods",
    )),
    (("NY", "NJ", "PA", "DE", "MD", "DC"), (
        "Keystone Valley", "Tidewater", "Harborview", "Three Rivers", "Riverbend",
        "Appalachian Ridge", "Coastal Plain",
    )),
    (("VA", "WV", "NC", "SC", "GA", "FL"), (
        "Lowcountry", "Palmetto", "Tidewater", "Magnolia", "Cypress Bend", "Sandhill",
        "Appalachian Ridge", "Coastal Plain",
    )),
    (("KY", "TN", "AL", "MS"), (
        "Bluegrass", "Magnolia", "Cypress Bend", "Riverbend", "Crossroads", "Appalachian Ridge",
    )),
    (("AR", "LA", "OK", "TX"), (
        "Bayou Country", "Ozark Highlands", "Red Rock", "Gulf Coast", "Prairie Wind",
        "High Plains", "Crossroads", "Tallgrass",
    )),
    (("OH", "IN", "IL", "MI", "WI"), (
        "Lakeshore", "Northwoods", "Heartland", "Crossroads", "Twin Lakes", "Silver Lake",
        "Three Rivers", "Tallgrass",
    )),
    (("MN", "IA", "MO", "ND", "SD", "NE", "KS"), (
        "Prairie Wind", "Bluestem", "High Plains", "Sunflower", "Tallgrass", "Heartland",
        "Northern Lights", "Twin Lakes", "Ozark Highlands",
    )),
    (("MT", "ID", "WY", "CO", "UT", "NV", "AZ", "NM"), (
        "Big Sky", "Timberline", "Sagebrush", "Great Basin", "Blue Mesa", "Canyonlands",
        "Red Rock", "Desert Sun", "Copper Range", "Thunder Basin", "Painted Hills", "Lone Pine",
    )),
    (("WA", "OR", "CA", "AK", "HI"), (
        "Cascade", "Redwood Coast", "Evergreen", "Sierra Foothills", "Windward", "Clearwater",
        "Golden Valley", "Northern Lights", "Dune Country",
    )),
    (("PR", "VI", "GU", "AS", "MP"), ("Windward", "Saltwater", "Osprey Bay")),
)  # fmt: skip
# Regional education units go by different names from state to state.
REU_TEMPLATES_BY_STATE = {
    "NE": ("{p} Educational Service Unit",),
    "PA": ("{p} Intermediate Unit",),
    "WA": ("{p} Education Service District",),
    "OR": ("{p} Education Service District",),
    "NY": ("{p} Board of Cooperative Educational Services",),
    "CO": ("{p} Board of Cooperative Educational Services",),
    "IA": ("{p} Area Education Agency",),
    "IL": ("{p} Regional Office of Education",),
    "TX": ("{p} Education Service Center",),
    "MI": ("{p} Intermediate School District",),
    "CA": ("{p} County Office of Education Consortium",),
    "WI": ("{p} Cooperative Educational Service Agency",),
}
NAME_TEMPLATES = {
    OrganizationType.REGIONAL_EDUCATION_UNIT: (
        "{p} Regional Education Service Center",
        "{p} Regional Education Cooperative",
        "{p} Educational Service Agency",
    ),
    OrganizationType.NONPROFIT: (
        "{p} Computing Collaborative",
        "{p} CS Alliance",
        "{p} Coding Coalition",
        "Code {p}",
        "{p} Tech Education Network",
        "{p} Center for Digital Learning",
        "{p} STEM Partnership",
    ),
    OrganizationType.UNIVERSITY: (
        "University of the {p} Center for CS Education",
        "{p} State College Computing Outreach",
        "{p} Institute of Technology K-12 Outreach",
        "{p} University CS for All Initiative",
        "{p} Polytechnic Teacher Learning Lab",
    ),
    OrganizationType.OTHER: (
        "{p} Science Museum Learning Lab",
        "{p} Library System Maker Program",
    ),
}
ORG_TYPE_WEIGHTS = (
    (OrganizationType.REGIONAL_EDUCATION_UNIT, 35),
    (OrganizationType.NONPROFIT, 38),
    (OrganizationType.UNIVERSITY, 22),
    (OrganizationType.OTHER, 5),
)
ORG_PHRASES = {
    OrganizationType.REGIONAL_EDUCATION_UNIT: "a regional education service agency",
    OrganizationType.NONPROFIT: "a nonprofit",
    OrganizationType.UNIVERSITY: "a university outreach center",
    OrganizationType.OTHER: "a community learning organization",
}
EXTRA_SENTENCES = (
    "Its facilitators lead summer workshops and school-year follow-ups in person and online.",
    "It convenes a district leaders' network every quarter to plan CS course pathways.",
    "Its team pairs new CS teachers with experienced mentors from nearby schools.",
    "It focuses on rural districts, where it runs its workshops close to the schools.",
    "It works with local employers who host teacher externships each summer.",
    "It publishes a yearly report on CS access across the schools it serves.",
)


FTE_PATTERNS = {
    1: (("1.00",), ("0.75",), ("0.50",)),
    2: (
        ("0.50", "0.50"),
        ("0.75", "0.25"),
        ("1.00", "0.50"),
        ("0.60", "0.40"),
        ("0.50", "0.25"),
        ("1.00", "0.20"),
    ),
    3: (
        ("0.50", "0.25", "0.25"),
        ("0.40", "0.30", "0.20"),
        ("1.00", "0.50", "0.10"),
        ("0.30", "0.20", "0.10"),
    ),
}

Progress = Callable[[int], None]


@dataclass
class DemoReport:
    created: bool
    message: str
    geography_loaded: bool = False
    deleted: int = 0
    users: dict[str, int] = field(default_factory=dict)
    partners: dict[str, int] = field(default_factory=dict)
    regions: dict[str, int] = field(default_factory=dict)
    program_managers: int = 0
    region_units: dict[str, int] = field(default_factory=dict)
    applications: dict[str, int] = field(default_factory=dict)
    reviews: int = 0
    operations: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class DemoSeedError(Exception):
    pass


def demo_logins() -> list[tuple[str, str]]:
    """The fixed demo logins as (email, role label); all use settings.DEMO_PASSWORD."""
    return [(email, Role(role).label) for email, role, _, _ in DEMO_LOGINS]


def demo_seed(
    *,
    scale: int = 1,
    activity: int = 1,
    reset: bool = False,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> DemoReport:
    """Seed the demo program unless it exists (or, with `reset`, delete and seed it again).

    `scale` multiplies the people, regions and partners; `activity` the partners' history
    (above 1, workshops.demo_volume adds years of workshops, teachers, attendance, surveys
    and teaching reports: see there). `progress` is called with the number of rows written
    since the last call; `on_total` with the number of rows the seed will have written when
    done: an estimate first, corrected as the steps learn their counts, and at the end
    exactly the sum of the progress calls. One transaction; the demo
    applications are made with the real services, which email the applicants after
    commit: `mail_suppressed` wraps the transaction, so that commit sends nothing either.
    """
    with mail_suppressed(), transaction.atomic():
        return _seed(
            scale=scale, activity=activity, reset=reset, progress=progress, on_total=on_total
        )


def _seed(
    *,
    scale: int,
    activity: int,
    reset: bool,
    progress: Progress | None,
    on_total: Callable[[int], None] | None,
) -> DemoReport:
    if scale < 1 or activity < 1:
        raise ValueError("scale and activity must be 1 or more")
    if not reset and User.objects.filter(email=SENTINEL_EMAIL).exists():
        report = _counts(
            DemoReport(
                created=False,
                message=f"Demo data already exists ({SENTINEL_EMAIL}); use --reset to recreate.",
            )
        )
        return report

    report = DemoReport(created=True, message="")
    if not State.objects.exists():
        loader.load_geography()
        report.geography_loaded = True
    report.deleted = _delete_demo_rows()
    taken = sorted(
        email for email, _, _, _ in DEMO_LOGINS if User.objects.filter(email=email).exists()
    )
    if taken:
        raise DemoSeedError(
            f"Not demo users, so left alone, but they hold demo login addresses: {taken}"
        )

    rng = random.Random(SEED)
    geo = _Geography.load()
    regions = _plan_regions(geo, scale)
    if not regions:
        raise DemoSeedError("No state is free for demo regions; load the geography first.")
    _assign_statuses(regions, rng)
    partners = _plan_partners(regions, rng)
    terms = TermSheet.objects.current()
    if terms is None:
        report.notes.append("No published term sheet: partners have no terms version.")
    people = _People(rng)
    users = _plan_users(people, partners, scale, rng)

    courses = _demo_courses()
    total = (
        len(users)
        + sum(len(_courses_for(number, courses)) for number in range(len(partners)))
        + len(partners)
        + sum(len(p.managers) for p in partners)
        + len(regions)
        + sum(len(r.states) + len(r.counties) + len(r.zips) for r in regions)
        + APPLICATIONS_PER_SCALE * scale * any(r.status == Region.Status.OPEN for r in regions)
    )
    active = sum(p.status == Partner.Status.ACTIVE for p in partners)
    counter = _Counter(progress, on_total)
    counter.expect(
        total + OPERATION_ROWS_PER_PARTNER * len(partners) + volume_estimate(active, activity)
    )
    tick = counter.tick
    with disable_auditlog():
        _write(users, partners, regions, terms, courses, tick)
    # Bulk writes send no signals: refresh the ZIP lookup index in one pass.
    regions_reindex()
    # Schools are placed by the regions' ZIP codes, so after the reindex.
    schools = demo_schools(rng=rng, scale=scale)
    # Applications draw on the applicants, open regions, districts and terms made above.
    with disable_auditlog():
        applications = demo_applications(rng=rng, scale=scale, progress=tick)
    report.notes.extend(applications.notes)
    # The partnerships at work: rosters, district commitments, events, check-ins. Each has
    # its own random stream, so adding one never changes what the others make.
    demo_partners = list(Partner.objects.filter(is_demo=True).order_by("pk"))
    today = timezone.localdate()
    operations = [
        ("facilitator accreditations and rosters", demo_facilitators),
        ("district partnerships and commitments", demo_partnerships),
        ("events and registrations", demo_events),
        ("workshops and sessions", demo_workshops),
        ("enrollments", demo_enrollments),
        ("attendance and teaching reports", demo_attendance),
        ("survey responses", demo_surveys),
        ("funding awards and disbursements", demo_awards),
        ("spending reports and independent funding", demo_spending),
        ("check-in notes", demo_checkins),
    ]
    with disable_auditlog():
        for number, (label, make) in enumerate(operations, start=1):
            rows = make(rng=random.Random(SEED + number), partners=demo_partners, today=today)
            report.operations[label] = rows
            tick(rows)
        counter.expect(
            counter.written + volume_estimate(active, activity) + TARGETS_PER_PARTNER * active
        )
        # The years of history at --activity above 1, streamed partner by partner.
        volume = demo_volume(
            seed=SEED + len(operations) + 1,
            partners=demo_partners,
            today=today,
            activity=activity,
            tick=tick,
            expect=lambda rows: counter.expect(
                counter.written + rows + TARGETS_PER_PARTNER * active
            ),
        )
        report.operations.update({f"{label} (history)": n for label, n in volume.items()})
        # Targets last: they are set near each partner's actuals of the year before.
        rows = demo_targets(
            rng=random.Random(SEED + len(operations) + 2), partners=demo_partners, today=today
        )
        report.operations["metric targets"] = rows
        tick(rows)
    counter.expect(counter.written)

    report.message = (
        f"Demo data seeded at scale {scale}, with {schools.districts} school districts "
        f"and {schools.schools} schools, and {sum(applications.applications.values())} "
        "partner applications."
    )
    return _counts(report)


class _Counter:
    """Counts the rows written and keeps the progress bar's total up to date."""

    def __init__(self, progress: Progress | None, on_total: Callable[[int], None] | None):
        self.progress = progress
        self.on_total = on_total
        self.written = 0

    def tick(self, rows: int) -> None:
        self.written += rows
        if self.progress:
            self.progress(rows)

    def expect(self, total: int) -> None:
        if self.on_total:
            self.on_total(max(total, self.written))


# -- deletion ------------------------------------------------------------------------------


def _delete_demo_rows() -> int:
    blockers = demo_applications_blockers()
    real_partnerships = DistrictPartnership.objects.filter(
        district__is_demo=True, partner__is_demo=False
    ).select_related("partner", "district")
    blockers += [
        f"{p.partner.name}'s partnership with the demo district {p.district.name}"
        for p in real_partnerships[:5]
    ]
    real_workshops = Workshop.objects.filter(is_demo=False).filter(
        Q(partner__is_demo=True)
        | Q(reserved_for__is_demo=True)
        | Q(pk__in=WorkshopFacilitator.objects.filter(facilitator__is_demo=True).values("workshop"))
    )
    blockers += [f"the workshop {w} (#{w.pk})" for w in real_workshops[:5]]
    if blockers:
        raise DemoSeedError(
            "Not demo rows, so left alone, but they keep the demo users and regions from being "
            f"deleted: {'; '.join(blockers)}."
        )
    deleted = 0
    with disable_auditlog():
        # First: an application PROTECTs its applicant and region.
        deleted += demo_applications_delete()
        # Funding protects its partner: payments and reports first, then the awards.
        deleted += demo_spending_delete()
        demo_funding = {"award__partner__is_demo": True}
        for model, scope in (
            (Disbursement, demo_funding),
            (SpendingReport, demo_funding),
            (FundingAward, {"partner__is_demo": True}),
            (IndependentFunding, {"partner__is_demo": True}),
        ):
            count, _ = model.objects.filter(**scope).delete()
            deleted += count
        # The rows under the demo workshops, table by table (millions at --activity).
        deleted += demo_volume_delete()
        # Workshops protect their partner, facilitators and reserved district.
        count, _ = Workshop.objects.filter(is_demo=True).delete()
        deleted += count
        # Events outlive partners (summits have no host); partnerships protect districts.
        deleted += demo_events_delete()
        deleted += demo_partnerships_delete()
        deleted += demo_schools_delete()
        for model in (Region, Partner, User):
            count, _ = model.objects.filter(is_demo=True).delete()
            deleted += count
    return deleted


# -- geography -----------------------------------------------------------------------------


@dataclass
class _County:
    pk: int
    fips: str
    name: str
    lat: float
    lon: float
    weight: float  # square root of its ZIP count: between counting counties and people


@dataclass
class _Geography:
    states: dict[str, State]  # usable states by code (none claimed by a non-demo region)
    counties: dict[int, list[_County]]  # by state pk, free counties only
    zip_count: dict[int, int]  # by state pk
    state_cities: dict[int, Counter]
    county_cities: dict[int, Counter]
    city_zips: dict[tuple[int, str], list[int]]  # (state pk, city) -> free standard ZIP pks

    @classmethod
    def load(cls) -> "_Geography":
        claimed_states = set(RegionState.objects.values_list("state_id", flat=True))
        claimed_counties = set(RegionCounty.objects.values_list("county_id", flat=True))
        claimed_zips = set(RegionZip.objects.values_list("zip_code_id", flat=True))
        states = {s.code: s for s in State.objects.order_by("code") if s.pk not in claimed_states}
        state_ids = {s.pk for s in states.values()}

        zip_count: Counter = Counter()
        state_cities: dict[int, Counter] = defaultdict(Counter)
        county_cities: dict[int, Counter] = defaultdict(Counter)
        county_points: dict[int, list[tuple[float, float]]] = defaultdict(list)
        city_zips: dict[tuple[int, str], list[int]] = defaultdict(list)
        rows = ZipCode.objects.filter(state_id__in=state_ids).order_by("code")
        for pk, state_id, county_id, city, lat, lon, kind in rows.values_list(
            "pk", "state_id", "county_id", "city", "latitude", "longitude", "kind"
        ):
            zip_count[state_id] += 1
            if county_id and lat is not None and lon is not None:
                county_points[county_id].append((float(lat), float(lon)))
            if kind == ZipCode.Kind.STANDARD:
                state_cities[state_id][city] += 1
                if county_id:
                    county_cities[county_id][city] += 1
                if pk not in claimed_zips:
                    city_zips[(state_id, city.lower())].append(pk)

        counties: dict[int, list[_County]] = defaultdict(list)
        raw = County.objects.filter(state_id__in=state_ids).exclude(pk__in=claimed_counties)
        by_state: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for pk, state_id, fips, name in raw.order_by("fips").values_list(
            "pk", "state_id", "fips", "name"
        ):
            by_state[state_id].append((pk, fips, name))
        for state_id, rows_ in by_state.items():
            points = [p for pk, _, _ in rows_ for p in county_points.get(pk, [])]
            if points:
                mid = (
                    sum(p[0] for p in points) / len(points),
                    sum(p[1] for p in points) / len(points),
                )
            else:
                mid = (0.0, 0.0)
            for pk, fips, name in rows_:
                pts = county_points.get(pk)
                lat, lon = (
                    (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
                    if pts
                    else mid
                )
                weight = math.sqrt(max(1, len(pts or ())))
                counties[state_id].append(_County(pk, fips, name, lat, lon, weight))
        return cls(states, counties, zip_count, state_cities, county_cities, city_zips)

    def top_cities(self, counter: Counter, n: int = 5) -> list[str]:
        return [c for c, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


@dataclass
class _RegionPlan:
    name: str
    kind: str  # state, county, zip
    home: State
    description: str
    cities: list[str]
    states: list[int] = field(default_factory=list)
    counties: list[int] = field(default_factory=list)
    zips: list[int] = field(default_factory=list)
    codes: tuple[str, ...] = ()
    territory: bool = False
    split_of: str = ""  # state code for county regions
    sibling: "_RegionPlan | None" = None  # a county region it touches (same last cut)
    status: str = Region.Status.SERVED
    partner: "_PartnerPlan | None" = None


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _plan_regions(geo: _Geography, scale: int) -> list[_RegionPlan]:
    plans: list[_RegionPlan] = []
    cities = _available_cities(geo)
    grouped: set[str] = set()
    whole: list[tuple[str, tuple[str, ...]]] = []
    for name, codes in STATE_GROUPS:
        if all(c in geo.states for c in codes):
            whole.append((name, codes))
            grouped.update(codes)
    for code, state in geo.states.items():
        if code not in grouped:
            whole.append((state.name, (code,)))

    # How many county regions each splittable state becomes.
    splittable = {
        code: len(geo.counties.get(s.pk, []))
        for code, s in geo.states.items()
        if code not in grouped and not s.is_territory and len(geo.counties.get(s.pk, [])) >= 4
    }
    pieces = {
        code: min(n, splittable[code] // 2) for code, n in BASE_SPLITS.items() if code in splittable
    }
    base_count = len(whole) - len(pieces) + sum(pieces.values()) + min(1, len(cities))
    for _ in range((scale - 1) * base_count):
        best = None
        for code in sorted(splittable):
            have = pieces.get(code, 1)
            if have >= splittable[code] // 2:
                continue
            load = geo.zip_count[geo.states[code].pk] / have
            if best is None or load > best[0]:
                best = (load, code)
        if best is None:
            break
        pieces[best[1]] = pieces.get(best[1], 1) + 1

    for name, codes in sorted(whole, key=lambda w: w[1][0]):
        if len(codes) == 1 and pieces.get(codes[0], 1) > 1:
            plans.extend(_split_state(geo, geo.states[codes[0]], pieces[codes[0]]))
            continue
        states = [geo.states[c] for c in codes]
        home = max(states, key=lambda s: (geo.zip_count[s.pk], s.code))
        description = (
            f"The state of {home.name}."
            if len(states) == 1 and not home.is_territory
            else f"{_join([s.name for s in states])}."
        )
        if home.code == "DC":
            description = "The District of Columbia."
        plans.append(
            _RegionPlan(
                name=name,
                kind="state",
                home=home,
                description=description,
                cities=geo.top_cities(geo.state_cities[home.pk]) or [home.name],
                states=[s.pk for s in states],
                codes=codes,
                territory=all(s.is_territory for s in states),
            )
        )

    for code, city, name in cities[:scale]:
        state = geo.states[code]
        zips = geo.city_zips[(state.pk, city.lower())]
        plans.append(
            _RegionPlan(
                name=name,
                kind="zip",
                home=state,
                description=f"{len(zips)} ZIP codes of {city}, {state.name}.",
                cities=[city],
                zips=list(zips),
                codes=(code,),
            )
        )
    return plans


def _available_cities(geo: _Geography) -> list[tuple[str, str, str]]:
    """The city regions whose state is loaded and free, with at least five free ZIP codes."""
    return [
        (code, city, name)
        for code, city, name in CITY_REGIONS
        if code in geo.states
        and len(geo.city_zips.get((geo.states[code].pk, city.lower()), ())) >= 5
    ]


def _bisect(
    items: list[_County], k: int, axes: set[str], siblings: list[tuple[int, int]]
) -> list[list[_County]]:
    """Split counties into k compact groups of similar weight, cutting the longer axis.

    The axes cut ("lat", "lon") are added to `axes`, so the names can say only what the
    cuts mean (three latitude bands are Northern, Central and Southern). Two groups made by
    the same last cut touch each other: their ids are added to `siblings`.
    """
    if k <= 1:
        return [items]
    k1 = k // 2
    k2 = k - k1
    lats = [c.lat for c in items]
    lons = [c.lon for c in items]
    mean_lat = sum(lats) / len(lats)
    lon_span = (max(lons) - min(lons)) * math.cos(math.radians(mean_lat))
    by_lat = (max(lats) - min(lats)) >= lon_span
    axes.add("lat" if by_lat else "lon")
    ordered = sorted(items, key=lambda c: ((c.lat if by_lat else c.lon), c.fips))
    total = sum(c.weight for c in items)
    target = total * k1 / k
    best_i, best_gap, running = k1, None, 0.0
    for i in range(1, len(ordered)):
        running += ordered[i - 1].weight
        if i < k1 or len(ordered) - i < k2:
            continue
        gap = abs(running - target)
        if best_gap is None or gap < best_gap:
            best_i, best_gap = i, gap
    first = _bisect(ordered[:best_i], k1, axes, siblings)
    second = _bisect(ordered[best_i:], k2, axes, siblings)
    if k == 2:
        siblings.append((id(first[0]), id(second[0])))
    return first + second


_DIRECTIONS = {
    ("North", ""): "Northern",
    ("South", ""): "Southern",
    ("", "East"): "Eastern",
    ("", "West"): "Western",
    ("North", "East"): "Northeastern",
    ("North", "West"): "Northwestern",
    ("South", "East"): "Southeastern",
    ("South", "West"): "Southwestern",
    ("", ""): "Central",
}


def _position(values: list[float], word_low: str, word_high: str) -> list[str]:
    """Each value's place among the others: low third, middle, high third."""
    low, high = min(values), max(values)
    half = max((high - low) / 2, 1e-9)
    mid = (high + low) / 2
    return [
        word_high if (v - mid) / half > 0.34 else word_low if (v - mid) / half < -0.34 else ""
        for v in values
    ]


def _split_state(geo: _Geography, state: State, k: int) -> list[_RegionPlan]:
    axes: set[str] = set()
    siblings: list[tuple[int, int]] = []
    groups = _bisect(geo.counties[state.pk], k, axes, siblings)
    centers = [(sum(c.lat for c in g) / len(g), sum(c.lon for c in g) / len(g)) for g in groups]
    vertical = _position([lat for lat, _ in centers], "South", "North")
    horizontal = _position([lon for _, lon in centers], "West", "East")
    labels = [
        f"{_DIRECTIONS[(v if 'lat' in axes else '', h if 'lon' in axes else '')]} {state.name}"
        for v, h in zip(vertical, horizontal, strict=True)
    ]
    seen = Counter(labels)
    plans = []
    for label, group in zip(labels, groups, strict=True):
        anchor = max(group, key=lambda c: (c.weight, c.fips))
        name = label if seen[label] == 1 else f"{label}: {anchor.name} area"
        biggest = sorted(group, key=lambda c: (-c.weight, c.fips))[:3]
        cities: Counter = Counter()
        for c in group:
            cities.update(geo.county_cities.get(c.pk, Counter()))
        plans.append(
            _RegionPlan(
                name=name,
                kind="county",
                home=state,
                description=(
                    f"{len(group)} {'county' if len(group) == 1 else 'counties'} of "
                    f"{state.name}, including {_join([c.name for c in biggest])}."
                ),
                cities=geo.top_cities(cities) or [state.name],
                counties=[c.pk for c in group],
                codes=(state.code,),
                split_of=state.code,
            )
        )
    by_group = {id(g): plan for g, plan in zip(groups, plans, strict=True)}
    for a, b in siblings:
        by_group[a].sibling = by_group[b]
    return plans


def _assign_statuses(plans: list[_RegionPlan], rng: random.Random) -> None:
    n = len(plans)
    remaining = [i for i, p in enumerate(plans) if p.kind != "zip"]
    budget = len(remaining) - (0 if len(remaining) < n else 1)  # keep one region served
    for status, share in (
        (Region.Status.CLOSED, CLOSED_SHARE),
        (Region.Status.OPEN, OPEN_SHARE),
        (Region.Status.ONBOARDING, ONBOARDING_SHARE),
    ):
        quota = min(max(1, round(n * share)), budget)
        if quota <= 0:
            break
        chosen: list[int] = []
        if status == Region.Status.CLOSED:
            chosen = [i for i in remaining if plans[i].territory][:quota]
        rest = [i for i in remaining if i not in chosen]
        chosen += rng.sample(rest, quota - len(chosen))
        for i in chosen:
            plans[i].status = status
        remaining = [i for i in remaining if i not in set(chosen)]
        budget -= quota


# -- partners ------------------------------------------------------------------------------


@dataclass
class _PartnerPlan:
    regions: list[_RegionPlan]
    status: str
    name: str = ""
    slug: str = ""
    host: str = ""
    organization_type: str = ""
    city: str = ""
    home: State | None = None
    active_since: date | None = None
    description: str = ""
    managers: list[tuple["_UserPlan", Decimal, date]] = field(default_factory=list)
    regional_manager: "_UserPlan | None" = None
    obj: Partner | None = None


def _plan_partners(regions: list[_RegionPlan], rng: random.Random) -> list[_PartnerPlan]:
    index = {id(r): i for i, r in enumerate(regions)}
    served = [r for r in regions if r.status == Region.Status.SERVED]
    candidates: list[tuple[_RegionPlan, _RegionPlan]] = []
    candidates.extend((r, r.sibling) for r in regions if r.sibling)
    single = {r.codes[0]: r for r in regions if r.kind == "state" and len(r.codes) == 1}
    candidates.extend(
        (single[a], single[b]) for a, b in NEIGHBOR_PAIRS if a in single and b in single
    )
    candidates = [
        (a, b) for a, b in candidates
        if a.status == Region.Status.SERVED and b.status == Region.Status.SERVED
    ]  # fmt: skip
    rng.shuffle(candidates)
    target = round(len(served) * MERGED_SHARE)
    used: set[int] = set()
    groups: list[list[_RegionPlan]] = []
    for a, b in candidates:
        if len(groups) >= target:
            break
        if id(a) in used or id(b) in used:
            continue
        used.update((id(a), id(b)))
        groups.append(sorted((a, b), key=lambda r: index[id(r)]))
    for r in regions:
        if r.status in (Region.Status.SERVED, Region.Status.ONBOARDING) and id(r) not in used:
            groups.append([r])
    groups.sort(key=lambda g: index[id(g[0])])

    taken_names = set(Partner.objects.values_list("name", flat=True))
    taken_slugs = set(Partner.objects.values_list("slug", flat=True))
    types, weights = zip(*ORG_TYPE_WEIGHTS, strict=True)
    places = _Places(rng)
    partners = []
    for group in groups:
        first = group[0]
        status = (
            Partner.Status.ACTIVE
            if first.status == Region.Status.SERVED
            else Partner.Status.ONBOARDING
        )
        plan = _PartnerPlan(regions=group, status=status)
        plan.organization_type = rng.choices(types, weights)[0]
        plan.home = first.home
        plan.city = rng.choice(first.cities[:5])
        plan.name = _partner_name(plan, places, taken_names, taken_slugs)
        plan.slug = slugify(plan.name)[:200]
        taken_names.add(plan.name)
        taken_slugs.add(plan.slug)
        plan.host = plan.slug[:63].strip("-")
        if status == Partner.Status.ACTIVE:
            plan.active_since = date(rng.randint(2016, 2025), rng.choice((6, 7, 8)), 1)
        plan.description = _partner_description(plan, rng)
        for r in group:
            r.partner = plan
        partners.append(plan)
    return partners


def _partner_name(plan: _PartnerPlan, places: "_Places", names: set, slugs: set) -> str:
    rng = places.rng
    templates = NAME_TEMPLATES[plan.organization_type]
    if plan.organization_type == OrganizationType.REGIONAL_EDUCATION_UNIT:
        templates = REU_TEMPLATES_BY_STATE.get(plan.home.code, templates)
    name = ""
    for attempt in range(40):
        name = rng.choice(templates).format(p=places.draw(plan.home.code))
        if attempt >= 30:
            name = f"{name} of {plan.city}"
        if name not in names and slugify(name)[:200] not in slugs:
            return name
    suffix = 2
    while f"{name} {suffix}" in names or slugify(f"{name} {suffix}") in slugs:
        suffix += 1
    return f"{name} {suffix}"


class _Places:
    """Place words for organization names: the state's own area's words first, no repeats
    until every word has been used once."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: Counter = Counter()
        self.area = {code: words for codes, words in PLACES_BY_AREA for code in codes}

    def draw(self, state_code: str) -> str:
        local = self.area.get(state_code, ())
        for pool in (local, PLACES):
            fewest = min(self.used[w] for w in pool) if pool else None
            if pool and (fewest == 0 or pool is PLACES):
                word = self.rng.choice(sorted(w for w in pool if self.used[w] == fewest))
                self.used[word] += 1
                return word
        raise AssertionError("unreachable")


def _partner_description(plan: _PartnerPlan, rng: random.Random) -> str:
    where = f"{plan.city}, {plan.home.name}" if plan.city != plan.home.name else plan.home.name
    regions = _join([r.name for r in plan.regions])
    opening = f"{plan.name} is {ORG_PHRASES[plan.organization_type]} based in {where}."
    if plan.status == Partner.Status.ACTIVE:
        body = (
            f"As the official Regional Partner for {regions} since {plan.active_since.year}, "
            "it runs professional learning for K-12 teachers, helps school districts start "
            "computer science courses, and supports a community of local facilitators."
        )
    else:
        body = (
            f"It was accepted as the Regional Partner for {regions} and is preparing its "
            "first program year: recruiting facilitators and the first partner districts."
        )
    return f"{opening} {body} {rng.choice(EXTRA_SENTENCES)}"


# -- people --------------------------------------------------------------------------------


@dataclass
class _UserPlan:
    email: str
    role: str
    first_name: str
    last_name: str
    obj: User | None = None


class _People:
    """Makes fictional names and unique addresses."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.taken = {e.lower() for e in User.objects.values_list("email", flat=True)}

    def name(self) -> tuple[str, str]:
        return random_name(self.rng)

    def email(self, first: str, last: str, domain: str) -> str:
        local = f"{first}.{last}".lower()
        email, n = f"{local}@{domain}", 1
        while email in self.taken:
            n += 1
            email = f"{local}{n}@{domain}"
        self.taken.add(email)
        return email

    def person(self, role: str, domain: str) -> _UserPlan:
        first, last = self.name()
        return _UserPlan(self.email(first, last, domain), role, first, last)


def _plan_users(
    people: _People, partners: list[_PartnerPlan], scale: int, rng: random.Random
) -> list[_UserPlan]:
    fixed = {role: _UserPlan(email, role, first, last) for email, role, first, last in DEMO_LOGINS}
    people.taken.update(email for email, *_ in DEMO_LOGINS)
    users = list(fixed.values())
    users += [
        people.person(Role.PROGRAM_ADMIN, "example.org")
        for _ in range(EXTRA_PROGRAM_ADMINS * scale)
    ]
    managers = [fixed[Role.REGIONAL_MANAGER]] + [
        people.person(Role.REGIONAL_MANAGER, "example.org")
        for _ in range(EXTRA_REGIONAL_MANAGERS * scale)
    ]
    users += managers[1:]
    for role, count in (
        (Role.TEACHER, TEACHERS),
        (Role.FACILITATOR, FACILITATORS),
        (Role.APPLICANT, APPLICANTS),
    ):
        users += [people.person(role, "example.com") for _ in range(count * scale - 1)]

    # The fixed program manager shares two partners: the first active one, and the first
    # onboarding one (or a second active one).
    active = [p for p in partners if p.status == Partner.Status.ACTIVE]
    onboarding = [p for p in partners if p.status == Partner.Status.ONBOARDING]
    shared = active[:1] + (onboarding[:1] or active[1:2])
    for i, partner in enumerate(partners):
        partner.regional_manager = managers[i % len(managers)]
        if partner in shared:
            shares: tuple[str, ...] = ("0.50", "0.50")
        else:
            count = rng.choices((1, 2, 3), (40, 45, 15))[0]
            shares = rng.choice(FTE_PATTERNS[count])
        start = partner.active_since or date(2026, rng.choice((5, 6, 7, 8, 9)), 1)
        for j, share in enumerate(shares):
            if j == 0 and partner in shared:
                person = fixed[Role.PROGRAM_MANAGER]
            else:
                first, last = people.name()
                person = _UserPlan(
                    people.email(first, last, f"{partner.host}.example.org"),
                    Role.PROGRAM_MANAGER,
                    first,
                    last,
                )
                users.append(person)
            since = start if j == 0 else date(min(2026, start.year + rng.randint(0, 3)), 7, 1)
            partner.managers.append((person, Decimal(share), since))
    return users


# -- writing -------------------------------------------------------------------------------


def _write(
    users: list[_UserPlan],
    partners: list[_PartnerPlan],
    regions: list[_RegionPlan],
    terms: TermSheet | None,
    courses: list[Course],
    tick: Progress,
) -> None:
    password = make_password(settings.DEMO_PASSWORD)
    for plan in users:
        admin = plan.role == Role.PROGRAM_ADMIN
        plan.obj = User(
            email=plan.email,
            role=plan.role,
            first_name=plan.first_name,
            last_name=plan.last_name,
            password=password,
            is_staff=admin,
            is_superuser=admin,
            is_demo=True,
        )
    _bulk(User, [u.obj for u in users], tick)

    for plan in partners:
        plan.obj = Partner(
            name=plan.name,
            slug=plan.slug,
            organization_type=plan.organization_type,
            status=plan.status,
            description=plan.description,
            website=f"https://{plan.host}.example.org",
            contact_email=f"{plan.host}@example.org",
            city=plan.city,
            state=plan.home,
            regional_manager=plan.regional_manager.obj,
            terms_version=terms,
            active_since=plan.active_since,
            is_demo=True,
        )
    # Each partner sits at a ZIP of its city (the map marks it there).
    homes = {p.home.pk for p in partners if p.home}
    city_zip: dict[tuple[int, str], int] = {}
    for pk, state_id, city in (
        ZipCode.objects.filter(state_id__in=homes, kind=ZipCode.Kind.STANDARD)
        .order_by("code")
        .values_list("pk", "state_id", "city")
    ):
        city_zip.setdefault((state_id, city.lower()), pk)
    for number, plan in enumerate(partners):
        if plan.home:
            plan.obj.zip_code_id = city_zip.get((plan.home.pk, plan.city.lower()))
        plan.obj.address = f"{100 + (number * 37) % 900} {STREETS[number % len(STREETS)]}"
    _bulk(Partner, [p.obj for p in partners], tick)
    through = Partner.courses.through
    _bulk(
        through,
        [
            through(partner_id=p.obj.pk, course_id=course.pk)
            for number, p in enumerate(partners)
            for course in _courses_for(number, courses)
        ],
        tick,
    )
    _bulk(
        ProgramManager,
        [
            ProgramManager(partner=p.obj, user=person.obj, fte_share=share, since=since)
            for p in partners
            for person, share, since in p.managers
        ],
        tick,
    )

    taken_names = set(Region.objects.values_list("name", flat=True))
    taken_slugs = set(Region.objects.values_list("slug", flat=True))
    objs = []
    for plan in regions:
        name, n = plan.name, 1
        while name in taken_names or slugify(name)[:140] in taken_slugs:
            n += 1
            name = f"{plan.name} ({n})"
        taken_names.add(name)
        taken_slugs.add(slugify(name)[:140])
        objs.append(
            Region(
                name=name,
                slug=slugify(name)[:140],
                status=plan.status,
                description=plan.description,
                partner=plan.partner.obj if plan.partner else None,
                is_demo=True,
            )
        )
    _bulk(Region, objs, tick)
    pairs = list(zip(regions, objs, strict=True))
    _bulk(
        RegionState, [RegionState(region=o, state_id=s) for p, o in pairs for s in p.states], tick
    )
    _bulk(
        RegionCounty,
        [RegionCounty(region=o, county_id=c) for p, o in pairs for c in p.counties],
        tick,
    )
    _bulk(RegionZip, [RegionZip(region=o, zip_code_id=z) for p, o in pairs for z in p.zips], tick)


STREETS = ["Main Street", "College Avenue", "Commerce Drive", "Education Way", "Park Road",
           "Library Lane", "Innovation Boulevard", "River Street"]  # fmt: skip

DEMO_COURSES = [
    ("CS Foundations", Course.GradeBand.ELEMENTARY,
     "Computer science basics through unplugged activities and block programming."),
    ("CS Explorations", Course.GradeBand.MIDDLE,
     "Problem solving, web pages, games and physical computing for grades 6-10."),
    ("CS Principles", Course.GradeBand.HIGH,
     "The big ideas of computing: data, the internet, algorithms and programming."),
    ("CS Advanced: Software Engineering", Course.GradeBand.HIGH,
     "Object-oriented programming and teamwork on real software projects."),
]  # fmt: skip


def _demo_courses() -> list[Course]:
    """The catalogue, created when empty (a real program office keeps its own)."""
    if not Course.objects.exists():
        for order, (name, band, description) in enumerate(DEMO_COURSES):
            Course.objects.create(name=name, grade_band=band, description=description, order=order)
    return list(Course.objects.filter(is_active=True))


def _courses_for(number: int, courses: list[Course]) -> list[Course]:
    """Two to all of the catalogue, varying by partner."""
    return courses[: 2 + number % max(len(courses) - 1, 1)]


def _bulk(model, objs: list, tick: Progress, batch: int = 500) -> None:
    for start in range(0, len(objs), batch):
        chunk = objs[start : start + batch]
        model.objects.bulk_create(chunk)
        tick(len(chunk))


# -- report --------------------------------------------------------------------------------


def _counts(report: DemoReport) -> DemoReport:
    def by(qs, key):
        return dict(qs.values_list(key).annotate(n=Count("pk")).order_by(key))

    report.users = by(User.objects.filter(is_demo=True), "role")
    report.partners = by(Partner.objects.filter(is_demo=True), "status")
    report.regions = by(Region.objects.filter(is_demo=True), "status")
    report.program_managers = ProgramManager.objects.filter(partner__is_demo=True).count()
    report.region_units = {
        "states": RegionState.objects.filter(region__is_demo=True).count(),
        "counties": RegionCounty.objects.filter(region__is_demo=True).count(),
        "zips": RegionZip.objects.filter(region__is_demo=True).count(),
    }
    report.applications = demo_application_counts()
    report.reviews = Review.objects.filter(application__applicant__is_demo=True).count()
    return report
