"""Reads for the public pages. Figures come from the database, never from text."""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q
from django.template.loader import render_to_string

from core.fingerprint import tables_fingerprint
from geography.map import map_fingerprint, render_map
from geography.models import County, Region, State, ZipCode
from geography.selectors import region_rows
from partners.models import Partner

from .models import ContentBlock, TermSheet


@dataclass(frozen=True)
class ProgramFigures:
    partners: int
    states_served: int
    open_regions: int
    regions: int


def program_figures() -> ProgramFigures:
    """Live figures for the program page and the one-pager (three queries)."""
    served = Region.Status.SERVED
    states_served = State.objects.filter(
        Q(region_links__region__status=served)
        | Q(pk__in=County.objects.filter(region_links__region__status=served).values("state"))
        | Q(pk__in=ZipCode.objects.filter(region_links__region__status=served).values("state"))
    ).distinct()
    region_counts = {
        row["status"]: row["n"]
        for row in Region.objects.values("status").annotate(n=Count("pk")).order_by()
    }
    return ProgramFigures(
        partners=Partner.objects.active().count(),
        states_served=states_served.count(),
        open_regions=region_counts.get(Region.Status.OPEN, 0),
        regions=sum(region_counts.values()),
    )


def program_blocks() -> dict[str, ContentBlock]:
    return {block.key: block for block in ContentBlock.objects.all()}


def open_regions():
    return Region.objects.filter(status=Region.Status.OPEN).prefetch_related("states")


def terms_current() -> TermSheet | None:
    return TermSheet.objects.current()


def terms_published():
    return TermSheet.objects.published().order_by("-published_at")


def content_fingerprint() -> str:
    """Changes whenever anything the one-pager shows changes (content, terms or figures)."""
    latest_block = ContentBlock.objects.order_by("-updated_at").values_list("updated_at", flat=True)
    terms = terms_current()
    figures = program_figures()
    return "|".join(
        str(part)
        for part in (
            latest_block.first(),
            ContentBlock.objects.count(),
            terms.pk if terms else None,
            figures,
        )
    )


@dataclass(frozen=True)
class Coverage:
    """What the program page shows about regions: figures, map and the accessible table."""

    figures: ProgramFigures
    map_svg: str
    table_html: str


def page_fingerprint() -> str:
    """Changes with anything the program page shows: regions, partners, content, terms."""
    return tables_fingerprint(Region, Partner, ContentBlock, TermSheet)


def coverage() -> Coverage:
    """Cached as one piece until a region or partner changes (one query when cached).

    Rendering hundreds of table rows costs far more than serving them, so the figures, the
    map and the table are kept under the map's fingerprint, which changes with any of them.
    """
    fingerprint = map_fingerprint()
    key = "pages:coverage:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        cached = Coverage(
            figures=program_figures(),
            map_svg=str(render_map(fingerprint)),
            table_html=render_to_string("pages/regions_table.html", {"region_rows": region_rows()}),
        )
        cache.set(key, cached, 60 * 60 * 24)
    return cached
