"""The program dashboard's map: the partners' regions coloured by one metric (a choropleth).

The geometry is the coverage map's (geography.map: the us-atlas `atlas` and `map_data`). What
depends only on the regions, each region's outline as SVG path data, is cached under the same
fingerprint the coverage map uses, so it is drawn again only when a region or partner
changes; the colours depend on the figures and are applied on every request, without queries.

Values fall into at most five bands of equal width with round bounds ("100 to 199", "40% to
under 60%"); counts spread over five whole numbers or fewer get a band per number. Colour is
never the only cue: every region is a link to the partner's dashboard whose title and
accessible name say the partner, the metric and the value; the legend lists each band with
how many partners fall in it; the table beside the map has every figure.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from urllib.parse import urlencode

from django.core.cache import cache
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from geography.map import (
    CACHE_SECONDS,
    HEIGHT,
    MAP_VERSION,
    TERRITORIES,
    WIDTH,
    ZIP_MARKER_RADIUS,
    _rings,
    _split_state_lines,
    _spread,
    _state_lines,
    atlas,
    map_data,
    map_fingerprint,
    path_data,
)

from .selectors import METRICS, Unit, format_value

# Colour steps, light to dark (ColorBrewer "Blues", 5 classes); fewer bands spread over them.
STEPS = 5
# The smallest band width per unit: whole teachers, whole percents, a tenth of the scale...
MIN_STEP = {
    Unit.COUNT: Decimal("1"),
    Unit.SHARE: Decimal("0.01"),
    Unit.MEAN: Decimal("0.1"),
    Unit.FTE: Decimal("0.05"),
}


@dataclass(frozen=True)
class Band:
    step: int  # 1..STEPS: the colour
    lower: Decimal
    upper: Decimal  # exclusive, except for the last band
    label: str
    count: int = 0


@dataclass
class Choropleth:
    svg: SafeString
    bands: list[Band]
    no_data: int  # partners on the map without a value
    unmapped: list[str]  # partners with no region on the map (listed in the table only)


# --- Bands -----------------------------------------------------------------------------------


def _nice_steps(span: Decimal, minimum: Decimal):
    """Round band widths from the smallest that could cover `span` in STEPS bands, upwards:
    1, 2, 2.5 and 5 times a power of ten, never under `minimum`."""
    raw = max(span / STEPS, minimum)
    exponent = raw.adjusted()
    while True:
        for base in ("1", "2", "2.5", "5"):
            step = Decimal(base).scaleb(exponent)
            if step >= raw and step >= minimum:
                yield step
        exponent += 1


def value_bands(values: list, unit: Unit, metric) -> list[Band]:
    """At most STEPS bands of one round width covering the values (none for no values).

    Each band holds its lower bound and not its upper one, except the last, which holds both.
    """
    numbers = [Decimal(v) for v in values if v is not None]
    if not numbers:
        return []
    low, high = min(numbers), max(numbers)
    for step in _nice_steps(high - low, MIN_STEP[unit]):
        start = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
        reach = (high - start) / step
        # One whole number a band: the top value gets a band of its own, not a place in the
        # band below (0 and 1 summits are two colours, not one "0 to 1").
        whole_steps = unit == Unit.COUNT and step == MIN_STEP[unit]
        closes = reach == int(reach) and reach > 0 and not whole_steps
        count = int(reach) if closes else int(reach) + 1
        if count <= STEPS:
            break
    # Fewer bands than colours: spread them over the light-to-dark scale.
    colours = (
        [STEPS // 2 + 1]
        if count == 1
        else [1 + round(i * (STEPS - 1) / (count - 1)) for i in range(count)]
    )
    bands = [
        Band(
            step=colours[i],
            lower=start + i * step,
            upper=start + (i + 1) * step,
            label=_band_label(
                metric,
                unit,
                start + i * step,
                start + (i + 1) * step,
                closes and i == count - 1,
            ),
        )
        for i in range(count)
    ]
    counts = Counter(_band_index(bands, n) for n in numbers)
    return [Band(b.step, b.lower, b.upper, b.label, counts[i]) for i, b in enumerate(bands)]


def _band_label(metric, unit: Unit, lower: Decimal, upper: Decimal, closed: bool) -> str:
    """ "100 to 199" for counts; "40% to under 60%" otherwise ("to 60%" when 60% is in it)."""
    if unit == Unit.COUNT:
        top = upper if closed else upper - 1
        if top <= lower:
            return format_value(metric, int(lower))
        return f"{format_value(metric, int(lower))} to {format_value(metric, int(top))}"
    if closed:
        return f"{format_value(metric, lower)} to {format_value(metric, upper)}"
    return f"{format_value(metric, lower)} to under {format_value(metric, upper)}"


def _band_index(bands: list[Band], value: Decimal) -> int:
    for i, band in enumerate(bands):
        if value < band.upper:
            return i
    return len(bands) - 1


def band_for(bands: list[Band], value) -> Band | None:
    if value is None or not bands:
        return None
    return bands[_band_index(bands, Decimal(value))]


# --- Outlines (cached with the coverage map's fingerprint) ------------------------------------


def _outlines() -> dict:
    """Each region's outline as path data, the ground around them, and the borders.

    One query on a cache hit (the fingerprint), four on a miss, whatever the regions.
    """
    fingerprint = f"{MAP_VERSION}|metrics|{map_fingerprint()}"
    key = "metrics:map:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    outlines = cache.get(key)
    if outlines is not None:
        return outlines
    geo = atlas()
    data = map_data()
    regions = []
    for item in data.regions:
        rings = list(geo.merged(item.shapes)) if item.shapes else []
        rings += _rings(p for f in item.territories for p in geo.inset(f, data.insets[f]))
        regions.append(
            {
                "id": item.region.pk,
                "name": item.region.name,
                "partner_id": item.region.partner_id,
                "d": path_data(rings),
                "points": item.points,
            }
        )
    neutral = geo.merged(data.neutral_shapes)
    neutral += _rings(p for f in data.neutral_territories for p in geo.inset(f, data.insets[f]))
    outlines = {
        "regions": regions,
        "neutral": path_data(neutral),
        "lines": _state_lines(geo),
        "split": _split_state_lines(geo, data),
        "insets": data.insets,
    }
    cache.set(key, outlines, CACHE_SECONDS)
    return outlines


# --- Drawing ---------------------------------------------------------------------------------


def choropleth(rows, metric, program_year: str) -> Choropleth:
    """The map of the rows' partners (ProgramRow) coloured by `metric`; the fingerprint query
    (plus three on a cache miss), whatever the number of partners."""
    spec = METRICS[metric]
    values = {row.partner.pk: row.figures.values.get(metric) for row in rows}
    partners = {row.partner.pk: row.partner for row in rows}
    bands = value_bands(list(values.values()), spec.unit, metric)
    outlines = _outlines()
    mapped = {r["partner_id"] for r in outlines["regions"] if r["partner_id"] in partners}

    shown = [r for r in outlines["regions"] if r["partner_id"] in partners]
    # Regions of partners outside the dashboard (another manager's) are ground, unlabelled.
    ground = [outlines["neutral"]] + [r["d"] for r in outlines["regions"] if r not in shown]
    points = _spread([p for r in shown for p in r["points"]])
    query = urlencode({"year": program_year})

    out = [
        format_html(
            '<svg class="map-svg choropleth" xmlns="http://www.w3.org/2000/svg"'
            ' viewBox="0 0 {} {}" role="group" aria-labelledby="choropleth-title"'
            ' aria-describedby="choropleth-desc">'
            '<title id="choropleth-title">Map of the partners\' regions by {}, {}</title>'
            '<desc id="choropleth-desc">{}</desc>',
            WIDTH,
            HEIGHT,
            spec.label.lower(),
            program_year,
            _describe(spec, bands, len(shown)),
        ),
        '<defs><pattern id="choropleth-none" patternUnits="userSpaceOnUse" width="6" height="6"'
        ' patternTransform="rotate(45)"><rect class="choropleth-none-bg" width="6" height="6"/>'
        '<rect class="choropleth-none-mark" width="1.5" height="6"/></pattern></defs>',
    ]
    if outlines["insets"]:
        out.append('<g class="map-insets" aria-hidden="true">')
        for x, y, w, h in outlines["insets"].values():
            out.append(
                f'<rect class="map-inset" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}"'
                f' height="{h:.1f}" rx="3"/>'
            )
        out.append("</g>")
    out.append('<g class="map-regions">')
    out.append(f'<path class="map-neutral" d="{"".join(ground)}"/>')
    start = 0
    for region in shown:
        partner = partners[region["partner_id"]]
        value = values[partner.pk]
        band = band_for(bands, value)
        region_points = points[start : start + len(region["points"])]
        start += len(region["points"])
        shapes = f'<path class="map-shape" d="{region["d"]}"/>' if region["d"] else ""
        shapes += "".join(
            f'<circle class="map-shape map-zip" cx="{x:.1f}" cy="{y:.1f}" r="{ZIP_MARKER_RADIUS}"/>'
            for x, y in region_points
        )
        label = f"{partner.name} ({region['name']}): {spec.label} {format_value(metric, value)}"
        if value is None:
            label = f"{partner.name} ({region['name']}): {spec.label}, no data"
        out.append(
            format_html(
                '<a href="{url}?{query}" class="map-region choropleth-{band}"'
                ' data-partner="{slug}" data-band="{band}" aria-label="{label}">'
                "<title>{label}</title>{shapes}</a>",
                url=reverse("workspace:metrics", args=[partner.slug]),
                query=query,
                band=band.step if band else "none",
                slug=partner.slug,
                label=label,
                # Numbers only (path data and coordinates), nothing from a user.
                shapes=mark_safe(shapes),  # noqa: S308
            )
        )
    out.append("</g>")
    out.append(
        '<g class="map-lines" aria-hidden="true">'
        f'<path class="map-state-lines" d="{outlines["lines"]}"/>'
        f'<path class="map-region-lines" d="{outlines["split"]}"/>'
        "</g>"
    )
    if outlines["insets"]:
        names = dict(TERRITORIES)
        out.append('<g class="map-labels" aria-hidden="true">')
        out += [
            format_html(
                '<text class="map-inset-label" x="{}" y="{}">{}</text>',
                f"{x + 5:.1f}",
                f"{y + 10:.1f}",
                names[fips],
            )
            for fips, (x, y, _w, _h) in outlines["insets"].items()
        ]
        out.append("</g>")
    out.append("</svg>")
    no_data = sum(1 for pk in mapped if values[pk] is None)
    unmapped = [partner.name for pk, partner in partners.items() if pk not in mapped]
    return Choropleth(
        svg=mark_safe("".join(out)),  # noqa: S308 - every text in it went through format_html
        bands=bands,
        no_data=no_data,
        unmapped=unmapped,
    )


def _describe(spec, bands: list[Band], regions: int) -> str:
    if not bands:
        return f"{regions} region{'s' if regions != 1 else ''}; no partner has a figure yet."
    parts = "; ".join(f"{band.label}: {band.count}" for band in bands)
    return (
        f"{regions} region{'s' if regions != 1 else ''}, darker for more. Partners per band: "
        f"{parts}. The table lists every partner's figure."
    )
