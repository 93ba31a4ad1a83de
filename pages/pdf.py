"""The shareable one-pager, rendered by WeasyPrint from the live content and figures."""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string

from . import selectors

CACHE_SECONDS = 60 * 60 * 24


def one_pager_pdf(*, base_url: str) -> bytes:
    """The PDF bytes, cached until the content, terms or figures change."""
    fingerprint = hashlib.sha256(selectors.content_fingerprint().encode()).hexdigest()[:32]
    key = f"one-pager:{fingerprint}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = _render(base_url=base_url)
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def _render(*, base_url: str) -> bytes:
    return one_pager_document(base_url=base_url).write_pdf()


def one_pager_document(*, base_url: str):
    """The laid-out WeasyPrint document (its `pages` tell how many pages the PDF has)."""
    # Imported here: WeasyPrint loads Pango at import, which only this view needs.
    from weasyprint import HTML

    html = render_to_string(
        "pages/one_pager.html",
        {
            "blocks": selectors.program_blocks(),
            "figures": selectors.program_figures(),
            "terms": selectors.terms_current(),
            "base_url": base_url,
        },
    )
    return HTML(string=html, base_url=base_url).render()
