"""Demo districts and schools, made by the demo seed once its regions exist."""

from collections import Counter

import pytest

from districts.demo import DISTRICTS_PER_SCALE, MIN_DISTRICTS_PER_REGION
from districts.models import LOCALE_CODES, District, School, locale_for_code
from districts.selectors import school_counts_by_region
from districts.tests.factories import SchoolFactory
from geography.models import Region, ZipCode
from partners.demo import demo_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(geography):
    report = demo_seed()
    assert report.created
    return report


def schools_snapshot() -> list[tuple]:
    return list(
        School.objects.order_by("nces_id").values_list(
            "nces_id",
            "name",
            "district__name",
            "zip_code__code",
            "enrollment",
            "frl_share",
            "urm_share",
            "female_share",
            "locale_code",
        )
    )


def test_every_open_or_served_demo_region_has_several_districts(seeded):
    assert District.objects.count() == DISTRICTS_PER_SCALE
    assert f"with {DISTRICTS_PER_SCALE} school districts and {School.objects.count()} schools" in (
        seeded.message
    )
    districts_by_region = Counter(
        District.objects.values_list("zip_code__region", flat=True).order_by()
    )
    counts = school_counts_by_region()
    regions = Region.objects.filter(is_demo=True)
    assert regions.exclude(status=Region.Status.CLOSED).exists()
    for region in regions:
        if region.status == Region.Status.CLOSED:
            assert region.pk not in counts
        else:
            assert districts_by_region[region.pk] >= MIN_DISTRICTS_PER_REGION, region
            assert counts[region.pk] >= MIN_DISTRICTS_PER_REGION, region
    assert sum(counts.values()) == School.objects.count()  # every school is in a region


def test_demo_schools_are_fictional_and_plausible(seeded):
    schools = list(School.objects.select_related("district", "zip_code"))
    assert len(schools) > DISTRICTS_PER_SCALE
    assert not District.objects.filter(is_demo=False).exists()
    for school in schools:
        assert school.is_demo and school.district.is_demo
        assert school.nces_id.startswith(school.district.nces_id)
        assert school.district.nces_id.startswith("99") and len(school.nces_id) == 12
        assert school.zip_code.state_id == school.state_id == school.district.state_id
        assert school.county_id == school.zip_code.county_id
        assert school.locale == locale_for_code(school.locale_code)
        assert 10 <= school.enrollment <= 5000
        assert school.grade_bands
        for share in (school.frl_share, school.urm_share, school.female_share):
            assert share is None or 0 < share < 1
        assert 0.4 < school.female_share < 0.6
    # Variety: every kind of locale, high-need and not, diverse and not.
    assert {s.locale_code // 10 for s in schools} == {1, 2, 3, 4}
    assert {s.locale_code for s in schools} <= set(LOCALE_CODES)
    high_need = sum(s.is_high_need for s in schools) / len(schools)
    assert 0.2 < high_need < 0.8
    urm = sorted(s.urm_share for s in schools)
    assert urm[len(urm) // 10] < 0.25 and urm[-len(urm) // 10] > 0.6
    names = Counter(s.name for s in schools)
    assert any(name.endswith("Elementary School") for name in names)
    assert any(name.endswith("High School") for name in names)
    # Rural schools are smaller than city ones.
    size = {
        locale: sum(s.enrollment for s in schools if s.locale == locale)
        / max(1, sum(1 for s in schools if s.locale == locale))
        for locale in ("city", "rural")
    }
    assert size["rural"] < size["city"]


def test_reset_recreates_the_same_schools_and_leaves_real_ones(seeded):
    real = SchoolFactory(zip_code=ZipCode.objects.get(code="98901"))
    before = schools_snapshot()
    report = demo_seed(reset=True)
    assert report.deleted > len(before)
    after = schools_snapshot()
    assert after == before  # deterministic, and no leftovers from the first seed
    assert School.objects.filter(pk=real.pk).exists()


def test_scale_multiplies_the_districts(geography):
    demo_seed(scale=2)
    assert District.objects.count() == 2 * DISTRICTS_PER_SCALE
