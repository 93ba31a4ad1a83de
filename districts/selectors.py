"""Reads for districts and schools."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.program_years import program_year_for
from geography.models import Region, RegionCounty, RegionState, RegionZip
from partners.models import Partner

from .models import District, DistrictCommitment, DistrictPartnership, School


def schools_in_region(region: Region | int, *, include_closed: bool = False) -> QuerySet[School]:
    """The schools whose ZIP code resolves to the region (see `ZipCode.region`).

    Open schools only unless `include_closed`. A school without a ZIP code is in no region.
    """
    schools = School.objects.filter(zip_code__region=region)
    if not include_closed:
        schools = schools.filter(is_active=True)
    return schools


def school_counts_by_region() -> dict[int, int]:
    """The number of open schools in each region, by region id; one query.

    Regions without a school are absent (count 0).
    """
    rows = (
        School.objects.filter(is_active=True, zip_code__region__isnull=False)
        .values_list("zip_code__region")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


# --- District partnerships ----------------------------------------------------------------

# The add form lists at most this many matches; a longer list asks for a narrower search.
DISTRICT_CHOICES_LIMIT = 25


def _located_schools(district_ref) -> QuerySet[School]:
    """Open schools of a district with a ZIP code: the ones that say where it teaches."""
    return School.objects.filter(district=district_ref, is_active=True, zip_code__isnull=False)


def districts_in_area(partner: Partner) -> QuerySet[District]:
    """The districts in a partner's area: the one rule every add and check uses.

    A partner's area is its regions (`Region.partner`). Where a district is, is judged on
    the most specific evidence there is, through the ZIP lookup index (`ZipCode.region`,
    the most specific of ZIP, county and state links, kept fresh by `regions_reindex`):

    - A district with open schools that have a ZIP code is in the area when at least one of
      those schools, or the district's own office ZIP, resolves to one of the partner's
      regions. Districts cross region lines; one school inside is enough to work with it.
    - A district without such schools (not imported yet, or all closed) is in the area when
      its state is one the partner's regions touch, whole or through a county or a ZIP
      (as `geography.selectors.region_states` counts them). Without schools nothing finer
      is reliable: a district office's ZIP or county says little about where it teaches.

    One query when evaluated; the partner's states are subqueries.
    """
    regions = Region.objects.filter(partner=partner)
    located = _located_schools(OuterRef("pk"))
    in_region = Exists(located.filter(zip_code__region__in=regions)) | Q(
        zip_code__region__in=regions
    )
    touched_states = (
        Q(state__in=RegionState.objects.filter(region__in=regions).values("state"))
        | Q(state__in=RegionCounty.objects.filter(region__in=regions).values("county__state"))
        | Q(state__in=RegionZip.objects.filter(region__in=regions).values("zip_code__state"))
    )
    return District.objects.filter(
        (Exists(located) & in_region) | (~Exists(located) & touched_states)
    )


def district_in_area(partner: Partner, district: District) -> bool:
    """Whether a district is in the partner's area (see `districts_in_area`)."""
    return districts_in_area(partner).filter(pk=district.pk).exists()


def district_choices_for(partner: Partner, query: str = "") -> QuerySet[District]:
    """Districts a partner may add: in its area, not yet partners, matching `query`.

    `query` is part of the district's name or the start of its NCES id; empty lists all.
    Ordered by name, with state and county for the labels; slice it for a page of choices
    (`DISTRICT_CHOICES_LIMIT`).
    """
    districts = districts_in_area(partner).exclude(partnerships__partner=partner)
    query = (query or "").strip()
    if query:
        condition = Q(name__icontains=query)
        if query.isdigit():
            condition |= Q(nces_id__startswith=query)
        districts = districts.filter(condition)
    return districts.select_related("state", "county").order_by("name", "nces_id")


def _year_commitments(program_year: str) -> Prefetch:
    return Prefetch(
        "commitments",
        queryset=DistrictCommitment.objects.filter(program_year=program_year).select_related(
            "course"
        ),
        to_attr="year_commitments",
    )


def partnerships_for(partner: Partner, program_year: str | None = None) -> QuerySet:
    """A partner's district partnerships, with what the list page and the API show.

    Each row has `school_count` (the district's open schools) and `teachers_committed` (the
    teachers committed for `program_year`, all courses, 0 without any), and, prefetched,
    `year_commitments`: that year's commitments with their courses. `program_year` defaults
    to the current one. A fixed number of queries whatever the number of partnerships.

    Fulfilment (teachers who attended against teachers committed) is `commitments_attended`,
    which the pages join per commitment.
    """
    year = program_year or program_year_for(timezone.localdate())
    schools = (
        School.objects.filter(district=OuterRef("district"), is_active=True)
        .order_by()
        .values("district")
        .annotate(n=Count("pk"))
        .values("n")
    )
    teachers = (
        DistrictCommitment.objects.filter(partnership=OuterRef("pk"), program_year=year)
        .order_by()
        .values("partnership")
        .annotate(n=Sum("teachers"))
        .values("n")
    )
    return (
        DistrictPartnership.objects.filter(partner=partner)
        .select_related("district__state", "district__county")
        .annotate(
            school_count=Coalesce(Subquery(schools), 0),
            teachers_committed=Coalesce(Subquery(teachers), 0),
        )
        .prefetch_related(_year_commitments(year))
        .order_by("district__name", "pk")
    )


def commitment_totals(partner_ids: Iterable[int], program_year: str) -> dict[int, tuple[int, int]]:
    """{partner id: (districts with commitments, teachers committed)} for a program year.

    One query. Every partner asked for is in the answer; (0, 0) when it has no commitment
    that year (an at-risk commitment on the workspace). Counts commitments only: fulfilment
    is `commitment_fulfilment`.
    """
    partner_ids = list(partner_ids)
    totals = dict.fromkeys(partner_ids, (0, 0))
    if not partner_ids:
        return totals
    rows = (
        DistrictCommitment.objects.filter(
            partnership__partner_id__in=partner_ids, program_year=program_year
        )
        .values_list("partnership__partner_id")
        .annotate(districts=Count("partnership", distinct=True), teachers=Sum("teachers"))
        .order_by()
    )
    for partner_id, districts, teachers in rows:
        totals[partner_id] = (districts, teachers or 0)
    return totals


@dataclass(frozen=True)
class Fulfilment:
    """A partner's district commitments in a year, and how far the districts kept them."""

    districts: int  # districts with a commitment
    committed: int  # teachers committed, all districts and courses
    attended: int  # of those, teachers who attended: per commitment, at most its number


def commitment_fulfilment(partner_ids: Iterable[int], program_year: str) -> dict[int, Fulfilment]:
    """{partner id: Fulfilment} for a program year, in two queries (`commitments_fulfilment`
    for one year). Every partner asked for is in the answer."""
    return {
        partner_id: kept
        for (partner_id, _), kept in commitments_fulfilment(partner_ids, [program_year]).items()
    }


def commitments_fulfilment(
    partner_ids: Iterable[int],
    program_years: Iterable[str],
    *,
    attended: Mapping[tuple[int, str, int, int], int] | None = None,
) -> dict[tuple[int, str], Fulfilment]:
    """{(partner id, year): Fulfilment} for every partner and year asked for.

    Fulfilment counts, for each commitment (a district, a course, a number of teachers),
    the distinct teachers from that district's schools who attended at least one session of
    the partner's workshops of that course in the year
    (`metrics.selectors.district_course_attended`), capped at the number committed: a
    district that sends more teachers to one course does not make up for another course.

    `attended` is those counts, {(partner, year, district, course): teachers}, when the
    caller has them already (the metrics count them with their other attendance figures);
    else they are counted here. One query for the commitments of all the years, plus one
    without `attended`.
    """
    ids, years = list(partner_ids), list(program_years)
    result = {(pid, year): Fulfilment(0, 0, 0) for pid in ids for year in years}
    if not ids or not years:
        return result
    if attended is None:
        from metrics.selectors import district_course_attended

        attended = district_course_attended(ids, years)
    rows = DistrictCommitment.objects.filter(
        partnership__partner_id__in=ids, program_year__in=years
    ).values_list(
        "partnership__partner_id",
        "program_year",
        "partnership__district_id",
        "course_id",
        "teachers",
    )
    districts: dict[tuple[int, str], set[int]] = defaultdict(set)
    committed: dict[tuple[int, str], int] = defaultdict(int)
    kept: dict[tuple[int, str], int] = defaultdict(int)
    for partner_id, year, district_id, course_id, teachers in rows:
        key = (partner_id, year)
        districts[key].add(district_id)
        committed[key] += teachers
        kept[key] += min(teachers, attended.get((partner_id, year, district_id, course_id), 0))
    for key, names in districts.items():
        result[key] = Fulfilment(len(names), committed[key], kept[key])
    return result


def commitments_attended(partner: Partner, program_year: str) -> dict[tuple[int, int], int]:
    """{(district id, course id): teachers who attended} for one partner's year (one query):
    shown beside each commitment on the partnership pages."""
    from workshops.attendance import attended_by_district_course

    return {
        (district_id, course_id): n
        for (_, district_id, course_id), n in attended_by_district_course(
            [partner.pk], program_year
        ).items()
    }


def commitment_years_for(partner: Partner) -> list[str]:
    """The program years a partner has commitments in, newest first."""
    return list(
        DistrictCommitment.objects.filter(partnership__partner=partner)
        .order_by("-program_year")
        .values_list("program_year", flat=True)
        .distinct()
    )


def partnership_schools_in_area(partnership: DistrictPartnership) -> QuerySet[School]:
    """The district's open schools whose ZIP code resolves to one of the partner's regions."""
    return (
        School.objects.filter(
            district=partnership.district_id,
            is_active=True,
            zip_code__region__partner=partnership.partner_id,
        )
        .select_related("zip_code")
        .order_by("name", "nces_id")
    )


def partnership_commitments_by_year(
    partnership: DistrictPartnership,
) -> list[tuple[str, list[DistrictCommitment], int]]:
    """(program year, its commitments, teachers in total), newest year first.

    Each commitment carries `attended`: the district's teachers who attended the course's
    workshops that year (see `commitment_fulfilment`). One query, plus one per year shown.
    """
    years: dict[str, list[DistrictCommitment]] = {}
    for commitment in partnership.commitments.select_related("course").order_by(
        "-program_year", "course__order", "course__name"
    ):
        years.setdefault(commitment.program_year, []).append(commitment)
    for year, rows in years.items():
        attended = commitments_attended(partnership.partner, year)
        for commitment in rows:
            commitment.attended = attended.get((partnership.district_id, commitment.course_id), 0)
    return [(year, rows, sum(c.teachers for c in rows)) for year, rows in years.items()]


def with_attendance(partnerships, partner: Partner, program_year: str) -> list:
    """Mark each partnership's `year_commitments` with `attended` (see
    `commitment_fulfilment`); one query for the whole page."""
    attended = commitments_attended(partner, program_year)
    partnerships = list(partnerships)
    for partnership in partnerships:
        for commitment in getattr(partnership, "year_commitments", []):
            commitment.attended = attended.get((partnership.district_id, commitment.course_id), 0)
    return partnerships


def partner_districts(partner: Partner) -> QuerySet[District]:
    """The districts a partner has partnerships with, with `school_count` (open schools)."""
    schools = (
        School.objects.filter(district=OuterRef("pk"), is_active=True)
        .order_by()
        .values("district")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        District.objects.filter(partnerships__partner=partner)
        .select_related("state", "county")
        .annotate(school_count=Coalesce(Subquery(schools), 0))
        .order_by("name", "pk")
    )


def commitment_totals_by_course(
    partnerships: QuerySet[DistrictPartnership], program_year: str
) -> list[tuple[str, int]]:
    """(course name, teachers committed) for these partnerships in a year, in course order."""
    return list(
        DistrictCommitment.objects.filter(
            partnership__in=partnerships.values("pk"), program_year=program_year
        )
        .values_list("course__name")
        .annotate(teachers=Sum("teachers"))
        .order_by("course__order", "course__name")
    )


@dataclass
class SchoolSummary:
    """What the schools of a district in a partner's area add up to."""

    schools: int
    other_schools: int  # open schools of the district outside the partner's regions
    enrollment: int
    frl_share: Decimal | None  # weighted by enrollment, over the schools that report it
    rural_schools: int
    high_need_schools: int


def school_summary(district: District, schools: list[School]) -> SchoolSummary:
    """Totals over `schools` (those of `partnership_schools_in_area`); one query."""
    open_schools = district.schools.filter(is_active=True).count()
    enrollment = sum(s.enrollment or 0 for s in schools)
    reported = [s for s in schools if s.frl_share is not None and s.enrollment]
    weight = sum(s.enrollment for s in reported)
    frl = (
        (sum(s.frl_share * s.enrollment for s in reported) / weight).quantize(Decimal("0.0001"))
        if weight
        else None
    )
    return SchoolSummary(
        schools=len(schools),
        other_schools=max(0, open_schools - len(schools)),
        enrollment=enrollment,
        frl_share=frl,
        rural_schools=sum(1 for s in schools if s.is_rural),
        high_need_schools=sum(1 for s in schools if s.is_high_need),
    )
