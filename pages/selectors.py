"""Reads for the public pages. Figures come from the database, never from text."""

import hashlib
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.core.cache import cache
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone

from core.fingerprint import cache_key, tables_fingerprint
from core.program_years import program_year_for
from geography.map import map_fingerprint, render_map
from geography.models import Region
from geography.selectors import region_rows
from metrics.selectors import program_totals
from partners.models import Partner
from workshops.models import Attendance, TeachingReport, Workshop

from .models import ContentBlock, TermSheet

FIGURES_CACHE_SECONDS = 60 * 60 * 24


@dataclass(frozen=True)
class ProgramFigures:
    partners: int
    states_served: int
    open_regions: int
    regions: int
    teachers: int = 0  # teachers who attended a workshop in `program_year`
    students: int = 0  # students those teachers report teaching in `program_year`
    program_year: str = ""


# What the teachers and students figures read (metrics.selectors.program_totals), as
# `tables_fingerprint(newest=...)` tables: the audit log's newest id changes with every
# change made through the ORM to a workshop, a teaching report or an attendance (all three
# are registered with django-auditlog, deletions included), and each table's newest id with
# every insert, also one made in bulk (demo data) without an audit entry. Attendance has no
# `updated_at` and, at a million enrollments, counting its rows on every visit would cost
# more than the page; these are index lookups.
FIGURE_TABLES = (Workshop, TeachingReport, Attendance, LogEntry)


def figures_fingerprint() -> str:
    """Changes whenever a public figure can: regions, partners, workshops, teaching reports,
    attendance, and the program year (the figures speak for a year chosen by the date).
    One query."""
    tables = tables_fingerprint(Region, Partner, newest=FIGURE_TABLES)
    return f"{tables}|{program_year_for(timezone.localdate())}"


def program_figures() -> ProgramFigures:
    """Live figures for the program page and the one-pager.

    Partners, states served, teachers and students are `metrics.selectors.program_totals`
    (the metrics' definitions, for the whole program), regions are counted here. Cached under
    `figures_fingerprint()`: one query when cached, seven when not.
    """
    key = cache_key("pages:figures", figures_fingerprint())
    figures = cache.get(key)
    if figures is None:
        totals = program_totals()
        region_counts = {
            row["status"]: row["n"]
            for row in Region.objects.values("status").annotate(n=Count("pk")).order_by()
        }
        figures = ProgramFigures(
            partners=totals.partners,
            states_served=totals.states_served,
            open_regions=region_counts.get(Region.Status.OPEN, 0),
            regions=sum(region_counts.values()),
            teachers=totals.teachers,
            students=totals.students,
            program_year=totals.program_year,
        )
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


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
    return "|".join(
        str(part)
        for part in (
            latest_block.first(),
            ContentBlock.objects.count(),
            terms.pk if terms else None,
            figures_fingerprint(),
        )
    )


@dataclass(frozen=True)
class Coverage:
    """What the program page shows about regions: figures, map and the accessible table."""

    figures: ProgramFigures
    map_svg: str
    table_html: str


def page_fingerprint() -> str:
    """Changes with anything the program page shows: regions, partners, content, terms, and
    what the teachers and students figures count (see FIGURE_TABLES). One query."""
    tables = tables_fingerprint(Region, Partner, ContentBlock, TermSheet, newest=FIGURE_TABLES)
    return f"{tables}|{program_year_for(timezone.localdate())}"


def coverage() -> Coverage:
    """The map and the table cached as one piece until a region or partner changes, the
    figures under their own fingerprint (`program_figures`): two queries when cached.

    Rendering hundreds of table rows costs far more than serving them, so the map and the
    table are kept under the map's fingerprint, which changes with either of them; the
    figures change with attendance too, which should not re-render the map.
    """
    fingerprint = map_fingerprint()
    key = "pages:coverage:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        cached = (
            str(render_map(fingerprint)),
            render_to_string("pages/regions_table.html", {"region_rows": region_rows()}),
        )
        cache.set(key, cached, 60 * 60 * 24)
    map_svg, table_html = cached
    return Coverage(figures=program_figures(), map_svg=map_svg, table_html=table_html)
