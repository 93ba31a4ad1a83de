"""The dashboards' tables as CSV and XLSX (tablib): the same rows and columns as the pages.

Figures go out as numbers in the unit people read on the page (percents for shares, so an
XLSX sums and charts them); a missing figure is a blank cell. A CSV starts with a UTF-8 byte
order mark, so Excel reads names with accents correctly. Every text cell goes through
`spreadsheet_safe`, so a partner named "=HYPERLINK(...)" stays text in a spreadsheet.
"""

from decimal import Decimal

import tablib

from core.spreadsheets import spreadsheet_safe
from partners.commitments import CommitmentState

from .selectors import METRICS, MetricSpec, Unit, status_text

# The status columns, in the commitments' order and words.
STATUS_COUNTS = tuple((str(state.value), str(state.label)) for state in CommitmentState)


def percent(fraction) -> Decimal | str:
    """A fraction as a percent to one decimal (0.4567 -> 45.7), blank for none."""
    if fraction is None:
        return ""
    return (Decimal(fraction) * 100).quantize(Decimal("0.1"))


def number(spec: MetricSpec, value):
    """A figure as a spreadsheet number in the page's unit: shares in percent, counts whole
    (a count target is stored as 42.00 and written 42, like the actual), blank for none."""
    if value is None:
        return ""
    if spec.unit == Unit.SHARE:
        return percent(value)
    if spec.unit == Unit.COUNT:
        value = Decimal(value)
        return int(value) if value == value.to_integral_value() else value
    return value


def unit_heading(spec: MetricSpec) -> str:
    return {Unit.SHARE: " (%)", Unit.FTE: " (FTE)", Unit.MEAN: " (1-5)"}.get(spec.unit, "")


# --- The partner dashboard -------------------------------------------------------------------


def partner_dataset(dashboard) -> tablib.Dataset:
    """One row per metric: target, actual, status, the region's share, then the trend."""
    years = [year for year, _ in dashboard.rows[0].trend] if dashboard.rows else []
    headers = ["Group", "Metric", "Unit", "Target", "Actual", "Status", "Region's share (%)"]
    data = tablib.Dataset(
        headers=[*headers, *years],
        title=f"Metrics {dashboard.program_year}"[:31],
    )
    for row in dashboard.rows:
        spec = row.spec
        data.append(
            [
                spec.group,
                spec.label,
                {Unit.SHARE: "%", Unit.FTE: "FTE", Unit.MEAN: "1-5"}.get(spec.unit, "count"),
                number(spec, row.target),
                number(spec, row.actual),
                status_text(row.status, row.target),
                number(spec, row.region) if spec.region_compare else "",
                *(number(spec, value) for _, value in row.trend),
            ]
        )
    return data


# --- The program dashboard -------------------------------------------------------------------


def program_dataset(rows, program_year: str, counts) -> tablib.Dataset:
    """One row per partner: its status counts, then each metric's actual, target and status.

    `counts(row)` gives the row's status counts (the page's sort uses the same function).
    """
    headers = ["Partner", "Partner status", "State", "Regional manager"]
    headers += [label for _, label in STATUS_COUNTS]
    for spec in METRICS.values():
        suffix = unit_heading(spec)
        headers += [
            f"{spec.label}{suffix}",
            f"{spec.label}: target{suffix}",
            f"{spec.label}: status",
        ]
    data = tablib.Dataset(headers=headers, title=f"Metrics {program_year}")
    for row in rows:
        partner = row.partner
        manager = partner.regional_manager
        tally = counts(row)
        cells = [
            spreadsheet_safe(partner.name),
            partner.get_status_display(),
            partner.state.code if partner.state else "",
            spreadsheet_safe(manager.get_full_name() or manager.email) if manager else "",
            *(tally[key] for key, _ in STATUS_COUNTS),
        ]
        for key, spec in METRICS.items():
            cells += [
                number(spec, row.figures.values.get(key)),
                number(spec, row.targets.get(key)),
                status_text(row.statuses.get(key), row.targets.get(key)),
            ]
        data.append(cells)
    return data


# --- Workshop quality ------------------------------------------------------------------------


def quality_dataset(rows, program_year: str, by_label: str) -> tablib.Dataset:
    data = tablib.Dataset(
        headers=[
            by_label,
            "Detail",
            "Enrolled",
            "Attended",
            "Completed",
            "Attendance rate (%)",
            "Completion rate (%)",
            "Survey responses",
            "Survey mean (1-5)",
        ],
        title=f"Quality {program_year}",
    )
    for row in rows:
        data.append(
            [
                spreadsheet_safe(row.label),
                spreadsheet_safe(row.detail),
                row.enrolled,
                row.attended,
                row.completed,
                percent(row.attendance_rate),
                percent(row.completion_rate),
                row.responses,
                "" if row.survey_mean is None else row.survey_mean,
            ]
        )
    return data


# --- Evidence --------------------------------------------------------------------------------


def evidence_dataset(evidence, rows) -> tablib.Dataset:
    data = tablib.Dataset(headers=list(evidence.columns), title=evidence.title[:31])
    for row in rows:
        data.append([spreadsheet_safe("" if cell is None else cell) for cell in row])
    return data
