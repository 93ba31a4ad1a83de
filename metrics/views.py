"""The dashboards: a partner's metrics against its targets (in the partner workspace), the
evidence behind each figure, the targets form, and the program office's dashboard of all its
partners with the map and the workshop quality breakdown.

Every figure comes from `metrics.selectors` (the one definition of each metric); these views
only choose the year, order and grouping, and lay the figures out. Scope: the workspace pages
go through `partners.workspace.workspace_view` (program managers of the partner, its regional
manager, program admins); the program pages are for program admins (every partner) and
regional managers (theirs). Anyone else gets 404, as for a page that does not exist.
"""

from collections import Counter
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from core.db_routers import reporting_reads
from core.forms import add_service_errors
from core.spreadsheets import dataset_response
from partners.commitments import CommitmentState
from partners.models import Partner
from partners.workspace import Workspace, workspace_view

from . import cache as dashboard_cache
from . import selectors, services
from .exports import (
    STATUS_COUNTS,
    evidence_dataset,
    partner_dataset,
    program_dataset,
    quality_dataset,
)
from .forms import (
    SORT_FIXED,
    YEARS_AHEAD,
    EvidenceForm,
    ProgramDashboardForm,
    QualityForm,
    TargetsForm,
    YearForm,
)
from .map import choropleth
from .models import Metric
from .selectors import METRICS, Unit, evidence_url, format_value, status_text

FORMATS = ("csv", "xlsx")
EVIDENCE_PER_PAGE = 50
# The evidence of the teaching-report metrics names each record's course in this column; the
# dashboard's per-course figures link to that evidence narrowed to the course (`?course=`).
COURSE_METRICS = (Metric.TEACHERS_IMPLEMENTING, Metric.SCHOOLS_IMPLEMENTING)
DASHBOARD_STATUSES = (Partner.Status.ACTIVE, Partner.Status.ONBOARDING)


def export_format(request) -> str | None:
    """`?format=csv|xlsx` asks for the page's table as a file; anything else is the page."""
    value = request.GET.get("format")
    return value if value in FORMATS else None


def _year_query(program_year: str) -> str:
    return "?" + urlencode({"year": program_year})


# --- The partner dashboard -------------------------------------------------------------------


def _rate(part: int, whole: int) -> str:
    """Teachers teaching a course over those who attended its workshops: "75%"; a dash when
    nobody attended."""
    if not whole:
        return "—"
    return f"{round(Decimal(part) * 100 / whole)}%"


def _chart_value(spec, value):
    """A figure for the chart: shares in percent, numbers as JSON numbers, gaps as null."""
    if value is None:
        return None
    if spec.unit == Unit.SHARE:
        return float(Decimal(value) * 100)
    return float(value)


def _metric_rows(dashboard, partner: Partner) -> list[dict]:
    rows = []
    for row in dashboard.rows:
        metric = row.metric
        rows.append(
            {
                "row": row,
                "key": str(metric),
                "label": row.spec.label,
                "definition": row.spec.definition,
                "actual": format_value(metric, row.actual),
                "target": format_value(metric, row.target) if row.target is not None else "",
                "region": format_value(metric, row.region) if row.spec.region_compare else "",
                "status": row.status,
                "url": row.evidence_url,
                "trend": [
                    (year, format_value(metric, value), evidence_url(partner, metric, year))
                    for year, value in row.trend
                ],
            }
        )
    return rows


def _grouped(rows: list[dict]) -> list[dict]:
    groups: dict[str, dict] = {}
    for item in rows:
        group = item["row"].spec.group
        entry = groups.setdefault(
            group,
            {"name": group, "slug": group.lower().replace(" ", "-"), "rows": [], "region": False},
        )
        entry["rows"].append(item)
        entry["region"] = entry["region"] or item["row"].spec.region_compare
    return list(groups.values())


def _charts(dashboard) -> list[dict]:
    """What static/js/dashboards.js draws: per metric its label, unit and values per year."""
    return [
        {
            "key": str(row.metric),
            "label": row.spec.label,
            "unit": {Unit.SHARE: "%", Unit.FTE: "FTE", Unit.MEAN: "1-5"}.get(row.spec.unit, ""),
            "years": [year for year, _ in row.trend],
            "values": [_chart_value(row.spec, value) for _, value in row.trend],
            "year": dashboard.program_year,
            "target": _chart_value(row.spec, row.target),
        }
        for row in dashboard.rows
    ]


def _status_summary(statuses) -> list[tuple[str, str, int]]:
    tally = Counter(status for status in statuses if status is not None)
    return [(state.value, state.label, tally[state]) for state in CommitmentState]


@require_http_methods(["GET", "HEAD"])
@workspace_view("metrics")
def partner_dashboard(request, ws: Workspace):
    """The partner's metrics for a year: target, actual, status, trend; every figure a link."""
    today = timezone.localdate()
    year_form = YearForm(request.GET or None, today=today, after=YEARS_AHEAD)
    program_year = year_form.program_year
    dashboard = dashboard_cache.partner_dashboard(ws.partner, program_year, today)
    file_format = export_format(request)
    if file_format:
        return dataset_response(
            partner_dataset(dashboard), file_format, f"metrics-{ws.partner.slug}-{program_year}"
        )
    rows = _metric_rows(dashboard, ws.partner)
    courses = [
        {
            "course": course,
            "rate": _rate(course.teachers_implementing, course.teachers_attended),
            # The course's own records; the attendance evidence has no course column, so the
            # teachers who attended per course are not linked.
            "urls": {
                str(metric): evidence_url(ws.partner, metric, program_year)
                + "&"
                + urlencode({"course": course.course_id})
                for metric in COURSE_METRICS
            },
        }
        for course in dashboard.by_course
    ]
    context = {
        "ws": ws,
        "year_form": year_form,
        "program_year": program_year,
        "years": dashboard.years,
        "groups": _grouped(rows),
        "summary": _status_summary(row["status"] for row in rows),
        "has_targets": any(row["row"].target is not None for row in rows),
        "charts": _charts(dashboard),
        "courses": courses,
        "survey_items": [
            (key, question, format_value(Metric.SURVEY_MEAN, mean))
            for key, question, mean in dashboard.survey_items
        ],
        "links": {str(key): evidence_url(ws.partner, key, program_year) for key in METRICS},
        "can_set_targets": request.user.is_program_admin,
        "export_query": urlencode({"year": program_year}),
    }
    return render(request, "metrics/partner_dashboard.html", context)


# --- Evidence --------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@workspace_view("metrics")
def metric_evidence(request, ws: Workspace, metric: str):
    """The records behind one figure, a page at a time, with the figure and its definition."""
    try:
        metric = Metric(metric)
    except ValueError:
        raise Http404 from None
    today = timezone.localdate()
    year_form = EvidenceForm(request.GET or None, today=today, after=YEARS_AHEAD)
    program_year = year_form.program_year
    course = year_form.chosen_course if metric in selectors.REPORT_METRICS else None
    with reporting_reads():
        evidence = selectors.metric_evidence(ws.partner, program_year, metric, course=course)
    rows, links = evidence.rows, evidence.links
    total = max(getattr(evidence, "total", None) or 0, len(rows))
    records = list(zip(rows, links, strict=False))
    file_format = export_format(request)
    if file_format:
        name = f"evidence-{ws.partner.slug}-{metric}-{program_year}"
        return dataset_response(
            evidence_dataset(evidence, rows),
            file_format,
            f"{name}-{course.slug}" if course else name,
        )
    page = Paginator(records, EVIDENCE_PER_PAGE).get_page(request.GET.get("page"))
    query = {"year": program_year, **({"course": course.pk} if course else {})}
    context = {
        "ws": ws,
        "year_form": year_form,
        "program_year": program_year,
        "spec": METRICS[metric],
        "evidence": evidence,
        "course": course,
        "all_courses_url": "?" + urlencode({"year": program_year}) if course else "",
        "page": page,
        # The selector caps the records it returns; the total counts them all.
        "total": total,
        "shown": len(records),
        "dashboard_url": reverse("workspace:metrics", args=[ws.partner.slug])
        + _year_query(program_year),
        "export_query": urlencode(query),
    }
    return render(request, "metrics/evidence.html", context)


# --- Targets ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@workspace_view("metrics")
def targets(request, ws: Workspace):
    """Program admins set a partner's targets for a year; the history of changes below."""
    if not request.user.is_program_admin:
        raise Http404
    partner = ws.partner
    today = timezone.localdate()
    year_form = YearForm(request.GET or None, today=today, after=YEARS_AHEAD)
    program_year = year_form.program_year
    dashboard_url = reverse("workspace:metrics", args=[partner.slug]) + _year_query(program_year)
    current = selectors.targets_for([partner.pk], [program_year]).get((partner.pk, program_year))
    form = TargetsForm(request.POST if request.method == "POST" else None, targets=current or {})
    if request.method == "POST" and form.is_valid():
        try:
            services.targets_save(
                partner=partner,
                program_year=program_year,
                values=form.values(),
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, f"The targets for {program_year} are saved.")
            return redirect(dashboard_url)
    context = {
        "ws": ws,
        "year_form": year_form,
        "program_year": program_year,
        "form": form,
        "history": services.targets_history(partner, program_year),
        "has_targets": bool(current),
        "dashboard_url": dashboard_url,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "metrics/targets.html", context, status=status)


# --- The program dashboard -------------------------------------------------------------------


def dashboard_partners(user):
    """The partners on the program pages: admins every active or onboarding partner, regional
    managers theirs; None for everyone else (the pages do not exist for them)."""
    if not (user.is_program_admin or user.is_regional_manager):
        return None
    return (
        Partner.objects.visible_to(user)
        .filter(status__in=DASHBOARD_STATUSES)
        .select_related("state", "regional_manager")
        .order_by("name")
    )


def status_counts(row) -> Counter:
    """How many of a partner's metrics are met, on track, at risk and missed."""
    return Counter(str(status) for status in row.statuses.values() if status is not None)


def _sort_value(row, key: str):
    if key == "partner":
        return row.partner.name.casefold()
    if key in SORT_FIXED:
        return status_counts(row)[key]
    return row.figures.values.get(Metric(key))


def sort_rows(rows: list, sort: str) -> list:
    """Rows in the chosen order (partner name breaks ties); partners without the figure last."""
    key = sort.removeprefix("-")
    rows = sorted(rows, key=lambda row: row.partner.name.casefold())
    present = [row for row in rows if _sort_value(row, key) is not None]
    missing = [row for row in rows if _sort_value(row, key) is None]
    present.sort(key=lambda row: _sort_value(row, key), reverse=sort.startswith("-"))
    return present + missing


def _columns(sort: str) -> list[dict]:
    """The table's sortable columns: label, the sort a click asks for, and aria-sort."""
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = []
    for key, label, numeric in [
        ("partner", "Partner", False),
        *((key, label, True) for key, label in STATUS_COUNTS),
        *((str(key), spec.label, True) for key, spec in METRICS.items()),
    ]:
        if key == current:
            aria = "descending" if descending else "ascending"
            next_sort = key if descending else f"-{key}"
        else:
            aria = None
            # Figures sort largest first on the first click; names from A.
            next_sort = f"-{key}" if numeric else key
        columns.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "aria_sort": aria,
                "next_sort": next_sort,
                "next_label": "descending" if next_sort.startswith("-") else "ascending",
            }
        )
    return columns


def _program_rows(rows: list, program_year: str) -> list[dict]:
    out = []
    for row in rows:
        tally = status_counts(row)
        cells = []
        for key, spec in METRICS.items():
            target = row.targets.get(key)
            cells.append(
                {
                    "key": str(key),
                    "label": spec.label,
                    "value": format_value(key, row.figures.values.get(key)),
                    "target": format_value(key, target) if target is not None else "",
                    "status": row.statuses.get(key),
                    "status_label": status_text(row.statuses.get(key), target),
                    "url": evidence_url(row.partner, key, program_year),
                }
            )
        out.append(
            {
                "partner": row.partner,
                "url": reverse("workspace:metrics", args=[row.partner.slug])
                + _year_query(program_year),
                "counts": [(key, label, tally[key]) for key, label in STATUS_COUNTS],
                "cells": cells,
            }
        )
    return out


@login_required
@require_http_methods(["GET", "HEAD"])
def program(request):
    """All partners in scope for a year: one sortable table, the map, and the downloads."""
    partners = dashboard_partners(request.user)
    if partners is None:
        raise Http404
    today = timezone.localdate()
    form = ProgramDashboardForm(request.GET or None, today=today)
    program_year, metric, sort = form.program_year, form.chosen_metric, form.chosen_sort
    rows = sort_rows(dashboard_cache.program_rows(partners, program_year, today), sort)
    file_format = export_format(request)
    if file_format:
        return dataset_response(
            program_dataset(rows, program_year, status_counts),
            file_format,
            f"metrics-{program_year}",
        )
    tally = Counter()
    for row in rows:
        tally.update(status_counts(row))
    context = {
        "form": form,
        "program_year": program_year,
        "metric": metric,
        "spec": METRICS[metric],
        "sort": sort,
        "columns": _columns(sort),
        "rows": _program_rows(rows, program_year),
        "summary": [(key, label, tally[key]) for key, label in STATUS_COUNTS],
        "map": choropleth(rows, metric, program_year),
        "export_query": urlencode({"year": program_year, "sort": sort}),
    }
    return render(request, "metrics/program.html", context)


# --- Workshop quality ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def quality(request):
    """Attendance, completion and survey means by workshop, facilitator, course or partner."""
    partners = dashboard_partners(request.user)
    if partners is None:
        raise Http404
    today = timezone.localdate()
    form = QualityForm(request.GET or None, today=today)
    program_year, by = form.program_year, form.grouping
    by_label = dict(QualityForm.BY_CHOICES)[by]
    slugs = dict(partners.values_list("pk", "slug"))
    with reporting_reads():
        rows = selectors.workshop_quality(list(slugs), program_year, by)
    file_format = export_format(request)
    if file_format:
        return dataset_response(
            quality_dataset(rows, program_year, by_label),
            file_format,
            f"workshop-quality-{by}-{program_year}",
        )
    context = {
        "form": form,
        "program_year": program_year,
        "by": by,
        "by_label": by_label,
        "rows": [
            {
                "row": row,
                # A partner's row leads to its dashboard (other groupings have no page here).
                "url": row.url
                or (
                    reverse("workspace:metrics", args=[slugs[row.key]]) + _year_query(program_year)
                    if by == "partner" and row.key in slugs
                    else ""
                ),
                "attendance_rate": format_value(Metric.ATTENDANCE_RATE, row.attendance_rate),
                "completion_rate": format_value(Metric.COMPLETION_RATE, row.completion_rate),
                "survey_mean": format_value(Metric.SURVEY_MEAN, row.survey_mean),
            }
            for row in rows
        ],
        "export_query": urlencode({"year": program_year, "by": by}),
    }
    return render(request, "metrics/quality.html", context)
