"""What a ZIP code looks like, and how people type them."""

import re
import unicodedata

ZIP_HELP = "A ZIP code is five digits, optionally followed by four more: 98101 or 98101-1234."
_ZIP = re.compile(r"^(\d{5})(?:[-\s]?(\d{4}))?$", re.ASCII)


class MalformedZip(ValueError):
    """The value is not shaped like a ZIP code."""


def normalize_zip(raw: str | None) -> str:
    """The five-digit ZIP in `raw`: accepts `98101`, `98101-1234`, ` 98101 `, `98101 1234`
    (in any script's digits); the answer is ASCII."""
    value = (raw or "").strip()
    # Digits typed in another script (a phone keyboard's full-width or Arabic-Indic ٩٨١٠١)
    # read as the ASCII digits they are.
    match = _ZIP.match("".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value))
    if not match:
        if not value:
            raise MalformedZip(f"Enter a ZIP code. {ZIP_HELP}")
        raise MalformedZip(f"“{value[:20]}” is not a ZIP code. {ZIP_HELP}")
    return match.group(1)
