"""The coverage map on the program page: an SVG drawn on the server from the npm `us-atlas`.

The picture works without JavaScript (each region is a link to its row in the regions table);
static/js/map.js adds the info panel on top. The geometry comes from two files of the npm
package `us-atlas` (installed with the other front-end packages, never committed):

- `counties-albers-10m.json`: counties, states and the nation in one topology, already
  projected to Albers USA (975 x 610, Alaska and Hawaii inset). States and counties share
  their arcs there, so borders drawn from either object line up exactly.
- `states-10m.json` (longitude/latitude): the territories (PR, VI, GU, MP, AS), which Albers
  USA leaves out; each one in use is fitted into a small labelled box.

Why a decoder here rather than a dependency: the Python `topojson` package builds topologies
from shapes (the other direction), and no maintained Python library turns TopoJSON into SVG.
What the map needs is small enough to own and is tested in geography/tests/test_map.py: the
delta decoding and transform of a quantized topology (`decode_arcs`), stitching arcs into
rings (`ring_points`), and topojson-client's `merge` (a region's states or counties as one
shape, without its inner borders) and `mesh` (the borders between shapes). Nothing is
simplified; coordinates are written to one decimal, which is sub-pixel at any size it is shown.

The geometry is static, so it is read and decoded once per process (`atlas`). The SVG depends
on regions and partners: it is cached in Django's cache under a fingerprint of both tables,
taken with one aggregate query. Any save of a region or partner, and any change of a region's
states, counties or ZIP codes (which touches the region, see signals.py), changes the
fingerprint, so the cached map is never stale.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import CharField, Value
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from core.fingerprint import tables_fingerprint

from .models import Region, RegionCounty, RegionState, RegionZip

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]  # the exterior ring, then its holes
Box = tuple[float, float, float, float]  # x, y, width, height

ATLAS_DIR = Path(settings.BASE_DIR) / "node_modules" / "us-atlas"
WIDTH, HEIGHT = 975, 610
# Bump when the drawing changes, so a deploy never serves a map cached by the previous code.
MAP_VERSION = 1
CACHE_SECONDS = 24 * 60 * 60

# Counties created after us-atlas 3.0.1 was cut, drawn with the county they were split from.
COUNTY_ALIASES = {
    "02063": "02261",  # Chugach Census Area, from Valdez-Cordova (2019)
    "02066": "02261",  # Copper River Census Area, from Valdez-Cordova (2019)
}

# Territory insets: a column on the right, in the Atlantic, stacked up from the bottom corner
# (only those some region or partner is in are drawn).
TERRITORIES = (
    ("72", "Puerto Rico"),
    ("78", "U.S. Virgin Is."),
    ("66", "Guam"),
    ("69", "N. Mariana Is."),
    ("60", "American Samoa"),
)
INSET_SIZE = (82.0, 56.0)  # width, height of one inset box
INSET_LABEL = 13.0  # room for the label at the top of a box
INSET_GAP = 6.0
INSET_RIGHT, INSET_BOTTOM = 972.0, 606.0  # the column's bottom right corner

ZIP_MARKER_RADIUS = 8.0
PARTNER_MARKER_RADIUS = 3.0
MARKER_SPREAD = 9.0  # markers falling on the same point are spread on a circle this wide

PARTNER_STATUSES = ("active", "onboarding")


# --- TopoJSON ------------------------------------------------------------------------------


def decode_arcs(topology: dict) -> list[list[Point]]:
    """The arcs of a topology as absolute coordinates.

    A quantized topology (one with a `transform`) stores each arc's first position as an
    integer and every following one as a delta from the previous; the transform's scale and
    translate then map the integers back to coordinates.
    """
    transform = topology.get("transform")
    if not transform:
        return [[(float(p[0]), float(p[1])) for p in arc] for arc in topology["arcs"]]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def arc_index(ref: int) -> int:
    """The arc a reference points to: a negative reference `~i` is arc `i` walked backwards."""
    return ref if ref >= 0 else ~ref


def ring_points(arcs: Sequence[Sequence[Point]], refs: Iterable[int]) -> Ring:
    """Stitch a ring from arc references; consecutive arcs share their joining point."""
    ring: Ring = []
    for ref in refs:
        points = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


def geometry_polygons(geometry: dict, arcs: Sequence[Sequence[Point]]) -> list[Polygon]:
    """The polygons of a Polygon or MultiPolygon geometry (other types have no area)."""
    if geometry["type"] == "Polygon":
        return [[ring_points(arcs, ring) for ring in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[ring_points(arcs, ring) for ring in polygon] for polygon in geometry["arcs"]]
    return []


def geometry_refs(geometry: dict) -> Iterable[int]:
    """Every arc reference of a Polygon or MultiPolygon geometry."""
    polygons = geometry.get("arcs") or []
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def merge(arcs: Sequence[Sequence[Point]], geometries: Iterable[dict]) -> list[Ring]:
    """The rings of the union of some polygons (what topojson-client's `merge` does).

    An arc used by two of the polygons lies inside the union and drops out; the arcs left,
    each walked the way its polygon walks it, chain end to start into the union's rings
    (exteriors and holes keep their opposite windings, so a nonzero fill is right).
    """
    refs = [ref for geometry in geometries for ref in geometry_refs(geometry)]
    uses = Counter(arc_index(ref) for ref in refs)
    edge = [ref for ref in refs if uses[arc_index(ref)] == 1]

    def points(ref: int) -> Sequence[Point]:
        return arcs[ref] if ref >= 0 else arcs[~ref][::-1]

    starting: dict[Point, list[int]] = defaultdict(list)
    for ref in edge:
        starting[points(ref)[0]].append(ref)
    done: set[int] = set()
    rings = []
    for first in edge:
        ring: Ring = []
        ref: int | None = first
        while ref is not None and ref not in done:
            done.add(ref)
            step = points(ref)
            ring.extend(step[1:] if ring else step)
            ref = next((r for r in starting[step[-1]] if r not in done), None)
        if ring:
            rings.append(ring)
    return rings


def mesh(arcs: Sequence[Sequence[Point]], geometries: Iterable[dict]) -> list[Sequence[Point]]:
    """The arcs two of the polygons share: the borders between them (topojson `mesh`)."""
    uses = Counter(arc_index(ref) for geometry in geometries for ref in geometry_refs(geometry))
    return [arcs[i] for i, n in sorted(uses.items()) if n == 2]


def ring_area(ring: Ring) -> float:
    """Signed area (shoelace); the sign says the winding."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)) / 2


def centroid(polygons: Sequence[Polygon]) -> Point:
    """The centroid of the largest polygon's exterior: where a marker for the shape goes."""
    rings = [polygon[0] for polygon in polygons if polygon and len(polygon[0]) > 2]
    if not rings:
        raise ValueError("no polygon to place a point in")
    ring = max(rings, key=lambda r: abs(ring_area(r)))
    area = ring_area(ring)
    if not area:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in pairwise(ring):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (6 * area), cy / (6 * area)


# --- SVG path data -------------------------------------------------------------------------


def _num(tenths: int) -> str:
    """A coordinate in tenths, written as short as SVG allows: 12, 1.5, .5, -.5."""
    sign = "-" if tenths < 0 else ""
    whole, tenth = divmod(abs(tenths), 10)
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def _join(numbers: Iterable[str]) -> str:
    out: list[str] = []
    previous = ""
    for number in numbers:
        # A separator only where the parser needs one: "1.5-2" and "1.5.5" read as two numbers.
        if out and not (number[0] == "-" or (number[0] == "." and "." in previous)):
            out.append(" ")
        out.append(number)
        previous = number
    return "".join(out)


def path_data(rings: Iterable[Sequence[Point]], *, closed: bool = True) -> str:
    """SVG path data to one decimal: each ring an absolute move, then relative lines.

    Relative steps are taken between the rounded absolute points, so rounding never adds up.
    Points that round onto the previous one are dropped; so are rings that collapse.
    """
    parts = []
    for ring in rings:
        points: list[tuple[int, int]] = []
        for x, y in ring:
            point = (round(x * 10), round(y * 10))
            if not points or point != points[-1]:
                points.append(point)
        if closed and len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(points) < (3 if closed else 2):
            continue
        numbers = [_num(points[0][0]), _num(points[0][1])]
        for (x0, y0), (x1, y1) in pairwise(points):
            numbers += [_num(x1 - x0), _num(y1 - y0)]
        head, tail = _join(numbers[:2]), _join(numbers[2:])
        parts.append(f"M{head}l{tail}{'z' if closed else ''}")
    return "".join(parts)


# --- The atlas -----------------------------------------------------------------------------


@dataclass(eq=False)
class Atlas:
    """The decoded us-atlas geometry the map draws from, read once per process."""

    arcs: list[list[Point]]
    states: dict[str, dict]  # state FIPS -> TopoJSON geometry (Albers USA)
    counties: dict[str, dict]  # county FIPS -> TopoJSON geometry (Albers USA)
    counties_by_state: dict[str, list[str]]
    territories: dict[str, list[Polygon]]  # territory FIPS -> longitude/latitude polygons
    _polygons: dict[tuple[str, str], list[Polygon]] = field(default_factory=dict)
    _centroids: dict[tuple[str, str], Point] = field(default_factory=dict)

    def polygons(self, kind: str, fips: str) -> list[Polygon]:
        key = (kind, fips)
        if key not in self._polygons:
            source = self.states if kind == "state" else self.counties
            self._polygons[key] = geometry_polygons(source[fips], self.arcs)
        return self._polygons[key]

    def centroid(self, kind: str, fips: str) -> Point:
        key = (kind, fips)
        if key not in self._centroids:
            self._centroids[key] = centroid(self.polygons(kind, fips))
        return self._centroids[key]

    def geometry(self, kind: str, fips: str) -> dict:
        return (self.states if kind == "state" else self.counties)[fips]

    def refs(self, kind: str, fips: str) -> Iterable[int]:
        return geometry_refs(self.geometry(kind, fips))

    def merged(self, shapes: Iterable[tuple[str, str]]) -> list[Ring]:
        return merge(self.arcs, (self.geometry(kind, fips) for kind, fips in shapes))

    def inset(self, fips: str, box: Box) -> list[Polygon]:
        key = ("territory", f"{fips}@{box}")
        if key not in self._polygons:
            self._polygons[key] = fit_polygons(self.territories[fips], box)
        return self._polygons[key]


def inset_boxes(territories: Iterable[str]) -> dict[str, Box]:
    """Where each territory's inset goes: one column, stacked up from the bottom right."""
    width, height = INSET_SIZE
    wanted = set(territories)
    order = [fips for fips, _ in TERRITORIES if fips in wanted]
    return {
        fips: (INSET_RIGHT - width, INSET_BOTTOM - (i + 1) * height - i * INSET_GAP, width, height)
        for i, fips in enumerate(order)
    }


def fit_polygons(polygons: list[Polygon], box: Box, pad: float = 5.0) -> list[Polygon]:
    """Longitude/latitude polygons scaled into a box, north up, centred.

    A linear fit per territory: each is small enough that an equirectangular projection,
    with longitudes shrunk by the cosine of the mean latitude, keeps its shape. The fit frames
    the main islands (half the largest one's area or more); islands that then fall outside
    the box are left out (the far north of the Northern Marianas, Manu'a in American Samoa).
    """
    areas = [abs(ring_area(polygon[0])) for polygon in polygons]
    main = [p for p, area in zip(polygons, areas, strict=True) if area >= max(areas) / 2]
    points = [p for polygon in main for ring in polygon for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    west, east, south, north = min(lons) * kx, max(lons) * kx, min(lats), max(lats)
    x, y, w, h = box
    top = y + INSET_LABEL
    w, h = w - 2 * pad, h - INSET_LABEL - pad
    scale = min(w / ((east - west) or 1), h / ((north - south) or 1))
    ox = x + pad + (w - (east - west) * scale) / 2
    oy = top + (h - (north - south) * scale) / 2
    fitted = [
        [[(ox + (lon * kx - west) * scale, oy + (north - lat) * scale) for lon, lat in ring]
         for ring in polygon]
        for polygon in polygons
    ]  # fmt: skip
    return [
        polygon
        for polygon in fitted
        if all(x <= px <= x + box[2] and top <= py <= y + box[3] for px, py in polygon[0])
    ]


@lru_cache(maxsize=1)
def atlas() -> Atlas:
    """Read and decode the us-atlas files (once per process: they never change at run time)."""
    with open(ATLAS_DIR / "counties-albers-10m.json", encoding="utf-8") as f:
        albers = json.load(f)
    with open(ATLAS_DIR / "states-10m.json", encoding="utf-8") as f:
        lonlat = json.load(f)
    states = {g["id"]: g for g in albers["objects"]["states"]["geometries"]}
    counties = {g["id"]: g for g in albers["objects"]["counties"]["geometries"]}
    by_state: dict[str, list[str]] = defaultdict(list)
    for fips in counties:
        by_state[fips[:2]].append(fips)
    lonlat_arcs = decode_arcs(lonlat)
    names = dict(TERRITORIES)
    territories = {
        g["id"]: geometry_polygons(g, lonlat_arcs)
        for g in lonlat["objects"]["states"]["geometries"]
        if g["id"] in names
    }
    return Atlas(
        arcs=decode_arcs(albers),
        states=states,
        counties=counties,
        counties_by_state=dict(by_state),
        territories=territories,
    )


# --- What the map shows --------------------------------------------------------------------


@dataclass
class MapRegion:
    region: Region
    shapes: list[tuple[str, str]] = field(default_factory=list)  # ("state"|"county", fips)
    territories: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)  # ZIP-level (and undrawable) members

    @property
    def slug(self) -> str:
        return self.region.slug


@dataclass
class MapPartner:
    name: str
    place: str
    point: Point


@dataclass
class MapData:
    regions: list[MapRegion]
    neutral_shapes: list[tuple[str, str]]
    neutral_territories: list[str]
    insets: dict[str, Box]  # territory FIPS -> its box, for the territories drawn
    county_keys: dict[str, int | None]  # county FIPS in a split state -> region id or None
    partners: list[MapPartner]


def map_fingerprint() -> str:
    """Changes whenever anything the map shows changes: one aggregate query over both tables."""
    from partners.models import Partner

    return tables_fingerprint(Region, Partner)


def _partner_url(slug: str) -> str:
    return reverse("partners:profile", kwargs={"slug": slug})


def _region_links():
    """Every region's states, counties and ZIP codes as (level, region id, FIPS, state FIPS).

    One query (a union of the three link tables); a ZIP code comes with its county's FIPS.
    """

    def level(model, name, fips, state_fips):
        return model.objects.order_by().values_list(
            Value(name, output_field=CharField()), "region_id", fips, state_fips
        )

    return level(RegionState, "state", "state__fips", "state__fips").union(
        level(RegionCounty, "county", "county__fips", "county__state__fips"),
        level(RegionZip, "zip", "zip_code__county__fips", "zip_code__state__fips"),
        all=True,
    )


def map_data() -> MapData:
    """Regions, their geography and the partners' places: three queries whatever the counts."""
    from partners.models import Partner

    geo = atlas()
    regions = {r.pk: MapRegion(r) for r in Region.objects.select_related("partner")}
    links: dict[str, list[tuple[int, str | None, str]]] = defaultdict(list)
    for level, region_id, fips, state_fips in _region_links():
        links[level].append((region_id, fips, state_fips))
    state_region = {fips: region_id for region_id, fips, _ in links["state"]}
    county_links, zip_links = links["county"], links["zip"]
    partner_rows = list(
        Partner.objects.filter(status__in=PARTNER_STATUSES, zip_code__isnull=False)
        .order_by("name")
        .values_list(
            "name",
            "zip_code__county__fips",
            "zip_code__state__fips",
            "zip_code__city",
            "zip_code__state__code",
        )
    )

    # Territories get an inset when some region or partner is there.
    used = set(state_region) | {row[2] for row in county_links + zip_links}
    used |= {row[2] for row in partner_rows}
    insets = inset_boxes(fips for fips in geo.territories if fips in used)

    def place(county_fips: str | None, state_fips: str | None) -> Point | None:
        """A ZIP code's or a place's point: its county's centroid, else its state's."""
        county_fips = COUNTY_ALIASES.get(county_fips or "", county_fips)
        if county_fips in geo.counties:
            return geo.centroid("county", county_fips)
        if state_fips in geo.states:
            return geo.centroid("state", state_fips)
        if state_fips in insets:
            return centroid(geo.inset(state_fips, insets[state_fips]))
        return None

    # A state with county links is "split": drawn county by county.
    county_region: dict[str, int] = {}
    for region_id, fips, state_fips in county_links:
        fips = COUNTY_ALIASES.get(fips, fips)
        if fips in geo.counties:
            county_region.setdefault(fips, region_id)
        else:  # a territory's municipio, or a county the atlas lacks: shown as a marker
            regions[region_id].points.append(place(fips, state_fips))
    for region_id, county_fips, state_fips in zip_links:
        regions[region_id].points.append(place(county_fips, state_fips))

    split_states = {fips[:2] for fips in county_region}
    county_keys: dict[str, int | None] = {}
    neutral: list[tuple[str, str]] = []
    for state_fips in sorted(geo.states):
        if state_fips in split_states:
            for fips in geo.counties_by_state[state_fips]:
                key = county_region.get(fips, state_region.get(state_fips))
                county_keys[fips] = key
                if key is None:
                    neutral.append(("county", fips))
                else:
                    regions[key].shapes.append(("county", fips))
        elif state_fips in state_region:
            regions[state_region[state_fips]].shapes.append(("state", state_fips))
        else:
            neutral.append(("state", state_fips))
    neutral_territories = []
    for fips in insets:
        if fips in state_region:
            regions[state_region[fips]].territories.append(fips)
        else:
            neutral_territories.append(fips)

    partners = []
    for name, county_fips, state_fips, city, state_code in partner_rows:
        point = place(county_fips, state_fips)
        if point is not None:
            partners.append(MapPartner(name, f"{city}, {state_code}", point))

    for item in regions.values():
        item.points = list(dict.fromkeys(p for p in item.points if p is not None))
    # A region with no geography yet has nothing to draw (the table still lists it). Areas go
    # first, then regions with markers, so markers are drawn over the areas around them.
    drawn = [r for r in regions.values() if r.shapes or r.territories or r.points]
    return MapData(
        regions=sorted(drawn, key=lambda r: (bool(r.points), r.region.name.lower())),
        neutral_shapes=neutral,
        neutral_territories=neutral_territories,
        insets=insets,
        county_keys=county_keys,
        partners=partners,
    )


def _spread(points: list[Point]) -> list[Point]:
    """Markers on the same spot are moved apart on a small circle, so each stays visible."""
    total = Counter(points)
    placed: Counter[Point] = Counter()
    out = []
    for p in points:
        if total[p] == 1:
            out.append(p)
            continue
        angle = 2 * math.pi * placed[p] / total[p] - math.pi / 2
        placed[p] += 1
        out.append((p[0] + MARKER_SPREAD * math.cos(angle), p[1] + MARKER_SPREAD * math.sin(angle)))
    return out


# --- Drawing -------------------------------------------------------------------------------

_DEFS = (
    "<defs>"
    '<pattern id="map-fill-onboarding" class="map-pattern" patternUnits="userSpaceOnUse"'
    ' width="5" height="5">'
    '<rect class="map-pattern-bg" width="5" height="5"/>'
    '<circle class="map-pattern-mark" cx="2.5" cy="2.5" r="1"/></pattern>'
    '<pattern id="map-fill-open" class="map-pattern" patternUnits="userSpaceOnUse"'
    ' width="6" height="6" patternTransform="rotate(45)">'
    '<rect class="map-pattern-bg" width="6" height="6"/>'
    '<rect class="map-pattern-mark" width="2" height="6"/></pattern>'
    '<pattern id="map-fill-closed" class="map-pattern" patternUnits="userSpaceOnUse"'
    ' width="6" height="6" patternTransform="rotate(-45)">'
    '<rect class="map-pattern-bg" width="6" height="6"/>'
    '<rect class="map-pattern-mark" width="6" height="1.2"/>'
    '<rect class="map-pattern-mark" width="1.2" height="6"/></pattern>'
    "</defs>"
)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _describe(data: MapData) -> str:
    counts = Counter(item.region.status for item in data.regions)
    parts = ", ".join(f"{counts[s.value]} {s.label.split(':')[0].lower()}" for s in Region.Status)
    return (
        f"{_plural(len(data.regions), 'region')}: {parts}; "
        f"{_plural(len(data.partners), 'Regional Partner location')}."
        " Choose a region to see who serves it; the table of regions lists the same facts."
    )


def _rings(polygons: Iterable[Polygon]) -> Iterable[Ring]:
    return (ring for polygon in polygons for ring in polygon)


def _region_link(geo: Atlas, data: MapData, item: MapRegion, points: list[Point]) -> str:
    region, partner = item.region, item.region.partner
    status_label = region.get_status_display()
    title = f"{region.name}: {status_label}" + (f" — {partner.name}" if partner else "")
    shapes = []
    if item.shapes:
        rings = geo.merged(item.shapes)
        shapes.append(f'<path class="map-shape" d="{path_data(rings)}"/>')
    if item.territories:
        rings = _rings(p for f in item.territories for p in geo.inset(f, data.insets[f]))
        shapes.append(f'<path class="map-shape" d="{path_data(rings)}"/>')
    shapes += [
        f'<circle class="map-shape map-zip" cx="{x:.1f}" cy="{y:.1f}" r="{ZIP_MARKER_RADIUS}"/>'
        for x, y in points
    ]
    return format_html(
        '<a href="#region-{slug}" class="map-region status-{status}" data-region="{slug}"'
        ' data-name="{name}" data-status="{status}" data-status-label="{label}"'
        ' data-partner="{partner}" data-partner-url="{partner_url}" data-apply-url="{apply}">'
        "<title>{title}</title>{shapes}</a>",
        slug=region.slug,
        status=region.status,
        name=region.name,
        label=status_label,
        partner=partner.name if partner else "",
        partner_url=_partner_url(partner.slug) if partner else "",
        apply=f"{reverse('pages:apply')}?{urlencode({'region': region.slug})}",
        title=title,
        # Numbers only (path data and coordinates), nothing from a user.
        shapes=mark_safe("".join(shapes)),  # noqa: S308
    )


def draw(data: MapData) -> str:
    """The SVG for some map data (no queries)."""
    geo = atlas()
    out = [
        format_html(
            '<svg class="map-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}"'
            ' role="group" aria-labelledby="map-title" aria-describedby="map-desc">'
            '<title id="map-title">Map of the regions by status</title>'
            '<desc id="map-desc">{}</desc>',
            WIDTH,
            HEIGHT,
            _describe(data),
        ),
        _DEFS,
    ]

    names = dict(TERRITORIES)
    if data.insets:
        out.append('<g class="map-insets" aria-hidden="true">')
        for x, y, w, h in data.insets.values():
            out.append(
                f'<rect class="map-inset" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}"'
                f' height="{h:.1f}" rx="3"/>'
            )
        out.append("</g>")

    # Neutral ground, then each region.
    neutral = geo.merged(data.neutral_shapes)
    neutral += _rings(p for f in data.neutral_territories for p in geo.inset(f, data.insets[f]))
    out.append('<g class="map-regions">')
    out.append(f'<path class="map-neutral" d="{path_data(neutral)}"/>')
    all_points = _spread([p for item in data.regions for p in item.points])
    start = 0
    for item in data.regions:
        points = all_points[start : start + len(item.points)]
        start += len(item.points)
        out.append(_region_link(geo, data, item, points))
    out.append("</g>")

    # Borders over the fills: between states, and between regions inside a split state.
    out.append(
        '<g class="map-lines" aria-hidden="true">'
        f'<path class="map-state-lines" d="{_state_lines(geo)}"/>'
        f'<path class="map-region-lines" d="{_split_state_lines(geo, data)}"/>'
        "</g>"
    )
    if data.insets:
        out.append('<g class="map-labels" aria-hidden="true">')
        out += [
            format_html(
                '<text class="map-inset-label" x="{}" y="{}">{}</text>',
                f"{x + 5:.1f}",
                f"{y + 10:.1f}",
                names[fips],
            )
            for fips, (x, y, _w, _h) in data.insets.items()
        ]
        out.append("</g>")

    if data.partners:
        points = _spread([partner.point for partner in data.partners])
        out.append('<g class="map-partners">')
        out.append(
            format_html_join(
                "",
                '<circle class="map-partner" cx="{}" cy="{}" r="{}"><title>{}</title></circle>',
                (
                    (f"{x:.1f}", f"{y:.1f}", PARTNER_MARKER_RADIUS, f"{p.name} ({p.place})")
                    for p, (x, y) in zip(data.partners, points, strict=True)
                ),
            )
        )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


@lru_cache(maxsize=1)
def _state_lines(geo: Atlas) -> str:
    return path_data(mesh(geo.arcs, geo.states.values()), closed=False)


def _split_state_lines(geo: Atlas, data: MapData) -> str:
    """Borders inside split states between counties of different regions (or none)."""
    sides: dict[int, list[str]] = defaultdict(list)
    for fips in data.county_keys:
        for ref in set(geo.refs("county", fips)):
            sides[arc_index(ref)].append(fips)
    lines = [
        geo.arcs[i]
        for i, (a, *others) in sorted(sides.items())
        if len(others) == 1 and data.county_keys[a] != data.county_keys[others[0]]
    ]
    return path_data(lines, closed=False)


def render_map(fingerprint: str | None = None) -> SafeString:
    """The coverage map as SVG markup, cached until a region or partner changes.

    One query on a cache hit (the fingerprint, none if the caller passes it), four on a miss,
    whatever the number of regions.
    """
    fingerprint = f"{MAP_VERSION}|{reverse('pages:program')}|{fingerprint or map_fingerprint()}"
    key = "geography:map:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = draw(map_data())
        cache.set(key, svg, CACHE_SECONDS)
    return mark_safe(svg)  # noqa: S308 - every text in it went through format_html
