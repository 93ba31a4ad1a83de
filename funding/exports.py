"""The overview as CSV and XLSX (tablib): the same columns and totals as the page."""

from decimal import Decimal

import tablib
from django.http import HttpResponse

from core.spreadsheets import dataset_response, spreadsheet_safe

from .selectors_awards import TREND_LABELS, Overview

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
    "Share the year before (%)",
    "Trend",
]


def overview_dataset(overview: Overview) -> tablib.Dataset:
    """One row per partner, then a totals row; amounts as Decimals (numbers in XLSX)."""
    data = tablib.Dataset(headers=HEADERS, title=f"Funding {overview.program_year}")
    for row in overview.rows:
        partner = row.partner
        manager = partner.regional_manager
        data.append(
            [
                spreadsheet_safe(partner.name),
                partner.get_status_display(),
                partner.state.code if partner.state else "",
                spreadsheet_safe(manager.get_full_name() or manager.email) if manager else "",
                row.award_status_label,
                row.requested,
                row.awarded,
                row.disbursed,
                row.spent,
                row.independent,
                _share(row.share),
                _share(row.previous_share),
                TREND_LABELS.get(row.trend, ""),
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
            _share(overview.previous_share),
            TREND_LABELS.get(overview.trend, ""),
        ]
    )
    return data


def _share(value: Decimal | None):
    return "" if value is None else value


def overview_response(overview: Overview, file_format: str) -> HttpResponse:
    """The download: `file_format` is "csv" or "xlsx"."""
    data = overview_dataset(overview)
    return dataset_response(data, file_format, f"funding-overview-{overview.program_year}")
