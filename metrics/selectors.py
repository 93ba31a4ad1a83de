"""Every metric of a partner's year, defined once, computed from the records.

A metric is never stored: it is counted from attendance, teaching reports, surveys, district
commitments, program managers, event registrations and funding, for a partner and a program
year (July to June, `core.program_years`). "The partner's workshops of the year" are the
workshops whose `partner` is the partner and whose `program_year` (the year of their first
session) is the year; draft and cancelled workshops have no attendance, so they add nothing.

Teachers
- teachers_attended: distinct teachers with at least one Attendance at a session of the
  partner's workshops of the year (whatever their enrollment's status now: a teacher who came
  and cancelled later still came).
- teachers_completed: distinct teachers with an enrollment (status enrolled) in such a
  workshop who attended every one of its sessions (a workshop with no session has none to
  complete).
- teacher_growth: (teachers who attended this year - the year before) / the year before, a
  fraction (0.10 is +10%, negative for fewer). Both years are counted over the same days: once
  the year is over, the whole of both years (teachers_attended); while it runs, the year so
  far against the same days of the year before (attendance at sessions dated from the start
  of each year up to today, and up to the same day one year earlier; February 29 counts to
  February 28). None when the year before had no teacher in that period, and for a year that
  has not started.

Students
- students_reached: the sum of `students` over the teaching reports of the year whose
  workshop belongs to the partner.

Implementation
- teachers_implementing / schools_implementing: distinct teachers / distinct schools (the
  listed school, else the school name as typed, compared case-insensitively) with such
  reports; also per course (`by_course`, beside the teachers who attended that course's
  workshops, for an implementation rate).
- district_fulfilment: over the partner's district commitments of the year,
  sum(min(teachers attended, teachers committed)) / sum(teachers committed)
  (`districts.selectors.commitments_fulfilment`, which this module calls); None when there is
  no commitment.

Diversity (each beside the region's own share, `PartnerFigures.region`)
- female_share, urm_share: sum(female_students) / sum(students) and sum(urm_students) /
  sum(students) over the reports counted in students_reached; None without students.
  Region: over the open schools in the partner's regions (their ZIP code's region), weighted
  by enrollment: sum(enrollment * share) / sum(enrollment), over schools reporting both.
- high_need_share, rural_share: among the teachers counted in teachers_attended whose
  enrollment (one they attended with) names a listed school, the share whose school has a
  free or reduced-price lunch share of 0.5 or more (`districts.models.HIGH_NEED_FRL_SHARE`)
  / whose school's locale is rural; None when no such teacher.
  Region: the share of the open schools in the partner's regions that are high-need / rural.

Workshop quality
- survey_mean: the mean of every Likert rating (1-5) in the survey responses to the
  partner's workshops of the year; `survey_items` has the mean per question key. Counted as
  `surveys.selectors.results_summary` counts them (`surveys.selectors.likert_counts`).
- attendance_rate: of the enrollments (status enrolled) in the partner's workshops of the
  year that have ended (stored state ended; `workshops_advance_states` moves it on schedule),
  the share with at least one attendance. completion_rate: the share that attended every
  session. None when there is no such enrollment.

Partnership health
- pm_fte: the FTE of the partner's program managers whose accounts are active
  (`partners.commitments.program_manager_fte_totals`), for the current program year and the
  years to come. None for a year that is over: managers who left are not recorded (only
  today's people are, with an optional `since`), so who was there then cannot be known, and
  today's people are not a past year's figure.
- summits_attended: the year's summits (events of kind summit starting in the year) at which
  someone who is now a program manager of the partner is recorded as attended, whatever
  partner their registration names (the commitments engine's rule,
  `events.selectors.office_event_counts`).
- sustainability_share: `funding.selectors_awards.sustainability_share` of the year's
  awarded (approved or closed awards) and independent funding, as a fraction (it answers in
  percent); None without any funding.

Precision: a figure is kept, shown and judged at one precision, so a status never
contradicts the numbers on screen: counts whole, shares (and growth) to a tenth of a percent
(0.001, shown "45.5%", or "45%" when whole), the survey mean and FTE to two decimals.
`metric_status` rounds the actual and the target to it before comparing.

Statuses (`metric_status`): none without a target, and none without a figure (an actual of
None: no students to take a share of, no year before to grow from, no funding): such a row
reads "No data" (`MetricRow.status_label`), it is neither missed nor at risk.

Every function reading records runs a fixed number of queries, whatever the number of
partners and rows: counts are grouped by partner (and year, course) in the database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Lower
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from core.program_years import previous_program_year, program_year_bounds, program_year_for
from districts.models import HIGH_NEED_FRL_SHARE, Locale, School
from districts.selectors import commitments_fulfilment
from partners.commitments import CommitmentState, program_manager_fte_totals
from partners.models import Partner
from workshops.models import (
    Attendance,
    Course,
    Enrollment,
    EnrollmentStatus,
    TeachingReport,
    Workshop,
    WorkshopSession,
    WorkshopState,
)

from .models import Metric, Target

ZERO = Decimal("0")
# The precision figures are kept, shown and judged at (module docstring, "Precision").
SHARE_PLACES = Decimal("0.001")
MEAN_PLACES = Decimal("0.01")
FTE_PLACES = Decimal("0.01")
# Evidence tables show at most this many rows, with the total count beside them.
EVIDENCE_LIMIT = 500


# --- The metrics ----------------------------------------------------------------------------


class Unit(StrEnum):
    COUNT = "count"
    SHARE = "share"
    MEAN = "mean"
    FTE = "fte"


@dataclass(frozen=True)
class MetricSpec:
    key: Metric
    label: str
    unit: Unit
    group: str
    cumulative: bool  # a count that grows through the year: judged against the time elapsed
    definition: str
    region_compare: bool = False  # shown beside the region's own share


def _spec(key, unit, group, definition, *, cumulative=False, region_compare=False) -> MetricSpec:
    return MetricSpec(
        key=Metric(key),
        label=Metric(key).label,
        unit=unit,
        group=group,
        cumulative=cumulative,
        definition=definition,
        region_compare=region_compare,
    )


METRICS: dict[Metric, MetricSpec] = {
    spec.key: spec
    for spec in (
        _spec(
            Metric.TEACHERS_ATTENDED,
            Unit.COUNT,
            "Teachers",
            "Distinct teachers who attended at least one session of the partner's workshops "
            "in the year.",
            cumulative=True,
        ),
        _spec(
            Metric.TEACHERS_COMPLETED,
            Unit.COUNT,
            "Teachers",
            "Distinct enrolled teachers who attended every session of one of the partner's "
            "workshops in the year.",
            cumulative=True,
        ),
        _spec(
            Metric.TEACHER_GROWTH,
            Unit.SHARE,
            "Teachers",
            "Change in teachers who attended against the year before, as a share of the year "
            "before; while the year runs, the year so far against the same days of the year "
            "before.",
        ),
        _spec(
            Metric.STUDENTS_REACHED,
            Unit.COUNT,
            "Students",
            "Students in the sections that teachers from the partner's workshops report "
            "teaching in the year.",
            cumulative=True,
        ),
        _spec(
            Metric.TEACHERS_IMPLEMENTING,
            Unit.COUNT,
            "Implementation",
            "Distinct teachers from the partner's workshops who report teaching the course in "
            "the year.",
            cumulative=True,
        ),
        _spec(
            Metric.SCHOOLS_IMPLEMENTING,
            Unit.COUNT,
            "Implementation",
            "Distinct schools where teachers from the partner's workshops report teaching the "
            "course in the year.",
            cumulative=True,
        ),
        _spec(
            Metric.DISTRICT_FULFILMENT,
            Unit.SHARE,
            "Implementation",
            "Teachers committed by districts who attended, each commitment counted up to its "
            "number, over the teachers committed.",
        ),
        _spec(
            Metric.FEMALE_SHARE,
            Unit.SHARE,
            "Diversity",
            "Female students among the students reached.",
            region_compare=True,
        ),
        _spec(
            Metric.URM_SHARE,
            Unit.SHARE,
            "Diversity",
            "Students from under-represented groups among the students reached.",
            region_compare=True,
        ),
        _spec(
            Metric.HIGH_NEED_SHARE,
            Unit.SHARE,
            "Diversity",
            "Teachers who attended from schools where half or more of the students qualify for "
            "free or reduced-price lunch, of those from listed schools.",
            region_compare=True,
        ),
        _spec(
            Metric.RURAL_SHARE,
            Unit.SHARE,
            "Diversity",
            "Teachers who attended from rural schools, of those from listed schools.",
            region_compare=True,
        ),
        _spec(
            Metric.SURVEY_MEAN,
            Unit.MEAN,
            "Workshop quality",
            "Mean of every 1-5 rating in the surveys of the partner's workshops in the year.",
        ),
        _spec(
            Metric.ATTENDANCE_RATE,
            Unit.SHARE,
            "Workshop quality",
            "Enrolled teachers of ended workshops who attended at least one session.",
        ),
        _spec(
            Metric.COMPLETION_RATE,
            Unit.SHARE,
            "Workshop quality",
            "Enrolled teachers of ended workshops who attended every session.",
        ),
        _spec(
            Metric.PM_FTE,
            Unit.FTE,
            "Partnership health",
            "Full-time equivalents of the partner's active program managers (today's people: "
            "not known for years that are over).",
        ),
        _spec(
            Metric.SUMMITS_ATTENDED,
            Unit.COUNT,
            "Partnership health",
            "Summits of the year a program manager of the partner attended.",
            cumulative=True,
        ),
        _spec(
            Metric.SUSTAINABILITY_SHARE,
            Unit.SHARE,
            "Partnership health",
            "Independent funding over all funding (awarded and independent) for the year.",
        ),
    )
}

CUMULATIVE = frozenset(key for key, spec in METRICS.items() if spec.cumulative)


PLACES: dict[Unit, Decimal] = {
    Unit.COUNT: Decimal("1"),
    Unit.SHARE: SHARE_PLACES,
    Unit.MEAN: MEAN_PLACES,
    Unit.FTE: FTE_PLACES,
}


def _spec_of(spec_or_metric: MetricSpec | Metric | str) -> MetricSpec:
    if isinstance(spec_or_metric, MetricSpec):
        return spec_or_metric
    return METRICS[Metric(spec_or_metric)]


def shown_value(spec_or_metric: MetricSpec | Metric | str, value) -> Decimal | None:
    """The value at the precision it is shown and judged at (module docstring, "Precision"),
    rounded half up; None for None."""
    if value is None:
        return None
    spec = _spec_of(spec_or_metric)
    return Decimal(str(value)).quantize(PLACES[spec.unit], ROUND_HALF_UP)


def format_value(spec_or_metric: MetricSpec | Metric | str, value) -> str:
    """A metric's value as people read it: "1,204", "45%", "45.5%", "4.20", "0.75 FTE",
    "+12%"; "—" for None. Growth is signed; shares are percentages to a tenth, the ".0" left
    out; means and FTE have two decimals. `shown_value` is the number shown."""
    spec = _spec_of(spec_or_metric)
    value = shown_value(spec, value)
    if value is None:
        return "—"
    if spec.unit == Unit.COUNT:
        return f"{int(value):,}"
    if spec.unit == Unit.SHARE:
        percent = (value * 100).quantize(Decimal("0.1"))
        text = f"{int(percent)}" if percent == percent.to_integral_value() else f"{percent}"
        if spec.key == Metric.TEACHER_GROWTH and percent > 0:
            return f"+{text}%"
        return f"{text}%"
    if spec.unit == Unit.MEAN:
        return f"{value}"
    return f"{value} FTE"


def _ratio(numerator, denominator, places: Decimal = SHARE_PLACES) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator or 0) / Decimal(denominator)).quantize(places, ROUND_HALF_UP)


# --- Figures --------------------------------------------------------------------------------


@dataclass
class CourseFigures:
    course_id: int
    course_name: str
    teachers_attended: int = 0
    teachers_implementing: int = 0
    schools_implementing: int = 0


@dataclass
class PartnerFigures:
    partner_id: int
    program_year: str
    values: dict[Metric, Decimal | int | None] = field(default_factory=dict)
    region: dict[Metric, Decimal | None] = field(default_factory=dict)
    by_course: list[CourseFigures] = field(default_factory=list)
    survey_items: dict[str, Decimal | None] = field(default_factory=dict)


def _attended() -> Exists:
    return Exists(Attendance.objects.filter(enrollment=OuterRef("pk")))


def _attended_sessions() -> Coalesce:
    """An enrollment's attended sessions (a correlated count)."""
    counted = (
        Attendance.objects.filter(enrollment=OuterRef("pk"))
        .order_by()
        .values("enrollment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _workshop_sessions() -> Coalesce:
    """The sessions of an enrollment's workshop (a correlated count)."""
    counted = (
        WorkshopSession.objects.filter(workshop=OuterRef("workshop"))
        .order_by()
        .values("workshop")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _year_enrollments(partner_ids: list[int], years: list[str]) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(
        workshop__partner_id__in=partner_ids, workshop__program_year__in=years
    )


def teachers_attended_counts(
    partner_ids: Iterable[int], program_years: Iterable[str]
) -> dict[tuple[int, str], int]:
    """{(partner id, year): distinct teachers who attended} (teachers_attended, module
    docstring). Absent keys are 0. One query.

    `workshops.attendance.teachers_attended` delegates here.
    """
    rows = (
        _year_enrollments(list(partner_ids), list(program_years))
        .filter(_attended())
        .values_list("workshop__partner_id", "workshop__program_year")
        .annotate(n=Count("teacher_id", distinct=True))
        .order_by()
    )
    return {(p, y): n for p, y, n in rows}


def _year_earlier(day: datetime.date) -> datetime.date:
    """The same day one year before (February 29 -> February 28)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


GrowthPeriod = tuple[str, datetime.date | None]  # (program year, sessions up to; None: all)


def growth_periods(
    program_year: str, today: datetime.date
) -> tuple[GrowthPeriod, GrowthPeriod] | None:
    """What teacher_growth compares on `today` (module docstring): ((year before, up to),
    (year, up to)), an up-to of None being the whole year; None before the year starts."""
    first, last = program_year_bounds(program_year)
    before = previous_program_year(program_year)
    if today < first:
        return None
    if today > last:
        return (before, None), (program_year, None)
    return (before, _year_earlier(today)), (program_year, today)


def _period_teachers(
    partner_ids: list[int], periods: dict[str, datetime.date | None]
) -> dict[tuple[int, str], int]:
    """{(partner, year): distinct teachers who attended a session of the partner's workshops
    of the year dated up to the year's date in `periods` (None: any session)}: teachers_attended
    over part of a year. One query, grouped by partner and year."""
    if not partner_ids or not periods:
        return {}
    within = Q()
    for year, upto in periods.items():
        period = Q(enrollment__workshop__program_year=year)
        if upto is not None:
            period &= Q(session__date__lte=upto)
        within |= period
    rows = (
        Attendance.objects.filter(within, enrollment__workshop__partner_id__in=partner_ids)
        .values_list("enrollment__workshop__partner_id", "enrollment__workshop__program_year")
        .annotate(n=Count("enrollment__teacher_id", distinct=True))
        .order_by()
    )
    return {(p, y): n for p, y, n in rows}


# The per-enrollment figures (sessions attended against the workshop's sessions) are counted
# by one hand-written query: the ORM can annotate each enrollment with its attended sessions
# only as a correlated subquery, and repeats that subquery inside every conditional
# aggregate (eight times a row here), where this query counts attendance once, grouped, and
# joins it. Table and column names come from the models; values are bound parameters.
_GROUPS = {
    "partner_year": ("w.partner_id, w.program_year", ""),
    "partner": ("w.partner_id", ""),
    "workshop": ("w.id", ""),
    "course": ("w.course_id", ""),
    "facilitator": ("f.facilitator_id", "JOIN {facilitator} f ON f.workshop_id = w.id"),
}


def _tables() -> dict[str, str]:
    from django.db import connection

    from workshops.models import WorkshopFacilitator

    q = connection.ops.quote_name
    return {
        "workshop": q(Workshop._meta.db_table),
        "session": q(WorkshopSession._meta.db_table),
        "enrollment": q(Enrollment._meta.db_table),
        "attendance": q(Attendance._meta.db_table),
        "school": q(School._meta.db_table),
        "facilitator": q(WorkshopFacilitator._meta.db_table),
        "course": q(Course._meta.db_table),
        "quote": q,
    }


def _enrollment_sql(group: str, n_partners: int, n_years: int) -> str:
    key, join = _GROUPS[group]
    tables = _tables()
    partners = ", ".join(["%s"] * n_partners)
    years = ", ".join(["%s"] * n_years)
    # S608: only model table names and placeholders are interpolated.
    return f"""
WITH w AS (
    SELECT w.id, w.partner_id, w.course_id, w.program_year, w.state,
        (SELECT COUNT(*) FROM {tables["session"]} s WHERE s.workshop_id = w.id) AS sessions
    FROM {tables["workshop"]} w
    WHERE w.partner_id IN ({partners}) AND w.program_year IN ({years})
),
a AS (
    SELECT at.enrollment_id, COUNT(*) AS n
    FROM {tables["attendance"]} at
    JOIN {tables["session"]} s ON s.id = at.session_id
    JOIN w ON w.id = s.workshop_id
    GROUP BY at.enrollment_id
)
SELECT {key},
    COUNT(DISTINCT CASE WHEN a.n > 0 THEN e.teacher_id END),
    COUNT(DISTINCT CASE WHEN e.status = %s AND w.sessions > 0 AND a.n >= w.sessions
        THEN e.teacher_id END),
    COUNT(DISTINCT CASE WHEN a.n > 0 AND e.school_id IS NOT NULL THEN e.teacher_id END),
    COUNT(DISTINCT CASE WHEN a.n > 0 AND sc.frl_share >= %s THEN e.teacher_id END),
    COUNT(DISTINCT CASE WHEN a.n > 0 AND sc.locale = %s THEN e.teacher_id END),
    SUM(CASE WHEN e.status = %s AND w.state = %s THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.status = %s AND w.state = %s AND a.n > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.status = %s AND w.state = %s AND w.sessions > 0 AND a.n >= w.sessions
        THEN 1 ELSE 0 END)
FROM {tables["enrollment"]} e
JOIN w ON w.id = e.workshop_id
{join.format(**tables)}
LEFT JOIN a ON a.enrollment_id = e.id
LEFT JOIN {tables["school"]} sc ON sc.id = e.school_id
GROUP BY {key}
"""  # noqa: S608


_ENROLLMENT_COLUMNS = (
    "teachers_attended",
    "teachers_completed",
    "listed",
    "high_need",
    "rural",
    "ended_enrolled",
    "ended_attended",
    "ended_completed",
)


def _enrollment_figures(
    partner_ids: list[int], years: list[str], group: str = "partner_year"
) -> dict[tuple, dict]:
    """Per group (default (partner, year)): teachers who attended and completed, those from
    listed, high-need and rural schools, and the ended workshops' enrolled, attended and
    completed enrollments (module docstring). One query."""
    from django.db import connection

    if not partner_ids or not years:
        return {}
    enrolled, ended = EnrollmentStatus.ENROLLED, WorkshopState.ENDED
    params = [
        *partner_ids,
        *years,
        enrolled,
        HIGH_NEED_FRL_SHARE,
        Locale.RURAL.value,
        enrolled,
        ended,
        enrolled,
        ended,
        enrolled,
        ended,
    ]
    width = 2 if group == "partner_year" else 1
    with connection.cursor() as cursor:
        cursor.execute(_enrollment_sql(group, len(partner_ids), len(years)), params)
        rows = cursor.fetchall()
    return {
        tuple(row[:width]): dict(
            zip(_ENROLLMENT_COLUMNS, (v or 0 for v in row[width:]), strict=True)
        )
        for row in rows
    }


# Everything the figures count from enrollments and attendance, for all the years at once, in
# one statement: each enrollment's attended sessions are counted once (the `a` step), then
# grouped four ways, one branch each (UNION ALL): the per-year figures above, teachers who
# attended per course (by_course), per district (through the school the teacher enrolled
# with) and course (district_fulfilment), and per year over growth's periods. Grouping the
# same rows four ways in one statement reads the partner's attendance once instead of once a
# figure and a year. Portable SQL (SQLite runs the tests).
_BRANCHES = ("year", "course", "district", "period")


def _attendance_sql(
    branches: Iterable[str], n_partners: int, n_years: int, n_shown: int, periods: list[bool]
) -> str:
    tables = _tables()
    q = tables["quote"]
    partners = ", ".join(["%s"] * n_partners)
    years = ", ".join(["%s"] * n_years)
    shown = f"w.program_year IN ({', '.join(['%s'] * n_shown)})" if n_shown else "1 = 0"
    # A session counts towards a growth period when its workshop's year is the period's and
    # it is dated up to the period's end (when it has one: `periods` says which have).
    period = (
        " OR ".join(
            "(w.program_year = %s AND s.date <= %s)" if bounded else "w.program_year = %s"
            for bounded in periods
        )
        or "1 = 0"
    )
    zeros = ", 0" * 7
    # Typed NULLs: PostgreSQL matches a UNION's column types branch by branch.
    none, no_name = "CAST(NULL AS INTEGER)", "CAST(NULL AS VARCHAR(200))"
    parts = {
        "year": f"""
SELECT 'year', partner_id, program_year, {none}, {none}, {none}, {no_name},
    COUNT(DISTINCT CASE WHEN n > 0 THEN teacher_id END),
    COUNT(DISTINCT CASE WHEN status = %s AND sessions > 0 AND n >= sessions
        THEN teacher_id END),
    COUNT(DISTINCT CASE WHEN n > 0 AND school_id IS NOT NULL THEN teacher_id END),
    COUNT(DISTINCT CASE WHEN n > 0 AND frl_share >= %s THEN teacher_id END),
    COUNT(DISTINCT CASE WHEN n > 0 AND locale = %s THEN teacher_id END),
    SUM(CASE WHEN status = %s AND state = %s THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = %s AND state = %s AND n > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = %s AND state = %s AND sessions > 0 AND n >= sessions
        THEN 1 ELSE 0 END)
FROM e WHERE shown = 1
GROUP BY partner_id, program_year""",  # noqa: S608
        "course": f"""
SELECT 'course', e.partner_id, e.program_year, e.course_id, {none}, c.{q("order")}, c.name,
    COUNT(DISTINCT e.teacher_id){zeros}
FROM e JOIN {tables["course"]} c ON c.id = e.course_id
WHERE e.shown = 1 AND e.n > 0
GROUP BY e.partner_id, e.program_year, e.course_id, c.{q("order")}, c.name""",  # noqa: S608
        "district": f"""
SELECT 'district', partner_id, program_year, course_id, district_id, {none}, {no_name},
    COUNT(DISTINCT teacher_id){zeros}
FROM e WHERE shown = 1 AND n > 0 AND school_id IS NOT NULL
GROUP BY partner_id, program_year, course_id, district_id""",  # noqa: S608
        "period": f"""
SELECT 'period', partner_id, program_year, {none}, {none}, {none}, {no_name},
    COUNT(DISTINCT teacher_id){zeros}
FROM e WHERE n_period > 0
GROUP BY partner_id, program_year""",  # noqa: S608
    }
    union = "\nUNION ALL".join(parts[b] for b in _BRANCHES if b in branches)
    # S608: only model table names and placeholders are interpolated.
    return f"""
WITH w AS (
    SELECT w.id, w.partner_id, w.course_id, w.program_year, w.state,
        CASE WHEN {shown} THEN 1 ELSE 0 END AS shown,
        (SELECT COUNT(*) FROM {tables["session"]} s WHERE s.workshop_id = w.id) AS sessions
    FROM {tables["workshop"]} w
    WHERE w.partner_id IN ({partners}) AND w.program_year IN ({years})
),
a AS (
    SELECT at.enrollment_id, COUNT(*) AS n,
        SUM(CASE WHEN {period} THEN 1 ELSE 0 END) AS n_period
    FROM {tables["attendance"]} at
    JOIN {tables["session"]} s ON s.id = at.session_id
    JOIN w ON w.id = s.workshop_id
    GROUP BY at.enrollment_id
),
e AS (
    SELECT en.teacher_id, en.status, en.school_id, w.partner_id, w.program_year,
        w.course_id, w.state, w.shown, w.sessions, COALESCE(a.n, 0) AS n,
        COALESCE(a.n_period, 0) AS n_period, sc.frl_share, sc.locale, sc.district_id
    FROM {tables["enrollment"]} en
    JOIN w ON w.id = en.workshop_id
    LEFT JOIN a ON a.enrollment_id = en.id
    LEFT JOIN {tables["school"]} sc ON sc.id = en.school_id
){union}
"""  # noqa: S608


@dataclass
class _AttendanceFigures:
    years: dict[tuple[int, str], dict] = field(default_factory=dict)  # _ENROLLMENT_COLUMNS
    courses: dict[tuple[int, str, int], tuple[int, int, str]] = field(default_factory=dict)
    districts: dict[tuple[int, str, int, int], int] = field(default_factory=dict)
    periods: dict[tuple[int, str], int] = field(default_factory=dict)


def _attendance_figures(
    partner_ids: list[int],
    years: list[str],
    periods: dict[str, datetime.date | None] | None = None,
    branches: Iterable[str] = _BRANCHES,
) -> _AttendanceFigures:
    """The partners' figures counted from enrollments and attendance over `years`, by branch
    (`_attendance_sql`): per (partner, year) the teachers who attended and completed, those
    from listed, high-need and rural schools, and the ended workshops' enrolled, attended and
    completed enrollments (module docstring); per (partner, year, course) the teachers who
    attended (with the course's order and name); per (partner, year, district, course) the
    teachers from the district's schools who attended; per (partner, year) of `periods` the
    teachers who attended a session dated up to the period's end (None: any). One query."""
    from django.db import connection

    result = _AttendanceFigures()
    periods = periods or {}
    branches = [b for b in branches if b != "period" or periods]
    if not partner_ids or not (years or periods) or not branches:
        return result
    all_years = list(dict.fromkeys([*years, *periods]))
    enrolled, ended = EnrollmentStatus.ENROLLED, WorkshopState.ENDED
    adapt = connection.ops.adapt_datefield_value
    params: list = list(years)
    params += partner_ids + all_years
    for year, upto in periods.items():
        params += [year] if upto is None else [year, adapt(upto)]
    if "year" in branches:
        params += [enrolled, HIGH_NEED_FRL_SHARE, Locale.RURAL.value]
        params += [enrolled, ended] * 3
    bounded = [upto is not None for upto in periods.values()]
    sql = _attendance_sql(branches, len(partner_ids), len(all_years), len(years), bounded)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for branch, pid, year, course_id, district_id, order, name, *values in rows:
        if branch == "year":
            result.years[(pid, year)] = dict(
                zip(_ENROLLMENT_COLUMNS, (v or 0 for v in values), strict=True)
            )
        elif branch == "course":
            result.courses[(pid, year, course_id)] = (values[0], order, name)
        elif branch == "district":
            result.districts[(pid, year, district_id, course_id)] = values[0]
        else:
            result.periods[(pid, year)] = values[0]
    return result


def district_course_attended(
    partner_ids: Iterable[int], program_years: Iterable[str]
) -> dict[tuple[int, str, int, int], int]:
    """{(partner id, year, district id, course id): distinct teachers who attended at least
    one session of the partner's workshops of that course in the year}, the district being
    that of the school the teacher enrolled with (teachers of unlisted schools have none and
    are not counted). District fulfilment's count; `workshops.attendance.
    attended_by_district_course` delegates here. One query."""
    return _attendance_figures(
        list(partner_ids), list(program_years), branches=["district"]
    ).districts


def _school_key() -> Case:
    """A school as reports name it: the listed school, else its name as typed (any case)."""
    return Case(
        When(school__isnull=False, then=Concat(Value("#"), Cast("school_id", CharField()))),
        When(~Q(school_name=""), then=Concat(Value("="), Lower("school_name"))),
        default=None,
        output_field=CharField(),
    )


def _report_figures(
    partner_ids: list[int], years: list[str], *, by_course: bool
) -> dict[tuple, dict]:
    """Students, diversity and implementation per (partner, year[, course]): one query."""
    keys = ["workshop__partner_id", "program_year"]
    if by_course:
        keys += ["course_id", "course__name", "course__order"]
    rows = (
        TeachingReport.objects.filter(workshop__partner_id__in=partner_ids, program_year__in=years)
        .annotate(school_key=_school_key())
        .values(*keys)
        .annotate(
            students=Sum("students"),
            female=Sum("female_students"),
            urm=Sum("urm_students"),
            teachers=Count("teacher_id", distinct=True),
            schools=Count("school_key", distinct=True),
        )
        .order_by()
    )
    return {tuple(row[k] for k in keys[:3] if k in row): row for row in rows}


def likert_figures(
    responses, *group_paths: str
) -> dict[tuple, tuple[Decimal | None, dict[str, Decimal | None], int]]:
    """{group: (mean of every rating, {question key: mean}, ratings)} from
    `surveys.selectors.likert_counts` (the survey results' own counting). One query."""
    from surveys.selectors import likert_counts

    sums: dict[tuple, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in likert_counts(responses, *group_paths):
        group = tuple(row[f"g{i}"] for i in range(len(group_paths)))
        item = sums[group][row["question__key"]]
        item[0] += row["rating"] * row["n"]
        item[1] += row["n"]
    result = {}
    for group, items in sums.items():
        total = sum(s for s, _ in items.values())
        count = sum(n for _, n in items.values())
        result[group] = (
            _ratio(total, count, MEAN_PLACES),
            {key: _ratio(s, n, MEAN_PLACES) for key, (s, n) in items.items()},
            count,
        )
    return result


def _survey_figures(partner_ids: list[int], years: list[str]) -> dict[tuple, tuple]:
    responses = {
        "enrollment__workshop__partner_id__in": partner_ids,
        "enrollment__workshop__program_year__in": years,
    }
    return likert_figures(responses, "workshop__partner", "workshop__program_year")


def _region_figures(partner_ids: list[int]) -> dict[int, dict[Metric, Decimal | None]]:
    """The region's own shares per partner (open schools in its regions): one query."""
    money = DecimalField(max_digits=20, decimal_places=4)

    def weighted(share: str):
        known = Q(enrollment__isnull=False, **{f"{share}__isnull": False})
        return (
            Sum(F("enrollment") * F(share), filter=known, output_field=money),
            Sum("enrollment", filter=known),
        )

    female, female_weight = weighted("female_share")
    urm, urm_weight = weighted("urm_share")
    rows = (
        School.objects.filter(is_active=True, zip_code__region__partner_id__in=partner_ids)
        .values(partner=F("zip_code__region__partner_id"))
        .annotate(
            female=female,
            female_weight=female_weight,
            urm=urm,
            urm_weight=urm_weight,
            schools=Count("pk"),
            high_need=Count("pk", filter=Q(frl_share__gte=HIGH_NEED_FRL_SHARE)),
            rural=Count("pk", filter=Q(locale=Locale.RURAL)),
        )
        .order_by()
    )
    return {
        row["partner"]: {
            Metric.FEMALE_SHARE: _ratio(row["female"], row["female_weight"]),
            Metric.URM_SHARE: _ratio(row["urm"], row["urm_weight"]),
            Metric.HIGH_NEED_SHARE: _ratio(row["high_need"], row["schools"]),
            Metric.RURAL_SHARE: _ratio(row["rural"], row["schools"]),
        }
        for row in rows
    }


def _year_of(date_field: str, years: list[str]) -> Case:
    return Case(
        *[
            When(**{f"{date_field}__range": program_year_bounds(year)}, then=Value(year))
            for year in years
        ],
        default=None,
        output_field=CharField(),
    )


def _summit_figures(partner_ids: list[int], years: list[str]) -> dict[tuple[int, str], int]:
    """{(partner, year): summits a current program manager attended}: one query."""
    from events.models import EventKind, EventRegistration, RegistrationStatus

    first, _ = program_year_bounds(min(years))
    _, last = program_year_bounds(max(years))
    rows = (
        EventRegistration.objects.filter(
            event__kind=EventKind.SUMMIT,
            event__starts_on__range=(first, last),
            status=RegistrationStatus.REGISTERED,
            attended=True,
            user__managed_partners__partner_id__in=partner_ids,
        )
        .annotate(year=_year_of("event__starts_on", years))
        .values_list("user__managed_partners__partner_id", "year")
        .annotate(n=Count("event_id", distinct=True))
        .order_by()
    )
    return {(partner_id, year): n for partner_id, year, n in rows}


def _funding_figures(partner_ids: list[int], years: list[str]) -> dict[tuple[int, str], Decimal]:
    """{(partner, year): sustainability share as a fraction}: two queries, the share itself
    from `funding.selectors_awards.sustainability_share` (percent, one decimal) / 100."""
    from funding.models import AwardLine, IndependentFunding
    from funding.selectors_awards import COUNTED, sustainability_share

    awarded = {
        (p, y): total
        for p, y, total in AwardLine.objects.filter(
            award__partner_id__in=partner_ids,
            award__program_year__in=years,
            award__status__in=COUNTED,
        )
        .values_list("award__partner_id", "award__program_year")
        .annotate(total=Sum("awarded"))
        .order_by()
    }
    independent = {
        (p, y): total
        for p, y, total in IndependentFunding.objects.filter(
            partner_id__in=partner_ids, program_year__in=years
        )
        .values_list("partner_id", "program_year")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    result = {}
    for key in set(awarded) | set(independent):
        share = sustainability_share(awarded.get(key), independent.get(key))
        if share is not None:
            result[key] = (share / 100).quantize(SHARE_PLACES, ROUND_HALF_UP)
    return result


def _figures(
    partner_ids: Iterable[int], years: list[str], today: datetime.date
) -> dict[tuple[int, str], PartnerFigures]:
    """PartnerFigures for every (partner, year) as known on `today`: 10 grouped queries
    whatever the number of partners, years and rows. Attendance is read once for every
    attendance figure of every year (`_attendance_figures`: the years' own figures, by course
    and by district for district fulfilment, and the teachers growth compares that those do
    not give: the year before the first, a running year's period and its year before's)."""
    ids = list(dict.fromkeys(partner_ids))
    years = list(dict.fromkeys(years))
    result = {
        (pid, year): PartnerFigures(partner_id=pid, program_year=year)
        for pid in ids
        for year in years
    }
    if not ids or not years:
        return result
    # Growth compares whole years from the years' own figures, except the year before the
    # first year shown and a running year (so far, against the same days a year earlier),
    # counted by one query. Only one year runs on `today`, and a year not started compares
    # nothing, so each year needs at most one period here.
    compared = {year: growth_periods(year, today) for year in years}
    periods: dict[str, datetime.date | None] = {}
    for pair in compared.values():
        for year, upto in pair or ():
            if upto is not None or year not in years:
                periods[year] = upto
    attendance = _attendance_figures(ids, years, periods)
    enrolled, partial = attendance.years, attendance.periods
    per_course_attended = attendance.courses
    reports = _report_figures(ids, years, by_course=False)
    course_reports = _report_figures(ids, years, by_course=True)
    surveys = _survey_figures(ids, years)
    region = _region_figures(ids)
    fte = program_manager_fte_totals(ids)
    summits = _summit_figures(ids, years)
    funding = _funding_figures(ids, years)
    fulfilment = commitments_fulfilment(ids, years, attended=attendance.districts)

    def attended_in(pid: int, year: str, upto: datetime.date | None) -> int:
        if upto is None and year in years:
            return enrolled.get((pid, year), {}).get("teachers_attended", 0)
        return partial.get((pid, year), 0)

    def growth(pid: int, year: str) -> Decimal | None:
        pair = compared[year]
        if pair is None:
            return None
        last, now = (attended_in(pid, y, upto) for y, upto in pair)
        return _ratio(now - last, last)

    course_names: dict[int, tuple[int, str]] = {}
    for (_, _, course_id), (_, order, name) in per_course_attended.items():
        course_names[course_id] = (order, name)
    for row in course_reports.values():
        course_names[row["course_id"]] = (row["course__order"], row["course__name"])

    attended_by_course: dict[tuple[int, str], list] = defaultdict(list)
    for (pid, year, course_id), (n, _, _) in per_course_attended.items():
        attended_by_course[(pid, year)].append((course_id, n))
    reports_by_course: dict[tuple[int, str], list] = defaultdict(list)
    for (pid, year, course_id), crow in course_reports.items():
        reports_by_course[(pid, year)].append((course_id, crow))

    for (pid, year), figures in result.items():
        row = enrolled.get((pid, year), {})
        report = reports.get((pid, year), {})
        values = figures.values
        attended = row.get("teachers_attended", 0)
        values[Metric.TEACHERS_ATTENDED] = attended
        values[Metric.TEACHERS_COMPLETED] = row.get("teachers_completed", 0)
        values[Metric.TEACHER_GROWTH] = growth(pid, year)
        values[Metric.STUDENTS_REACHED] = report.get("students") or 0
        values[Metric.TEACHERS_IMPLEMENTING] = report.get("teachers", 0)
        values[Metric.SCHOOLS_IMPLEMENTING] = report.get("schools", 0)
        kept = fulfilment[(pid, year)]
        values[Metric.DISTRICT_FULFILMENT] = _ratio(kept.attended, kept.committed)
        values[Metric.FEMALE_SHARE] = _ratio(report.get("female"), report.get("students"))
        values[Metric.URM_SHARE] = _ratio(report.get("urm"), report.get("students"))
        values[Metric.HIGH_NEED_SHARE] = _ratio(row.get("high_need"), row.get("listed"))
        values[Metric.RURAL_SHARE] = _ratio(row.get("rural"), row.get("listed"))
        mean, items, _ = surveys.get((pid, year), (None, {}, 0))
        values[Metric.SURVEY_MEAN] = mean
        figures.survey_items = items
        values[Metric.ATTENDANCE_RATE] = _ratio(
            row.get("ended_attended"), row.get("ended_enrolled")
        )
        values[Metric.COMPLETION_RATE] = _ratio(
            row.get("ended_completed"), row.get("ended_enrolled")
        )
        # Today's managers speak for this year and the next, not for one that is over.
        over = program_year_bounds(year)[1] < today
        values[Metric.PM_FTE] = None if over else fte.get(pid, ZERO)
        values[Metric.SUMMITS_ATTENDED] = summits.get((pid, year), 0)
        values[Metric.SUSTAINABILITY_SHARE] = funding.get((pid, year))
        figures.region = dict(region.get(pid, dict.fromkeys(_REGION_METRICS)))

        courses: dict[int, CourseFigures] = {}
        for course_id, n in attended_by_course.get((pid, year), []):
            courses[course_id] = CourseFigures(
                course_id, course_names[course_id][1], teachers_attended=n
            )
        for course_id, crow in reports_by_course.get((pid, year), []):
            course = courses.setdefault(
                course_id, CourseFigures(course_id, course_names[course_id][1])
            )
            course.teachers_implementing = crow["teachers"]
            course.schools_implementing = crow["schools"]
        figures.by_course = sorted(
            courses.values(), key=lambda c: (course_names[c.course_id], c.course_id)
        )
    return result


_REGION_METRICS = [key for key, spec in METRICS.items() if spec.region_compare]


def partner_figures(
    partner_ids: Iterable[int], program_year: str, *, today: datetime.date | None = None
) -> dict[int, PartnerFigures]:
    """Every metric of each partner for the program year as known on `today` (default: the
    local date; growth and pm_fte depend on it), by partner id (module docstring).

    Every partner id passed has an entry (zeros, or None where there is nothing to divide).
    10 queries whatever the number of partners and rows.
    """
    figures = _figures(partner_ids, [program_year], today or timezone.localdate())
    return {pid: f for (pid, _), f in figures.items()}


# --- Judging against targets ----------------------------------------------------------------


def metric_status(
    metric: Metric, actual, target, *, program_year: str, today: datetime.date
) -> CommitmentState | None:
    """How an actual stands against its target on `today`; None when there is no target, and
    None when there is no actual (no figure to judge: "No data", module docstring).

    Both are first rounded as they are shown (`shown_value`), so the status agrees with the
    figures on screen.

    - The year is over (today after June 30): met when actual >= target, else missed.
    - The year has not started: on track.
    - The year is running: a cumulative count (METRICS[...].cumulative) that reached its
      target is met; else it is on track when it reached the target's share of the year
      elapsed (days elapsed, today included, over the year's days), at risk below. Any other
      metric (a share, a mean, FTE) is on track at or above its target, at risk below: it can
      still move until the year ends.
    """
    if target is None or actual is None:
        return None
    target = shown_value(metric, target)
    actual = shown_value(metric, actual)
    first, last = program_year_bounds(program_year)
    if today > last:
        return CommitmentState.MET if actual >= target else CommitmentState.MISSED
    if today < first:
        return CommitmentState.ON_TRACK
    if metric not in CUMULATIVE:
        return CommitmentState.ON_TRACK if actual >= target else CommitmentState.AT_RISK
    if actual >= target:
        return CommitmentState.MET
    elapsed = (today - first).days + 1
    days = (last - first).days + 1
    # actual >= target * elapsed / days, without rounding.
    if actual * days >= target * elapsed:
        return CommitmentState.ON_TRACK
    return CommitmentState.AT_RISK


def targets_for(
    partner_ids: Iterable[int], program_years: Iterable[str]
) -> dict[tuple[int, str], dict[Metric, Decimal]]:
    """{(partner id, year): {metric: target}} for every pair asked for (empty when none set).
    One query."""
    ids, years = list(partner_ids), list(program_years)
    result: dict[tuple[int, str], dict[Metric, Decimal]] = {
        (pid, year): {} for pid in ids for year in years
    }
    if not ids or not years:
        return result
    for pid, year, metric, value in Target.objects.filter(
        partner_id__in=ids, program_year__in=years
    ).values_list("partner_id", "program_year", "metric", "value"):
        result.setdefault((pid, year), {})[Metric(metric)] = value
    return result


# --- Partner dashboard ----------------------------------------------------------------------


def status_text(status, target) -> str:
    """A status written out; "No data" when a target has no figure to judge (an actual of
    None), "" without a target. The dashboards, downloads and API all say it this way."""
    if status:
        return CommitmentState(status).label
    return "No data" if target is not None else ""


@dataclass
class MetricRow:
    """One metric of one partner in one year, judged."""

    metric: Metric
    spec: MetricSpec
    actual: Decimal | int | None
    target: Decimal | None
    status: CommitmentState | None
    region: Decimal | None
    trend: list[tuple[str, Decimal | int | None]]  # (program year, value), oldest first
    evidence_url: str

    @property
    def actual_display(self) -> str:
        return format_value(self.spec, self.actual)

    @property
    def target_display(self) -> str:
        return format_value(self.spec, self.target)

    @property
    def region_display(self) -> str:
        return format_value(self.spec, self.region)

    @property
    def status_label(self) -> str:
        return status_text(self.status, self.target)


@dataclass
class PartnerDashboard:
    partner: Partner
    program_year: str
    years: list[str]
    rows: list[MetricRow]
    by_course: list[CourseFigures]
    survey_items: list[tuple[str, str, Decimal | None]]  # (key, question text, mean)


_SLUG_MARK, _METRIC_MARK = "partner0slug0mark", "metric0mark"


@lru_cache(maxsize=16)
def _evidence_pattern(urlconf, root_urlconf: str, script_prefix: str) -> str:
    """The evidence address with marks for the partner and the metric: one URL reversal for
    the hundreds of links of a program dashboard (slugs and metric keys need no quoting)."""
    try:
        return reverse("workspace:metric_evidence", args=[_SLUG_MARK, _METRIC_MARK])
    except NoReverseMatch:
        return ""


def evidence_url(partner: Partner, metric: Metric, program_year: str) -> str:
    """The evidence page of a metric (dashboards' `workspace:metric_evidence`), or "" while
    that page is not there."""
    pattern = _evidence_pattern(get_urlconf(), settings.ROOT_URLCONF, get_script_prefix())
    if not pattern:
        return ""
    url = pattern.replace(_SLUG_MARK, partner.slug).replace(_METRIC_MARK, Metric(metric).value)
    return f"{url}?year={program_year}"


def dashboard_years(program_year: str, years: int) -> list[str]:
    """The `years` program years ending with `program_year`, oldest first."""
    result = [program_year]
    while len(result) < years:
        result.insert(0, previous_program_year(result[0]))
    return result


def partner_dashboard(
    partner: Partner, program_year: str, *, today: datetime.date, years: int = 4
) -> PartnerDashboard:
    """A partner's metrics for a year against its targets, with a trend over `years` years.

    Fixed queries whatever the number of years: `_figures` over the years (10), the targets,
    the survey questions' text (12 in all).
    """
    from surveys.selectors import results_questions

    shown = dashboard_years(program_year, max(years, 1))
    figures = _figures([partner.pk], shown, today)
    now = figures[(partner.pk, program_year)]
    targets = targets_for([partner.pk], [program_year])[(partner.pk, program_year)]
    rows = []
    for key, spec in METRICS.items():
        target = targets.get(key)
        actual = now.values.get(key)
        rows.append(
            MetricRow(
                metric=key,
                spec=spec,
                actual=actual,
                target=target,
                status=metric_status(key, actual, target, program_year=program_year, today=today),
                region=now.region.get(key) if spec.region_compare else None,
                trend=[(year, figures[(partner.pk, year)].values.get(key)) for year in shown],
                evidence_url=evidence_url(partner, key, program_year),
            )
        )
    questions = results_questions(now.survey_items) if now.survey_items else []
    return PartnerDashboard(
        partner=partner,
        program_year=program_year,
        years=shown,
        rows=rows,
        by_course=now.by_course,
        survey_items=[(q.key, q.text, now.survey_items.get(q.key)) for q in questions],
    )


# --- Program dashboard ----------------------------------------------------------------------


@dataclass
class ProgramRow:
    partner: Partner
    figures: PartnerFigures
    targets: dict[Metric, Decimal]
    statuses: dict[Metric, CommitmentState | None]

    def _count(self, state: CommitmentState) -> int:
        return sum(1 for s in self.statuses.values() if s == state)

    @property
    def met(self) -> int:
        return self._count(CommitmentState.MET)

    @property
    def on_track(self) -> int:
        return self._count(CommitmentState.ON_TRACK)

    @property
    def at_risk(self) -> int:
        return self._count(CommitmentState.AT_RISK)

    @property
    def missed(self) -> int:
        return self._count(CommitmentState.MISSED)


def program_dashboard(
    partners: QuerySet[Partner], program_year: str, *, today: datetime.date
) -> list[ProgramRow]:
    """Every partner of `partners` (in its order) with its figures, targets and statuses.

    12 queries whatever the number of partners and rows: the partners, `partner_figures`
    (10) and the targets.
    """
    listed = list(partners)
    ids = [p.pk for p in listed]
    figures = partner_figures(ids, program_year, today=today)
    targets = targets_for(ids, [program_year])
    rows = []
    for partner in listed:
        mine = figures[partner.pk]
        goals = targets[(partner.pk, program_year)]
        rows.append(
            ProgramRow(
                partner=partner,
                figures=mine,
                targets=goals,
                statuses={
                    key: metric_status(
                        key,
                        mine.values.get(key),
                        goals.get(key),
                        program_year=program_year,
                        today=today,
                    )
                    for key in METRICS
                },
            )
        )
    return rows


# --- Public figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramTotals:
    partners: int
    states_served: int
    teachers: int
    students: int
    program_year: str


def figures_year(today: datetime.date | None = None) -> str:
    """The year public figures speak for: the last complete program year when it has
    attendance, else the current one. One query."""
    current = program_year_for(today or timezone.localdate())
    last = previous_program_year(current)
    if Attendance.objects.filter(session__workshop__program_year=last).exists():
        return last
    return current


def program_totals(program_year: str | None = None) -> ProgramTotals:
    """The program's public figures: active partners, states served (a state where a served
    region claims the state, a county or a ZIP code), and for `program_year` (default
    `figures_year()`) teachers (distinct teachers who attended any partner's workshop of the
    year) and students (students reached over every partner: reports of the year tied to a
    workshop). The same definitions as teachers_attended and students_reached. Four queries
    (five with the default year)."""
    from geography.models import County, Region, State, ZipCode

    year = program_year or figures_year()
    served = Region.Status.SERVED
    states_served = State.objects.filter(
        Q(region_links__region__status=served)
        | Q(pk__in=County.objects.filter(region_links__region__status=served).values("state"))
        | Q(pk__in=ZipCode.objects.filter(region_links__region__status=served).values("state"))
    ).distinct()
    teachers = Enrollment.objects.filter(_attended(), workshop__program_year=year).aggregate(
        n=Count("teacher_id", distinct=True)
    )["n"]
    students = TeachingReport.objects.filter(program_year=year, workshop__isnull=False).aggregate(
        n=Sum("students")
    )["n"]
    return ProgramTotals(
        partners=Partner.objects.active().count(),
        states_served=states_served.count(),
        teachers=teachers or 0,
        students=students or 0,
        program_year=year,
    )


# --- Workshop quality -----------------------------------------------------------------------


@dataclass
class QualityRow:
    key: int
    label: str
    detail: str
    enrolled: int
    attended: int
    completed: int
    attendance_rate: Decimal | None
    completion_rate: Decimal | None
    responses: int
    survey_mean: Decimal | None
    url: str = ""


QualityBy = Literal["workshop", "facilitator", "course", "partner"]
_QUALITY_PATHS = {
    "workshop": "workshop",
    "partner": "workshop__partner",
    "facilitator": "workshop__facilitator_links__facilitator",
    "course": "workshop__course",
}


def workshop_quality(
    partner_ids: Iterable[int], program_year: str, by: QualityBy
) -> list[QualityRow]:
    """Attendance, completion and survey figures per workshop, facilitator, course or partner
    over the partners' workshops of the year. Enrolled, attended and completed count the
    enrollments (status enrolled) of ended workshops, as attendance_rate and completion_rate
    do; responses and the survey mean count every response (survey_mean's counting). A
    facilitator's row counts each workshop they led. Four queries."""
    from surveys.models import SurveyResponse

    path = _QUALITY_PATHS[by]
    ids = list(partner_ids)
    counts = {
        key[0]: row
        for key, row in _enrollment_figures(ids, [program_year], group=by).items()
        if key[0] is not None and row["ended_enrolled"]
    }
    responses = SurveyResponse.objects.filter(
        enrollment__workshop__partner_id__in=ids,
        enrollment__workshop__program_year=program_year,
    )
    answered = dict(
        responses.values_list(f"enrollment__{path}")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    means = likert_figures(responses, path)
    keys = {k for k in set(counts) | set(answered) if k is not None}
    labels = _quality_labels(by, keys)
    rows = []
    for key in keys:
        if key not in labels:
            continue
        label, detail, url = labels[key]
        row = counts.get(key, {})
        enrolled = row.get("ended_enrolled", 0)
        rows.append(
            QualityRow(
                key=key,
                label=label,
                detail=detail,
                enrolled=enrolled,
                attended=row.get("ended_attended", 0),
                completed=row.get("ended_completed", 0),
                attendance_rate=_ratio(row.get("ended_attended"), enrolled),
                completion_rate=_ratio(row.get("ended_completed"), enrolled),
                responses=answered.get(key, 0),
                survey_mean=means.get((key,), (None, {}, 0))[0],
                url=url,
            )
        )
    return sorted(rows, key=lambda r: (r.label.casefold(), r.detail, r.key))


def _quality_labels(by: str, keys: set[int]) -> dict[int, tuple[str, str, str]]:
    from accounts.models import User

    if by == "workshop":
        return {
            w.pk: (
                w.display_title,
                f"{w.partner.name} · {w.course.name}",
                _url("partner_workshops:detail", w.partner.slug, w.pk),
            )
            for w in Workshop.objects.filter(pk__in=keys).select_related(
                "partner", "course", "kind"
            )
        }
    if by == "partner":
        return {p.pk: (p.name, "", "") for p in Partner.objects.filter(pk__in=keys)}
    if by == "facilitator":
        return {u.pk: (str(u), u.email, "") for u in User.objects.filter(pk__in=keys)}
    return {c.pk: (c.name, "", "") for c in Course.objects.filter(pk__in=keys)}


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- Evidence -------------------------------------------------------------------------------


@dataclass
class Evidence:
    """The records behind one metric's number: at most EVIDENCE_LIMIT rows, `total` in all."""

    metric: Metric
    title: str
    explanation: str
    columns: list[str]
    rows: list[list[str | int | Decimal | None]]
    links: list[str | None]  # per row, the record's page in the workspace when there is one
    total: int = 0

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


_ENROLLMENT_METRICS = {
    Metric.TEACHERS_ATTENDED,
    Metric.TEACHERS_COMPLETED,
    Metric.HIGH_NEED_SHARE,
    Metric.RURAL_SHARE,
    Metric.ATTENDANCE_RATE,
    Metric.COMPLETION_RATE,
}
# Figures counted from teaching reports: their evidence can be narrowed to one course.
REPORT_METRICS = _REPORT_METRICS = {
    Metric.STUDENTS_REACHED,
    Metric.TEACHERS_IMPLEMENTING,
    Metric.SCHOOLS_IMPLEMENTING,
    Metric.FEMALE_SHARE,
    Metric.URM_SHARE,
}


def metric_evidence(
    partner: Partner,
    program_year: str,
    metric: Metric | str,
    *,
    today: datetime.date | None = None,
    course: Course | None = None,
) -> Evidence:
    """The records a metric of the partner's year is counted from (module docstring), at
    most EVIDENCE_LIMIT rows with the total, each linked to its workspace page where there is
    one; `today` (default: the local date) as for the figures; `course` narrows the records
    of a REPORT_METRICS figure to that course's. A fixed number of queries (two to four)."""
    metric = Metric(metric)
    today = today or timezone.localdate()
    spec = METRICS[metric]
    evidence = Evidence(
        metric=metric,
        title=f"{spec.label}: {partner.name}, {program_year}",
        explanation=spec.definition,
        columns=[],
        rows=[],
        links=[],
    )
    if metric in _ENROLLMENT_METRICS:
        _enrollment_evidence(evidence, partner, program_year)
    elif metric in _REPORT_METRICS:
        _report_evidence(evidence, partner, program_year, course)
    elif metric == Metric.TEACHER_GROWTH:
        _growth_evidence(evidence, partner, program_year, today)
    elif metric == Metric.DISTRICT_FULFILMENT:
        _district_evidence(evidence, partner, program_year)
    elif metric == Metric.SURVEY_MEAN:
        _survey_evidence(evidence, partner, program_year)
    elif metric == Metric.PM_FTE:
        _manager_evidence(evidence, partner, program_year, today)
    elif metric == Metric.SUMMITS_ATTENDED:
        _summit_evidence(evidence, partner, program_year)
    else:
        _funding_evidence(evidence, partner, program_year)
    return evidence


def _enrollment_evidence(evidence: Evidence, partner: Partner, program_year: str) -> None:
    metric = evidence.metric
    enrollments = (
        _year_enrollments([partner.pk], [program_year])
        .annotate(attended=_attended_sessions(), sessions=_workshop_sessions())
        .select_related("teacher", "school", "workshop__course", "workshop__kind")
    )
    if metric in (Metric.ATTENDANCE_RATE, Metric.COMPLETION_RATE):
        enrollments = enrollments.filter(
            status=EnrollmentStatus.ENROLLED, workshop__state=WorkshopState.ENDED
        )
        evidence.explanation += " Every enrolled teacher of the ended workshops is listed."
    elif metric == Metric.TEACHERS_COMPLETED:
        enrollments = enrollments.filter(
            status=EnrollmentStatus.ENROLLED, sessions__gt=0, attended__gte=F("sessions")
        )
    else:
        enrollments = enrollments.filter(attended__gt=0)
        if metric in (Metric.HIGH_NEED_SHARE, Metric.RURAL_SHARE):
            enrollments = enrollments.filter(school__isnull=False)
    if metric in (Metric.TEACHERS_ATTENDED, Metric.TEACHERS_COMPLETED):
        evidence.explanation += " A teacher in two workshops is listed twice and counted once."
    evidence.total = enrollments.count()
    evidence.columns = [
        "Teacher",
        "School",
        "High-need school",
        "Rural school",
        "Workshop",
        "Sessions attended",
        "Sessions",
        "Status",
    ]
    for e in enrollments.order_by("teacher__last_name", "teacher__first_name", "pk")[
        :EVIDENCE_LIMIT
    ]:
        school = e.school
        evidence.rows.append(
            [
                str(e.teacher),
                e.school_display,
                ("Yes" if school.is_high_need else "No") if school else None,
                ("Yes" if school.locale == Locale.RURAL else "No") if school else None,
                e.workshop.display_title,
                e.attended,
                e.sessions,
                e.get_status_display(),
            ]
        )
        evidence.links.append(_url("partner_enrollments:roster", partner.slug, e.workshop_id))


def _report_evidence(
    evidence: Evidence, partner: Partner, program_year: str, course: Course | None
) -> None:
    reports = TeachingReport.objects.filter(
        workshop__partner=partner, program_year=program_year
    ).select_related("teacher", "course", "school", "workshop__course", "workshop__kind")
    if course is not None:
        reports = reports.filter(course=course)
    evidence.total = reports.count()
    evidence.columns = [
        "Teacher",
        "Course",
        "School",
        "Sections",
        "Students",
        "Female students",
        "Students from under-represented groups",
        "Workshop",
    ]
    for r in reports.order_by("teacher__last_name", "teacher__first_name", "pk")[:EVIDENCE_LIMIT]:
        evidence.rows.append(
            [
                str(r.teacher),
                r.course.name,
                r.school.name if r.school_id else r.school_name,
                r.sections,
                r.students,
                r.female_students,
                r.urm_students,
                r.workshop.display_title,
            ]
        )
        evidence.links.append(_url("partner_workshops:detail", partner.slug, r.workshop_id))


def _growth_evidence(
    evidence: Evidence, partner: Partner, program_year: str, today: datetime.date
) -> None:
    pair = growth_periods(program_year, today)
    evidence.columns = ["Program year", "Sessions counted", "Teachers who attended"]
    if pair is None:
        evidence.explanation += " The year has not started: there is nothing to compare yet."
        return
    counts = _period_teachers([partner.pk], dict(pair))
    for year, upto in pair:
        if upto is None:
            period = "The whole year"
        else:
            first = program_year_bounds(year)[0]
            period = f"{first:%b} {first.day}, {first.year} to {upto:%b} {upto.day}, {upto.year}"
        evidence.rows.append([year, period, counts.get((partner.pk, year), 0)])
        evidence.links.append(None)
    evidence.total = len(evidence.rows)


def _district_evidence(evidence: Evidence, partner: Partner, program_year: str) -> None:
    from districts.models import DistrictCommitment
    from workshops.attendance import attended_by_district_course

    attended = attended_by_district_course([partner.pk], program_year)
    commitments = DistrictCommitment.objects.filter(
        partnership__partner=partner, program_year=program_year
    ).select_related("partnership__district", "course")
    evidence.total = commitments.count()
    evidence.columns = ["District", "Course", "Teachers committed", "Attended", "Counted"]
    for c in commitments.order_by("partnership__district__name", "course__order", "pk")[
        :EVIDENCE_LIMIT
    ]:
        n = attended.get((partner.pk, c.partnership.district_id, c.course_id), 0)
        evidence.rows.append(
            [c.partnership.district.name, c.course.name, c.teachers, n, min(n, c.teachers)]
        )
        evidence.links.append(_url("districts:detail", partner.slug, c.partnership_id))


def _survey_evidence(evidence: Evidence, partner: Partner, program_year: str) -> None:
    rows = [
        r
        for r in workshop_quality([partner.pk], program_year, "workshop")
        if r.responses or r.survey_mean is not None
    ]
    evidence.total = len(rows)
    evidence.columns = ["Workshop", "Responses", "Survey mean"]
    for r in rows[:EVIDENCE_LIMIT]:
        evidence.rows.append([r.label, r.responses, r.survey_mean])
        evidence.links.append(_url("surveys:workshop_results", r.key))


def _manager_evidence(
    evidence: Evidence, partner: Partner, program_year: str, today: datetime.date
) -> None:
    from partners.models import ProgramManager

    if program_year_bounds(program_year)[1] < today:
        evidence.explanation += (
            " Not known for a year that is over: only today's program managers are recorded,"
            " not those who left, so no figure is given. Today's are listed."
        )

    managers = list(
        ProgramManager.objects.filter(partner=partner)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")[:EVIDENCE_LIMIT]
    )
    evidence.total = len(managers)
    evidence.columns = ["Program manager", "FTE", "Counted"]
    evidence.explanation += " Only people whose account is active count."
    link = _url("workspace:managers", partner.slug)
    for m in managers:
        evidence.rows.append([str(m.user), m.fte_share, "Yes" if m.user.is_active else "No"])
        evidence.links.append(link or None)


def _summit_evidence(evidence: Evidence, partner: Partner, program_year: str) -> None:
    from events.models import Event, EventKind, EventRegistration, RegistrationStatus

    came = EventRegistration.objects.filter(
        event=OuterRef("pk"),
        status=RegistrationStatus.REGISTERED,
        attended=True,
        user__managed_partners__partner=partner,
    )
    summits = list(
        Event.objects.in_program_year(program_year)
        .filter(kind=EventKind.SUMMIT)
        .annotate(attended=Exists(came))
        .order_by("starts_on", "pk")[:EVIDENCE_LIMIT]
    )
    evidence.total = len(summits)
    evidence.columns = ["Summit", "Starts", "A program manager attended"]
    for e in summits:
        evidence.rows.append([e.name, e.starts_on.isoformat(), "Yes" if e.attended else "No"])
        evidence.links.append(_url("events:detail", e.pk))


def _funding_evidence(evidence: Evidence, partner: Partner, program_year: str) -> None:
    from funding.models import AwardLine, BudgetCategory, IndependentFunding
    from funding.selectors_awards import COUNTED

    lines = list(
        AwardLine.objects.filter(
            award__partner=partner, award__program_year=program_year, award__status__in=COUNTED
        )
        .order_by("pk")
        .values_list("category", "awarded")[:EVIDENCE_LIMIT]
    )
    sources = list(
        IndependentFunding.objects.filter(partner=partner, program_year=program_year)
        .order_by("pk")
        .values_list("source", "amount")[:EVIDENCE_LIMIT]
    )
    link = _url("partner_funding:overview", partner.slug) or None
    evidence.columns = ["Funding", "Source", "Amount"]
    for category, amount in lines:
        evidence.rows.append(["Awarded", BudgetCategory(category).label, amount])
        evidence.links.append(link)
    for source, amount in sources:
        evidence.rows.append(["Independent", source, amount])
        evidence.links.append(link)
    evidence.rows = evidence.rows[:EVIDENCE_LIMIT]
    evidence.links = evidence.links[:EVIDENCE_LIMIT]
    evidence.total = len(lines) + len(sources)


__all__ = [
    "CUMULATIVE",
    "EVIDENCE_LIMIT",
    "METRICS",
    "CourseFigures",
    "Evidence",
    "MetricRow",
    "MetricSpec",
    "PartnerDashboard",
    "PartnerFigures",
    "ProgramRow",
    "ProgramTotals",
    "QualityRow",
    "Unit",
    "format_value",
    "metric_evidence",
    "metric_status",
    "partner_dashboard",
    "partner_figures",
    "program_dashboard",
    "program_totals",
    "targets_for",
    "workshop_quality",
]
