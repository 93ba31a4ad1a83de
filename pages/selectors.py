"""Reads for the public pages. Figures come from the database, never from text."""

from dataclasses import dataclass

from django.db.models import Count, Q

from geography.models import County, Region, State, ZipCode
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
