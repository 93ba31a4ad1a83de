import pytest
from django.urls import reverse

from geography.models import RegionCounty, RegionState, RegionZip, State, ZipCode
from geography.tests.factories import RegionFactory
from partners.tests.factories import PartnerFactory

LOOKUP = "/api/v1/regions/lookup/"


@pytest.fixture
def regions(geography, django_capture_on_commit_callbacks):
    """WA as a state region, King County its own region, 98101 a ZIP region; NY open."""
    wa = State.objects.get(code="WA")
    with django_capture_on_commit_callbacks(execute=True):
        state_region = RegionFactory(
            name="Washington", status="served", partner=PartnerFactory(name="Evergreen CS")
        )
        RegionState.objects.create(region=state_region, state=wa)
        county_region = RegionFactory(
            name="King County", status="served", partner=PartnerFactory(name="Puget CS")
        )
        RegionCounty.objects.create(
            region=county_region, county=wa.counties.get(name="King County")
        )
        zip_region = RegionFactory(name="Downtown Seattle", status="open")
        RegionZip.objects.create(region=zip_region, zip_code=ZipCode.objects.get(code="98101"))
        ny = RegionFactory(name="New York", status="open")
        RegionState.objects.create(region=ny, state=State.objects.get(code="NY"))
    return {"state": state_region, "county": county_region, "zip": zip_region, "ny": ny}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "region", "matched_on"),
    [("98101", "Downtown Seattle", "zip"), ("98104", "King County", "county"),
     ("99201", "Washington", "state"), ("10001", "New York", "state")],
)  # fmt: skip
def test_lookup_resolves_the_most_specific_region(client, regions, code, region, matched_on):
    data = client.get(LOOKUP, {"zip": code}).json()
    assert data["region"]["name"] == region
    assert data["matched_on"] == matched_on


@pytest.mark.django_db
def test_lookup_answers_every_field(client, regions):
    data = client.get(LOOKUP, {"zip": "99201"}).json()
    assert data == {
        "zip": "99201",
        "city": "Spokane",
        "state": "WA",
        "county": "Spokane County",
        "region": {"id": regions["state"].pk, "name": "Washington", "status": "served"},
        "partner": {
            "name": "Evergreen CS",
            "slug": "evergreen-cs",
            "url": reverse("partners:profile", kwargs={"slug": "evergreen-cs"}),
        },
        "matched_on": "state",
    }
    open_region = client.get(LOOKUP, {"zip": "98101"}).json()
    assert open_region["partner"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["98101", "98101-1234", " 98101 ", "98101 1234"])
def test_lookup_accepts_every_way_people_type_a_zip(client, regions, raw):
    response = client.get(LOOKUP, {"zip": raw})
    assert response.status_code == 200
    assert response.json()["zip"] == "98101"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw", ["", "9810", "981011", "abcde", "98101-12", "98101--1234", "98 101", "<script>", "1e5"]
)
def test_malformed_zip_is_400_saying_what_a_zip_looks_like(client, regions, raw):
    response = client.get(LOOKUP, {"zip": raw})
    assert response.status_code == 400
    assert "five digits" in response.json()["detail"]
    assert response["Content-Type"] == "application/json"  # echoed input is data, never HTML


@pytest.mark.django_db
def test_missing_parameter_is_400(client, regions):
    assert client.get(LOOKUP).status_code == 400


@pytest.mark.django_db
def test_well_formed_but_unknown_zip_is_404(client, regions):
    response = client.get(LOOKUP, {"zip": "00000"})
    assert response.status_code == 404
    assert "no ZIP code 00000" in response.json()["detail"]


@pytest.mark.django_db
def test_zip_outside_every_region_has_no_region(client, geography):
    data = client.get(LOOKUP, {"zip": "96813"}).json()
    assert data["region"] is None and data["partner"] is None and data["matched_on"] is None


@pytest.mark.django_db
def test_lookup_is_one_query_whatever_the_number_of_regions(
    client, regions, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert client.get(LOOKUP, {"zip": "98104"}).status_code == 200
    for n in range(30):
        RegionFactory(name=f"Extra {n}")
    with django_assert_num_queries(1):
        assert client.get(LOOKUP, {"zip": "98104"}).status_code == 200


@pytest.mark.django_db
def test_index_follows_region_changes(client, regions, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        RegionZip.objects.filter(region=regions["zip"]).delete()
    assert client.get(LOOKUP, {"zip": "98101"}).json()["region"]["name"] == "King County"
    with django_capture_on_commit_callbacks(execute=True):
        RegionCounty.objects.filter(region=regions["county"]).delete()
    assert client.get(LOOKUP, {"zip": "98101"}).json()["matched_on"] == "state"


@pytest.mark.django_db
def test_fast_path_agrees_with_the_orm_for_every_zip(regions):
    from geography.selectors import zip_lookup, zip_resolve

    codes = list(ZipCode.objects.order_by("code").values_list("code", flat=True)[::29])
    assert len(codes) > 100
    for code in codes:
        fast, orm = zip_resolve(code), zip_lookup(code)
        assert (fast.code, fast.city, fast.state) == (orm.code, orm.city, orm.state.code)
        assert fast.county == (orm.county.name if orm.county else None)
        assert fast.region_id == orm.region_id
        assert fast.matched_on == (orm.matched_on or None)
        assert fast.partner_slug == (
            orm.region.partner.slug if orm.region and orm.region.partner else None
        )
    assert zip_resolve("00000") is None


@pytest.mark.django_db
def test_response_matches_its_documented_serializer(client, regions):
    from geography.serializers import ZipLookupSerializer

    for code in ("98101", "99201", "96813"):
        data = client.get(LOOKUP, {"zip": code}).json()
        serializer = ZipLookupSerializer(data=data)
        assert serializer.is_valid(), serializer.errors
        assert set(data) == set(ZipLookupSerializer().fields)
