"""The overview as CSV and XLSX (tablib): the same columns and totals as the page."""

from decimal import Decimal

import tablib
from django.http import HttpResponse

from .selectors_awards import Overview

HEADERS = [
    "Partner",
    "Partner status",
    "State",
    "Regional manager",
    "Award status",
    "Requested",
    "Awarded",
    "Disbursed",
    "Spent",
    "Independent funding",
    "Sustainability share (%)",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Text as written, but never a formula when the file is opened in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return f"'{value}"
    return value


def overview_dataset(overview: Overview) -> tablib.Dataset:
    """One row per partner, then a totals row; amounts as Decimals (numbers in XLSX)."""
    data = tablib.Dataset(headers=HEADERS, title=f"Funding {overview.program_year}")
    for row in overview.rows:
        partner = row.partner
        manager = partner.regional_manager
        data.append(
            [
                safe_cell(partner.name),
                partner.get_status_display(),
                partner.state.code if partner.state else "",
                safe_cell(manager.get_full_name() or manager.email) if manager else "",
                row.award_status_label,
                row.requested,
                row.awarded,
                row.disbursed,
                row.spent,
                row.independent,
                _share(row.share),
            ]
        )
    data.append(
        [
            "Total",
            "",
            "",
            "",
            "",
            overview.requested,
            overview.awarded,
            overview.disbursed,
            overview.spent,
            overview.independent,
            _share(overview.share),
        ]
    )
    return data


def _share(value: Decimal | None):
    return "" if value is None else value


def overview_response(overview: Overview, file_format: str) -> HttpResponse:
    """The download: `file_format` is "csv" or "xlsx"."""
    data = overview_dataset(overview)
    name = f"funding-overview-{overview.program_year}.{file_format}"
    if file_format == "xlsx":
        response = HttpResponse(data.export("xlsx"), content_type=XLSX)
    else:
        response = HttpResponse(data.export("csv"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
