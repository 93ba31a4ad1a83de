import pytest

from districts.selectors import school_counts_by_region, schools_in_region
from districts.tests.factories import DistrictFactory, SchoolFactory
from geography.models import County, Region, RegionCounty, RegionState, RegionZip, State, ZipCode
from geography.services import regions_reindex
from geography.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(geography):
    """Washington minus King County; King County; one Bronx ZIP. Other NY ZIPs: no region."""
    washington = RegionFactory(name="Washington")
    RegionState.objects.create(region=washington, state=State.objects.get(code="WA"))
    king = RegionFactory(name="King County")
    RegionCounty.objects.create(region=king, county=County.objects.get(fips="53033"))
    bronx = RegionFactory(name="Bronx 10451")
    RegionZip.objects.create(region=bronx, zip_code=ZipCode.objects.get(code="10451"))
    regions_reindex()
    return washington, king, bronx


def school(zip_code: str | None, **kwargs):
    zip_obj = ZipCode.objects.get(code=zip_code) if zip_code else None
    district = DistrictFactory(state=zip_obj.state if zip_obj else State.objects.get(code="WA"))
    return SchoolFactory(district=district, zip_code=zip_obj, **kwargs)


def test_schools_are_in_the_region_their_zip_resolves_to(regions):
    washington, king, bronx = regions
    yakima = school("98901")
    seattle = school("98101")  # King County: the county region, not the state's
    closed = school("98902", is_active=False)
    in_bronx = school("10451")
    school("10452")  # Bronx, but not the region's ZIP
    school(None)  # no ZIP: in no region

    assert set(schools_in_region(washington)) == {yakima}
    assert set(schools_in_region(washington, include_closed=True)) == {yakima, closed}
    assert set(schools_in_region(king.pk)) == {seattle}
    assert set(schools_in_region(bronx)) == {in_bronx}
    assert not schools_in_region(RegionFactory(name="Empty"))


def test_school_counts_by_region_is_one_query(regions, django_assert_num_queries):
    washington, king, bronx = regions
    for code in ("98901", "98902", "99347", "98101", "10451", "10452"):
        school(code)
    school("98903", is_active=False)
    with django_assert_num_queries(1):
        counts = school_counts_by_region()
    assert counts == {washington.pk: 3, king.pk: 1, bronx.pk: 1}
    assert Region.objects.count() == 3
