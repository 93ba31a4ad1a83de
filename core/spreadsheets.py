"""Files people open in a spreadsheet (CSV and XLSX downloads), and their cells."""

import tablib
from django.http import HttpResponse

# With a byte order mark first, Excel reads a CSV file as UTF-8 (without it, "Peña" comes out
# as "PeÃ±a"); other spreadsheets and csv readers ("utf-8-sig") skip it.
BOM = "\ufeff"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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


def csv_response(filename: str) -> HttpResponse:
    """An empty CSV download named `filename` (with ".csv"), its byte order mark written:
    give it to `csv.writer`."""
    response = HttpResponse(BOM, content_type=CSV)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def dataset_response(data: tablib.Dataset, file_format: str, name: str) -> HttpResponse:
    """`data` as a download: `file_format` is "csv" or "xlsx"; `name` without extension."""
    if file_format == "xlsx":
        response = HttpResponse(data.export("xlsx"), content_type=XLSX)
    else:
        response = HttpResponse(BOM + data.export("csv"), content_type=CSV)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
