"""Cells for files people open in a spreadsheet (CSV and XLSX exports)."""

# A cell starting with one of these is read as a formula (or a field separator) by Excel,
# LibreOffice and Google Sheets: CSV/formula injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text as written, but never a formula when the file is opened in a spreadsheet.

    Text starting like a formula gets a leading apostrophe; anything else (numbers, dates,
    None) comes back as it was, so an XLSX keeps its numbers and a CSV writer its blanks.
    """
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return f"'{value}"
    return value
