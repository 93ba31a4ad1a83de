import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from geography import map as geomap
from geography.models import County, Region, RegionCounty, RegionState, RegionZip, State, ZipCode
from geography.tests.factories import RegionFactory
from partners.models import Partner
from partners.tests.factories import PartnerFactory

SVG = "{http://www.w3.org/2000/svg}"

# Two squares side by side, sharing one edge (arc 1), in quantized coordinates:
#   A: (0,0) (2,0) (2,2) (0,2)      B: (2,0) (4,0) (4,2) (2,2)
# Arc 0 is A's outer edge, arc 1 the shared edge (walked backwards by B), arc 2 B's outer edge.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 2], "translate": [10, 20]},
    "objects": {
        "squares": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "id": "A", "arcs": [[0, 1]]},
                {"type": "MultiPolygon", "id": "B", "arcs": [[[2, ~1]]]},
            ],
        }
    },
    "arcs": [
        [[2, 2], [-2, 0], [0, -2], [2, 0]],
        [[2, 0], [0, 2]],
        [[2, 0], [2, 0], [0, 2], [-2, 0]],
    ],
}
A = [(11.0, 24.0), (10.0, 24.0), (10.0, 20.0), (11.0, 20.0), (11.0, 24.0)]
B = [(11.0, 20.0), (12.0, 20.0), (12.0, 24.0), (11.0, 24.0), (11.0, 20.0)]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well-formed


# --- TopoJSON ------------------------------------------------------------------------------


def test_decode_arcs_undoes_the_deltas_and_applies_the_transform():
    arcs = geomap.decode_arcs(TOPOLOGY)
    assert arcs[0] == [(11.0, 24.0), (10.0, 24.0), (10.0, 20.0), (11.0, 20.0)]
    assert arcs[1] == [(11.0, 20.0), (11.0, 24.0)]
    assert arcs[2] == [(11.0, 20.0), (12.0, 20.0), (12.0, 24.0), (11.0, 24.0)]


def test_decode_arcs_of_an_unquantized_topology_are_taken_as_they_are():
    topology = {"arcs": [[[1.5, 2], [3, 4.25]]]}
    assert geomap.decode_arcs(topology) == [[(1.5, 2.0), (3.0, 4.25)]]


def test_rings_stitch_arcs_and_walk_negative_references_backwards():
    arcs = geomap.decode_arcs(TOPOLOGY)
    a, b = TOPOLOGY["objects"]["squares"]["geometries"]
    assert geomap.geometry_polygons(a, arcs) == [[A]]
    # ~1 is arc 1 reversed; the point shared by consecutive arcs appears once.
    assert geomap.geometry_polygons(b, arcs) == [[B]]
    assert geomap.arc_index(~1) == 1
    assert geomap.geometry_polygons({"type": "Point", "coordinates": [0, 0]}, arcs) == []


def test_merge_drops_the_shared_edge_and_mesh_keeps_only_it():
    arcs = geomap.decode_arcs(TOPOLOGY)
    geometries = TOPOLOGY["objects"]["squares"]["geometries"]
    [ring] = geomap.merge(arcs, geometries)
    assert ring[0] == ring[-1]
    assert set(ring) == {(10.0, 20.0), (12.0, 20.0), (12.0, 24.0), (10.0, 24.0)} | {
        (11.0, 20.0),
        (11.0, 24.0),
    }
    assert abs(geomap.ring_area(ring)) == 8  # the 2 x 4 rectangle, both squares
    assert geomap.mesh(arcs, geometries) == [arcs[1]]
    assert geomap.merge(arcs, geometries[:1]) == [A]


def test_centroid_is_the_largest_polygons_centre():
    small = [[(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]]
    big = [[(10, 10), (14, 10), (14, 12), (10, 12), (10, 10)]]
    assert geomap.centroid([small, big]) == (12, 11)


def test_path_data_rounds_to_a_tenth_and_steps_relatively():
    rings = [[(0, 0), (1.04, 0), (1.04, 2.26), (0.01, 2.26), (0, 0)], [(5, 5), (5.02, 5.01)]]
    # The closing point is implied by "z"; a ring that collapses when rounded is dropped.
    assert geomap.path_data(rings) == "M0 0l1 0 0 2.3-1 0z"
    assert geomap.path_data([[(2.5, -3.44), (2, -3.44), (2, -2)]], closed=False) == (
        "M2.5-3.4l-.5 0 0 1.4"
    )


def test_territories_fit_inside_their_box():
    geo = geomap.atlas()
    boxes = geomap.inset_boxes(["72", "66"])
    assert list(boxes) == ["72", "66"]  # Puerto Rico first, at the bottom
    for fips, (x, y, w, h) in boxes.items():
        points = [p for polygon in geo.inset(fips, boxes[fips]) for ring in polygon for p in ring]
        assert points
        assert all(x <= px <= x + w and y <= py <= y + h for px, py in points)
        assert x + w <= geomap.WIDTH and y + h <= geomap.HEIGHT


# --- The map -------------------------------------------------------------------------------


def _program(geography):
    """One region of each kind: a whole state, counties splitting a state, and ZIP codes."""
    wa, ny = State.objects.get(code="WA"), State.objects.get(code="NY")
    seattle = PartnerFactory(name="Puget Sound CS", zip_code=ZipCode.objects.get(code="98101"))
    bronx_partner = PartnerFactory(
        name="Bronx Code", status=Partner.Status.ONBOARDING, zip_code=_zip("10451")
    )
    washington = Region.objects.create(name="Washington", status="served", partner=seattle)
    RegionState.objects.create(region=washington, state=wa)
    western = Region.objects.create(name="Western New York", status="open")
    for name in ("Erie County", "Niagara County"):
        RegionCounty.objects.create(region=western, county=ny.counties.get(name=name))
    capital = Region.objects.create(name="Capital District", status="closed")
    RegionCounty.objects.create(region=capital, county=ny.counties.get(name="Albany County"))
    bronx = Region.objects.create(name="The Bronx", status="onboarding", partner=bronx_partner)
    for code in ("10451", "10452"):
        RegionZip.objects.create(region=bronx, zip_code=_zip(code))
    return {"washington": washington, "western": western, "capital": capital, "bronx": bronx}


def _zip(code):
    return ZipCode.objects.get(code=code)


@pytest.mark.django_db
def test_every_region_is_one_link_with_its_status_and_facts(geography):
    regions = _program(geography)
    svg = geomap.render_map()

    assert svg.count("data-region=") == Region.objects.count() == 4
    root = _parse(svg)
    links = {a.get("data-region"): a for a in root.iter(f"{SVG}a")}
    assert set(links) == {r.slug for r in regions.values()}
    washington = links["washington"]
    assert washington.get("href") == "#region-washington"
    assert washington.get("class") == "map-region status-served"
    assert washington.get("data-partner") == "Puget Sound CS"
    assert washington.get("data-partner-url") == (
        "/educate/regional-partner/partners/puget-sound-cs/"
    )
    assert washington.find(f"{SVG}title").text == "Washington: Served — Puget Sound CS"
    western = links["western-new-york"]
    assert western.get("class") == "map-region status-open"
    assert western.get("data-apply-url") == (
        "/educate/regional-partner/apply/?region=western-new-york"
    )
    assert western.get("data-partner") == ""
    assert links["capital-district"].get("class") == "map-region status-closed"
    # The ZIP-level region is a marker (its two ZIP codes share a county: one marker).
    bronx = links["the-bronx"]
    assert bronx.get("class") == "map-region status-onboarding"
    assert [shape.tag for shape in bronx if shape.tag != f"{SVG}title"] == [f"{SVG}circle"]
    assert root.get("role") == "group"
    assert "4 regions: 1 served, 1 onboarding, 1 open, 1 closed" in root.find(f"{SVG}desc").text


@pytest.mark.django_db
def test_a_state_split_by_counties_is_drawn_county_by_county(geography):
    _program(geography)
    data = geomap.map_data()
    by_slug = {item.slug: item for item in data.regions}
    assert by_slug["washington"].shapes == [("state", "53")]
    assert sorted(by_slug["western-new-york"].shapes) == [("county", "36029"), ("county", "36063")]
    assert by_slug["capital-district"].shapes == [("county", "36001")]
    # New York's other counties are left neutral; states with no region are neutral whole.
    ny_counties = {fips for fips in geomap.atlas().counties if fips.startswith("36")}
    neutral = set(data.neutral_shapes)
    assert ("state", "36") not in neutral
    assert {("county", f) for f in ny_counties - {"36029", "36063", "36001"}} <= neutral
    assert ("state", "15") in neutral  # Hawaii
    assert not any(fips.startswith("36") for kind, fips in neutral if kind == "state")
    # The borders between regions inside New York are drawn.
    svg = geomap.render_map()
    region_lines = _parse(svg).find(f".//{SVG}path[@class='map-region-lines']")
    assert region_lines.get("d").startswith("M")


@pytest.mark.django_db
def test_a_whole_state_region_with_county_regions_inside_keeps_the_rest(geography):
    ny = State.objects.get(code="NY")
    upstate = RegionFactory(name="New York", status="open")
    RegionState.objects.create(region=upstate, state=ny)
    city = RegionFactory(name="Bronx County", status="closed")
    RegionCounty.objects.create(region=city, county=County.objects.get(fips="36005"))
    data = geomap.map_data()
    by_slug = {item.slug: item for item in data.regions}
    assert by_slug["bronx-county"].shapes == [("county", "36005")]
    ny_counties = [fips for fips in geomap.atlas().counties if fips.startswith("36")]
    assert len(by_slug["new-york"].shapes) == len(ny_counties) - 1
    assert ("county", "36005") not in by_slug["new-york"].shapes


@pytest.mark.django_db
def test_partners_are_marked_where_they_are(geography):
    _program(geography)
    PartnerFactory(name="Gone Away", status=Partner.Status.INACTIVE, zip_code=_zip("98101"))
    PartnerFactory(name="Nowhere Yet")
    root = _parse(geomap.render_map())
    markers = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "map-partner"]
    titles = [marker.find(f"{SVG}title").text for marker in markers]
    assert titles == ["Bronx Code (Bronx, NY)", "Puget Sound CS (Seattle, WA)"]


@pytest.mark.django_db
def test_territories_get_an_inset_only_when_in_use(geography):
    _program(geography)
    assert "map-inset" not in geomap.render_map()
    pr = State.objects.create(code="PR", fips="72", name="Puerto Rico", is_territory=True)
    island = RegionFactory(name="Puerto Rico", status="open")
    RegionState.objects.create(region=island, state=pr)
    root = _parse(geomap.render_map())
    [label] = [t.text for t in root.iter(f"{SVG}text")]
    assert label == "Puerto Rico"
    link = next(a for a in root.iter(f"{SVG}a") if a.get("data-region") == "puerto-rico")
    assert link.find(f"{SVG}path").get("d").startswith("M")


@pytest.mark.django_db
def test_a_region_without_geography_is_not_drawn(geography):
    _program(geography)
    RegionFactory(name="Somewhere Later")
    svg = geomap.render_map()
    assert 'data-region="somewhere-later"' not in svg
    assert svg.count("data-region=") == 4


@pytest.mark.django_db
def test_names_from_users_are_escaped(geography):
    wa = State.objects.get(code="WA")
    evil = '<script>alert("x")</script> & <b>'
    partner = PartnerFactory(name=evil + " partner", zip_code=_zip("98101"))
    region = Region.objects.create(name=evil, status="served", partner=partner)
    RegionState.objects.create(region=region, state=wa)
    svg = geomap.render_map()
    assert "<script" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;" in svg
    root = _parse(svg)  # still well-formed
    link = next(root.iter(f"{SVG}a"))
    assert link.get("data-name") == evil
    assert link.find(f"{SVG}title").text == f"{evil}: Served — {evil} partner"


@pytest.mark.django_db
def test_the_map_parses_as_svg_and_scales(geography):
    _program(geography)
    root = _parse(geomap.render_map())
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 975 610"
    assert root.get("width") is None and root.get("height") is None
    assert root.get("aria-labelledby") == "map-title"
    assert root.find(f"{SVG}title").get("id") == "map-title"


def _make_regions(n):
    """n regions at every level (whole states, NY counties, WA ZIP codes), half with partners."""
    states = list(State.objects.filter(code__in=["AK", "HI"]).order_by("code"))[
        : 1 if n < 10 else 2
    ]
    rest = n - len(states)
    counties = list(County.objects.filter(state__code="NY").order_by("fips")[: rest // 2])
    zips = list(
        ZipCode.objects.filter(state__code="WA", county__isnull=False).order_by("code")[
            : rest - rest // 2
        ]
    )
    statuses = ["served", "onboarding", "open", "closed"]
    for i, unit in enumerate([*states, *counties, *zips]):
        status = statuses[i % 4]
        partner = None
        if status in ("served", "onboarding"):
            partner = PartnerFactory(zip_code=zips[i % len(zips)])
        region = Region.objects.create(name=f"Region {i}", status=status, partner=partner)
        if isinstance(unit, County):
            RegionCounty.objects.create(region=region, county=unit)
        elif isinstance(unit, ZipCode):
            RegionZip.objects.create(region=region, zip_code=unit)
        else:
            RegionState.objects.create(region=region, state=unit)
    return Region.objects.count()


def _queries(func):
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    return len(ctx), result


@pytest.mark.django_db
def test_queries_are_fixed_whatever_the_number_of_regions(
    geography, django_assert_max_num_queries, django_assert_num_queries
):
    assert _make_regions(3) == 3
    few, svg = _queries(geomap.render_map)
    assert svg.count("data-region=") == 3
    Region.objects.all().delete()
    Partner.objects.all().delete()
    cache.clear()
    assert _make_regions(30) == 30
    with django_assert_max_num_queries(4):
        svg = geomap.render_map()
    many, _ = _queries(lambda: (cache.clear(), geomap.render_map()))
    assert svg.count("data-region=") == 30
    assert few == many == 4
    # Cached: only the fingerprint is read.
    with django_assert_num_queries(1):
        assert geomap.render_map() == svg


@pytest.mark.django_db
def test_the_cached_map_follows_a_status_change(geography):
    regions = _program(geography)
    assert "map-region status-open" in geomap.render_map()
    western = regions["western"]
    western.status = Region.Status.CLOSED
    western.save()
    svg = geomap.render_map()
    assert "map-region status-open" not in svg
    assert svg.count("map-region status-closed") == 2


@pytest.mark.django_db
def test_the_cached_map_follows_a_link_change(geography, django_capture_on_commit_callbacks):
    regions = _program(geography)
    assert ("state", "02") in geomap.map_data().neutral_shapes
    before = geomap.render_map()
    with django_capture_on_commit_callbacks(execute=True):
        RegionState.objects.create(region=regions["western"], state=State.objects.get(code="AK"))
    svg = geomap.render_map()
    assert svg != before
    by_slug = {item.slug: item for item in geomap.map_data().regions}
    assert ("state", "02") in by_slug["western-new-york"].shapes
    assert svg == geomap.draw(geomap.map_data())  # what is served is what is there now
    with django_capture_on_commit_callbacks(execute=True):
        RegionZip.objects.filter(region=regions["bronx"]).delete()
    assert 'data-region="the-bronx"' not in geomap.render_map()


@pytest.mark.django_db
def test_the_cached_map_follows_a_partner_change(geography):
    _program(geography)
    assert "Puget Sound CS" in geomap.render_map()
    partner = Partner.objects.get(name="Puget Sound CS")
    partner.name = "Salish Sea CS"
    partner.save()
    svg = geomap.render_map()
    assert "Puget Sound CS" not in svg
    assert "Salish Sea CS" in svg


@pytest.mark.django_db
def test_the_map_include_has_a_key_and_a_panel(geography):
    _program(geography)
    html = render_to_string("pages/map.html", {"map_svg": geomap.render_map()})
    assert 'class="map-svg"' in html
    assert 'aria-live="polite"' in html
    for entry in ("Served", "Onboarding", "Open: needs a partner", "Closed", "No region yet"):
        assert entry in html
    assert "Where a Regional Partner is based" in html
    assert render_to_string("pages/map.html", {}).strip() == ""
