"""What a ZIP code looks like, and how people type them."""

import re

ZIP_HELP = "A ZIP code is five digits, optionally followed by four more: 98101 or 98101-1234."
_ZIP = re.compile(r"^(\d{5})(?:[-\s]?(\d{4}))?$")


class MalformedZip(ValueError):
    """The value is not shaped like a ZIP code."""


def normalize_zip(raw: str | None) -> str:
    """The five-digit ZIP in `raw`: accepts `98101`, `98101-1234`, ` 98101 `, `98101 1234`."""
    value = (raw or "").strip()
    match = _ZIP.match(value)
    if not match:
        if not value:
            raise MalformedZip(f"Enter a ZIP code. {ZIP_HELP}")
        raise MalformedZip(f"“{value[:20]}” is not a ZIP code. {ZIP_HELP}")
    return match.group(1)
