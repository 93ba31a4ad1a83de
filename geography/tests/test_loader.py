import pytest

from geography.loader import CountyMatcher, load_geography
from geography.models import County, State, ZipCode


@pytest.mark.django_db
def test_full_load_has_real_facts_and_is_idempotent():
    first = load_geography()

    assert first.created["states"] == 56  # 50 states, DC and 5 territories
    assert State.objects.filter(is_territory=True).count() == 5
    assert State.objects.filter(code="DC", is_territory=False).exists()
    assert County.objects.count() > 3200
    assert ZipCode.objects.count() > 40000
    # Nearly every ZIP gets its county; the source leaves a few (military, unnamed) without.
    assert ZipCode.objects.filter(county__isnull=True).count() < 200

    seattle = ZipCode.objects.select_related("state", "county").get(code="98101")
    assert (seattle.city, seattle.state.code, seattle.county.name) == (
        "Seattle",
        "WA",
        "King County",
    )
    assert seattle.county.fips == "53033"
    assert seattle.timezone == "America/Los_Angeles"
    assert 47 < seattle.latitude < 48 and -123 < seattle.longitude < -122
    assert ZipCode.objects.get(code="99501").state.code == "AK"
    assert ZipCode.objects.get(code="96813").state.code == "HI"
    assert ZipCode.objects.get(code="96813").timezone == "Pacific/Honolulu"
    assert ZipCode.objects.get(code="10001").state.code == "NY"
    assert ZipCode.objects.get(code="10001").county.name == "New York County"

    counts = (State.objects.count(), County.objects.count(), ZipCode.objects.count())
    second = load_geography()
    assert second.changed == 0
    assert (State.objects.count(), County.objects.count(), ZipCode.objects.count()) == counts


@pytest.mark.django_db
def test_load_repairs_a_changed_row():
    load_geography(states=["WA"])
    ZipCode.objects.filter(code="98101").update(city="Wrong")
    report = load_geography(states=["WA"])
    assert report.updated["zips"] == 1
    assert ZipCode.objects.get(code="98101").city == "Seattle"


@pytest.mark.django_db
def test_progress_reports_every_record():
    seen = []
    totals = []
    load_geography(states=["HI"], progress=seen.append, on_total=totals.append)
    assert sum(seen) == totals[0] == ZipCode.objects.count()


@pytest.mark.parametrize(
    ("state", "name", "expected"),
    [
        ("MO", "St Louis County", "29189"),
        ("MO", "St. Louis City", "29510"),
        ("AK", "Municipality of Anchorage", "02020"),
        ("MD", "Baltimore City", "24510"),
        ("MD", "Baltimore County", "24005"),
        ("DC", "", "11001"),
        ("WA", "", None),
    ],
)
def test_county_names_match_across_spellings(state, name, expected):
    import us

    matcher = CountyMatcher(
        {code: [(c.fips, c.name) for c in us.states.lookup(code).counties] for code in (state,)}
    )
    assert matcher.match(state, name) == expected
