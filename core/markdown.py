"""Markdown for editable content, sanitized so that nothing an editor types runs as script."""

from functools import lru_cache

import markdown as md
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Markdown to HTML, then stripped to a safe subset (no script, styles or event handlers).

    A pure function of the text, so it is memoized: pages render the same blocks every time.
    """
    html = md.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
