"""`make bench`, metrics part: the dashboards' data beside ONE hand-written SQL aggregate.

On PostgreSQL at the issue's scale (about 200 partners, 20,000 workshops, a million
enrollments), in its own database (BENCH_METRICS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/partnerhub_bench_metrics), built by seed_demo on the
first run (a few minutes) and kept. Skipped with a message when PostgreSQL is not reachable.

Timed, warm, median of BENCH_METRICS_RUNS runs:
- `metrics.selectors.program_dashboard(all partners, year)` against `BASELINE_SQL` run once
  for every partner, turned into the same figures;
- `metrics.selectors.partner_dashboard(one partner, year)` (four years of trend) against
  the same SQL for that partner and those years.
Before timing, both sides' figures are compared (every partner for the program, the
partner's four years) and the bench stops with the differences if they disagree: the
baseline is only a baseline if it computes the same thing (module docstring of
metrics.selectors: the definitions it follows).
"""

import datetime
import os
import statistics
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_METRICS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partnerhub_bench_metrics"
)
SCALE = int(os.environ.get("BENCH_METRICS_SCALE", "6"))
ACTIVITY = int(os.environ.get("BENCH_METRICS_ACTIVITY", "20"))
RUNS = int(os.environ.get("BENCH_METRICS_RUNS", "5"))
GOAL = 1.5

# One statement: every figure of metrics.selectors for each (partner, year) asked for.
# %(ids)s partners; %(years)s the years shown; %(all_years)s those and the years before (for
# teacher growth); %(firsts)s/%(lasts)s each shown year's first and last day (summits).
BASELINE_SQL = """
WITH
w AS (
    SELECT id, partner_id, program_year, course_id, state
    FROM workshops_workshop
    WHERE partner_id = ANY(%(ids)s) AND program_year = ANY(%(all_years)s)
),
s AS (
    SELECT ws.workshop_id, count(*) AS n
    FROM workshops_workshopsession ws JOIN w ON w.id = ws.workshop_id
    GROUP BY ws.workshop_id
),
a AS (
    SELECT at.enrollment_id, count(*) AS n
    FROM workshops_attendance at
    JOIN workshops_workshopsession ws ON ws.id = at.session_id
    JOIN w ON w.id = ws.workshop_id
    GROUP BY at.enrollment_id
),
e AS (
    SELECT en.teacher_id, en.status, en.school_id, w.partner_id, w.program_year, w.course_id,
           w.state, coalesce(s.n, 0) AS sessions, coalesce(a.n, 0) AS attended,
           sc.frl_share, sc.locale, sc.district_id
    FROM workshops_enrollment en
    JOIN w ON w.id = en.workshop_id
    LEFT JOIN s ON s.workshop_id = w.id
    LEFT JOIN a ON a.enrollment_id = en.id
    LEFT JOIN districts_school sc ON sc.id = en.school_id
    WHERE w.program_year = ANY(%(years)s)
),
earlier AS (
    SELECT w.partner_id, w.program_year, count(DISTINCT en.teacher_id) AS teachers_attended
    FROM workshops_enrollment en
    JOIN w ON w.id = en.workshop_id
    JOIN a ON a.enrollment_id = en.id
    WHERE NOT w.program_year = ANY(%(years)s)
    GROUP BY w.partner_id, w.program_year
),
ef AS (
    SELECT partner_id, program_year,
        count(DISTINCT teacher_id) FILTER (WHERE attended > 0) AS teachers_attended,
        count(DISTINCT teacher_id) FILTER (
            WHERE status = 'enrolled' AND sessions > 0 AND attended >= sessions
        ) AS teachers_completed,
        count(DISTINCT teacher_id) FILTER (
            WHERE attended > 0 AND school_id IS NOT NULL) AS listed,
        count(DISTINCT teacher_id) FILTER (
            WHERE attended > 0 AND frl_share >= %(frl)s) AS high_need,
        count(DISTINCT teacher_id) FILTER (WHERE attended > 0 AND locale = %(rural)s) AS rural,
        count(*) FILTER (WHERE status = 'enrolled' AND state = 'ended') AS ended_enrolled,
        count(*) FILTER (
            WHERE status = 'enrolled' AND state = 'ended' AND attended > 0
        ) AS ended_attended,
        count(*) FILTER (
            WHERE status = 'enrolled' AND state = 'ended' AND sessions > 0
              AND attended >= sessions
        ) AS ended_completed
    FROM e GROUP BY partner_id, program_year
    UNION ALL
    SELECT partner_id, program_year, teachers_attended, 0, 0, 0, 0, 0, 0, 0 FROM earlier
),
course_attended AS (
    SELECT partner_id, program_year, course_id, count(DISTINCT teacher_id) AS n
    FROM e WHERE attended > 0 GROUP BY partner_id, program_year, course_id
),
district_attended AS (
    SELECT partner_id, program_year, district_id, course_id, count(DISTINCT teacher_id) AS n
    FROM e WHERE attended > 0 AND school_id IS NOT NULL
    GROUP BY partner_id, program_year, district_id, course_id
),
fulfilment AS (
    SELECT dp.partner_id, dc.program_year, sum(dc.teachers) AS committed,
           sum(least(dc.teachers, coalesce(da.n, 0))) AS kept
    FROM districts_districtcommitment dc
    JOIN districts_districtpartnership dp ON dp.id = dc.partnership_id
    LEFT JOIN district_attended da ON da.partner_id = dp.partner_id
        AND da.program_year = dc.program_year AND da.district_id = dp.district_id
        AND da.course_id = dc.course_id
    WHERE dp.partner_id = ANY(%(ids)s) AND dc.program_year = ANY(%(years)s)
    GROUP BY dp.partner_id, dc.program_year
),
r AS (
    SELECT rw.partner_id, tr.program_year, tr.course_id, tr.teacher_id, tr.students,
           tr.female_students, tr.urm_students,
           CASE WHEN tr.school_id IS NOT NULL THEN '#' || tr.school_id::text
                WHEN tr.school_name <> '' THEN '=' || lower(tr.school_name) END AS school_key
    FROM workshops_teachingreport tr
    JOIN workshops_workshop rw ON rw.id = tr.workshop_id
    WHERE rw.partner_id = ANY(%(ids)s) AND tr.program_year = ANY(%(years)s)
),
rf AS (
    SELECT partner_id, program_year, sum(students) AS students,
           sum(female_students) AS female, sum(urm_students) AS urm,
           count(DISTINCT teacher_id) AS teachers, count(DISTINCT school_key) AS schools
    FROM r GROUP BY partner_id, program_year
),
rc AS (
    SELECT partner_id, program_year, course_id, count(DISTINCT teacher_id) AS teachers,
           count(DISTINCT school_key) AS schools
    FROM r GROUP BY partner_id, program_year, course_id
),
courses AS (
    SELECT partner_id, program_year,
           json_agg(json_build_array(course_id, coalesce(ca.n, 0), coalesce(rc.teachers, 0),
                                     coalesce(rc.schools, 0))) AS by_course
    FROM course_attended ca FULL JOIN rc USING (partner_id, program_year, course_id)
    GROUP BY partner_id, program_year
),
items AS (
    SELECT w.partner_id, w.program_year, q.key, sum(an.rating) AS total, count(*) AS n
    FROM surveys_surveyanswer an
    JOIN surveys_surveyquestion q ON q.id = an.question_id
    JOIN surveys_surveyresponse re ON re.id = an.response_id
    JOIN workshops_enrollment en ON en.id = re.enrollment_id
    JOIN w ON w.id = en.workshop_id
    WHERE q.kind = 'likert' AND an.rating IS NOT NULL AND w.program_year = ANY(%(years)s)
    GROUP BY w.partner_id, w.program_year, q.key
),
survey AS (
    SELECT partner_id, program_year, sum(total) AS total, sum(n) AS n,
           json_object_agg(key, json_build_array(total, n)) AS items
    FROM items GROUP BY partner_id, program_year
),
region AS (
    SELECT rg.partner_id,
        sum(sc.enrollment * sc.female_share) FILTER (
            WHERE sc.enrollment IS NOT NULL AND sc.female_share IS NOT NULL) AS female,
        sum(sc.enrollment) FILTER (
            WHERE sc.enrollment IS NOT NULL AND sc.female_share IS NOT NULL) AS female_weight,
        sum(sc.enrollment * sc.urm_share) FILTER (
            WHERE sc.enrollment IS NOT NULL AND sc.urm_share IS NOT NULL) AS urm,
        sum(sc.enrollment) FILTER (
            WHERE sc.enrollment IS NOT NULL AND sc.urm_share IS NOT NULL) AS urm_weight,
        count(*) AS schools,
        count(*) FILTER (WHERE sc.frl_share >= %(frl)s) AS high_need,
        count(*) FILTER (WHERE sc.locale = %(rural)s) AS rural
    FROM districts_school sc
    JOIN geography_zipcode z ON z.id = sc.zip_code_id
    JOIN geography_region rg ON rg.id = z.region_id
    WHERE sc.is_active AND rg.partner_id = ANY(%(ids)s)
    GROUP BY rg.partner_id
),
fte AS (
    SELECT pm.partner_id, sum(pm.fte_share) AS fte
    FROM partners_programmanager pm JOIN accounts_user u ON u.id = pm.user_id
    WHERE pm.partner_id = ANY(%(ids)s) AND u.is_active
    GROUP BY pm.partner_id
),
yb AS (
    SELECT * FROM unnest(%(years)s::text[], %(firsts)s::date[], %(lasts)s::date[])
        AS yb(program_year, first_day, last_day)
),
summits AS (
    SELECT pm.partner_id, yb.program_year, count(DISTINCT ev.id) AS n
    FROM events_eventregistration er
    JOIN events_event ev ON ev.id = er.event_id
    JOIN yb ON ev.starts_on BETWEEN yb.first_day AND yb.last_day
    JOIN partners_programmanager pm ON pm.user_id = er.user_id
    WHERE ev.kind = %(summit)s AND er.status = %(registered)s AND er.attended
      AND pm.partner_id = ANY(%(ids)s)
    GROUP BY pm.partner_id, yb.program_year
),
awarded AS (
    SELECT fa.partner_id, fa.program_year, sum(al.awarded) AS total
    FROM funding_awardline al JOIN funding_fundingaward fa ON fa.id = al.award_id
    WHERE fa.partner_id = ANY(%(ids)s) AND fa.program_year = ANY(%(years)s)
      AND fa.status = ANY(%(counted)s)
    GROUP BY fa.partner_id, fa.program_year
),
independent AS (
    SELECT partner_id, program_year, sum(amount) AS total
    FROM funding_independentfunding
    WHERE partner_id = ANY(%(ids)s) AND program_year = ANY(%(years)s)
    GROUP BY partner_id, program_year
),
targets AS (
    SELECT partner_id, program_year, json_object_agg(metric, value) AS targets
    FROM metrics_target
    WHERE partner_id = ANY(%(ids)s) AND program_year = ANY(%(years)s)
    GROUP BY partner_id, program_year
),
grid AS (
    SELECT p.partner_id, y.program_year
    FROM unnest(%(ids)s::bigint[]) AS p(partner_id),
         unnest(%(all_years)s::text[]) AS y(program_year)
)
SELECT g.partner_id, g.program_year,
       coalesce(ef.teachers_attended, 0), coalesce(ef.teachers_completed, 0), ef.listed,
       ef.high_need, ef.rural, ef.ended_enrolled, ef.ended_attended, ef.ended_completed,
       rf.students, rf.female, rf.urm, coalesce(rf.teachers, 0), coalesce(rf.schools, 0),
       fu.committed, fu.kept, sv.total, sv.n, sv.items, courses.by_course,
       rg.female, rg.female_weight, rg.urm, rg.urm_weight, rg.schools, rg.high_need, rg.rural,
       coalesce(fte.fte, 0), coalesce(su.n, 0), aw.total, ind.total, t.targets
FROM grid g
LEFT JOIN ef USING (partner_id, program_year)
LEFT JOIN rf USING (partner_id, program_year)
LEFT JOIN fulfilment fu USING (partner_id, program_year)
LEFT JOIN survey sv USING (partner_id, program_year)
LEFT JOIN courses USING (partner_id, program_year)
LEFT JOIN region rg USING (partner_id)
LEFT JOIN fte USING (partner_id)
LEFT JOIN summits su USING (partner_id, program_year)
LEFT JOIN awarded aw USING (partner_id, program_year)
LEFT JOIN independent ind USING (partner_id, program_year)
LEFT JOIN targets t USING (partner_id, program_year)
"""


def _ratio(numerator, denominator, places: str = "share") -> Decimal | None:
    """numerator / denominator rounded as the metrics module shows it (rounding only: the
    figures themselves come from the SQL)."""
    from metrics.selectors import MEAN_PLACES, SHARE_PLACES

    if not denominator:
        return None
    step = SHARE_PLACES if places == "share" else MEAN_PLACES
    return (Decimal(numerator or 0) / Decimal(denominator)).quantize(step, ROUND_HALF_UP)


def baseline(ids: list[int], years: list[str]) -> dict[tuple[int, str], dict]:
    """{(partner, year): {"values", "region", "by_course", "survey_items", "targets"}} for
    each year in `years`, from one run of BASELINE_SQL.

    The years must be over: teacher growth compares whole years (a running year is compared
    over the same days of the year before, which this SQL does not do).
    """
    from django.db import connection

    from core.program_years import previous_program_year, program_year_bounds
    from districts.models import HIGH_NEED_FRL_SHARE, Locale
    from events.models import EventKind, RegistrationStatus
    from funding.selectors_awards import COUNTED
    from metrics.models import Metric as M

    today = datetime.date.today()
    if any(program_year_bounds(y)[1] >= today for y in years):
        raise ValueError("The baseline is for program years that are over.")
    before = [previous_program_year(y) for y in years]
    all_years = list(dict.fromkeys(years + before))
    bounds = [program_year_bounds(y) for y in years]
    params = {
        "ids": ids,
        "years": years,
        "all_years": all_years,
        "firsts": [b[0] for b in bounds],
        "lasts": [b[1] for b in bounds],
        "frl": HIGH_NEED_FRL_SHARE,
        "rural": Locale.RURAL.value,
        "summit": EventKind.SUMMIT.value,
        "registered": RegistrationStatus.REGISTERED.value,
        "counted": [str(s) for s in COUNTED],
    }
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, params)
        rows = cursor.fetchall()
    attended = {(r[0], r[1]): r[2] for r in rows}
    result = {}
    for row in rows:
        (pid, year, teachers, completed, listed, high_need, rural, ended, ended_att, ended_done,
         students, female, urm, implementing, schools, committed, kept, s_total, s_n, items,
         by_course, r_female, r_fw, r_urm, r_uw, r_schools, r_high, r_rural, fte, summits,
         awarded, independent, targets) = row  # fmt: skip
        if year not in years:
            continue
        last = attended.get((pid, previous_program_year(year)), 0)
        share = None
        if (awarded or 0) + (independent or 0):
            total = (awarded or 0) + (independent or 0)
            percent = ((independent or 0) * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
            share = _ratio(percent, 100)
        result[(pid, year)] = {
            "values": {
                M.TEACHERS_ATTENDED: teachers,
                M.TEACHERS_COMPLETED: completed,
                M.TEACHER_GROWTH: _ratio(teachers - last, last),
                M.STUDENTS_REACHED: students or 0,
                M.TEACHERS_IMPLEMENTING: implementing,
                M.SCHOOLS_IMPLEMENTING: schools,
                M.DISTRICT_FULFILMENT: _ratio(kept, committed),
                M.FEMALE_SHARE: _ratio(female, students),
                M.URM_SHARE: _ratio(urm, students),
                M.HIGH_NEED_SHARE: _ratio(high_need, listed),
                M.RURAL_SHARE: _ratio(rural, listed),
                M.SURVEY_MEAN: _ratio(s_total, s_n, "mean"),
                M.ATTENDANCE_RATE: _ratio(ended_att, ended),
                M.COMPLETION_RATE: _ratio(ended_done, ended),
                # Today's managers: no figure for a year that is over.
                M.PM_FTE: None if program_year_bounds(year)[1] < today else fte,
                M.SUMMITS_ATTENDED: summits,
                M.SUSTAINABILITY_SHARE: share,
            },
            "region": {
                M.FEMALE_SHARE: _ratio(r_female, r_fw),
                M.URM_SHARE: _ratio(r_urm, r_uw),
                M.HIGH_NEED_SHARE: _ratio(r_high, r_schools),
                M.RURAL_SHARE: _ratio(r_rural, r_schools),
            },
            "by_course": {c: (n, t, s) for c, n, t, s in by_course or []},
            "survey_items": {k: _ratio(t, n, "mean") for k, (t, n) in (items or {}).items()},
            "targets": {M(k): Decimal(str(v)) for k, v in (targets or {}).items()},
        }
    return result


def _shape(figures, targets: dict) -> dict:
    return {
        "values": dict(figures.values),
        "region": {k: v for k, v in figures.region.items() if k in _region_keys()},
        "by_course": {
            c.course_id: (c.teachers_attended, c.teachers_implementing, c.schools_implementing)
            for c in figures.by_course
        },
        "survey_items": dict(figures.survey_items),
        "targets": dict(targets),
    }


def _region_keys():
    from metrics.selectors import METRICS

    return {k for k, spec in METRICS.items() if spec.region_compare}


def _differences(ours: dict, theirs: dict, label: str) -> list[str]:
    problems = []
    for part, values in ours.items():
        other = theirs[part]
        for key in sorted(set(values) | set(other), key=str):
            a, b = values.get(key), other.get(key)
            if a != b:
                problems.append(f"{label} {part}[{key}]: selectors {a!r}, SQL {b!r}")
    return problems


def _median_seconds(fn, runs: int) -> float:
    fn()  # warm: connections, caches, plans
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run() -> int:
    """Inside Django (DATABASE_URL is the bench database): check, time, print."""
    import django

    django.setup()
    from django.db import connection

    from core.program_years import previous_program_year, program_year_for
    from metrics.selectors import partner_dashboard, program_dashboard
    from partners.models import Partner
    from workshops.models import Attendance, Enrollment, Workshop

    today = datetime.date.today()
    year = previous_program_year(program_year_for(today))  # the last complete year
    partners = Partner.objects.order_by("name")
    ids = list(partners.values_list("pk", flat=True))

    program = program_dashboard(partners, year, today=today)
    sql = baseline(ids, [year])
    problems = []
    for row in program:
        problems += _differences(
            _shape(row.figures, row.targets), sql[(row.partner.pk, year)], row.partner.name
        )
    one = max(program, key=lambda r: r.figures.values.get("teachers_attended") or 0).partner
    board = partner_dashboard(one, year, today=today)
    sql_one = baseline([one.pk], board.years)
    for metric_row in board.rows:
        for trend_year, value in metric_row.trend:
            theirs = sql_one[(one.pk, trend_year)]["values"][metric_row.metric]
            if value != theirs:
                problems.append(
                    f"{one.name} {trend_year} {metric_row.metric}: "
                    f"dashboard {value!r}, SQL {theirs!r}"
                )
        target = sql_one[(one.pk, year)]["targets"].get(metric_row.metric)
        if metric_row.target != target:
            problems.append(
                f"{one.name} target {metric_row.metric}: {metric_row.target!r}, SQL {target!r}"
            )
    if problems:
        print("Metrics bench: the selectors and the hand-written SQL disagree:", file=sys.stderr)
        for line in problems[:40]:
            print(f"  {line}", file=sys.stderr)
        print(f"  ({len(problems)} differences)", file=sys.stderr)
        return 1

    program_s = _median_seconds(lambda: program_dashboard(partners, year, today=today), RUNS)
    program_base = _median_seconds(lambda: baseline(ids, [year]), RUNS)
    partner_s = _median_seconds(lambda: partner_dashboard(one, year, today=today), RUNS)
    partner_base = _median_seconds(lambda: baseline([one.pk], board.years), RUNS)
    counts = (
        f"{len(ids)} partners, {Workshop.objects.count():,} workshops, "
        f"{Enrollment.objects.count():,} enrollments, {Attendance.objects.count():,} attendance"
    )
    print()
    print(
        f"Metrics bench: PostgreSQL {connection.pg_version // 10000}, {counts}; program year "
        f"{year}; median of {RUNS} warm runs; figures checked equal to the SQL's first."
    )
    print(f"{'figure':<44}{'seconds':>9}{'SQL s':>9}{'ratio':>8}  goal <= {GOAL}")
    for label, ours, base in (
        (f"program dashboard data ({len(ids)} partners)", program_s, program_base),
        (f"partner dashboard data ({len(board.years)} years)", partner_s, partner_base),
    ):
        flag = "" if ours / base <= GOAL else "  over the goal"
        print(f"{label:<44}{ours:>9.3f}{base:>9.3f}{ours / base:>8.2f}{flag}")
    return 0


# --- Outside Django: reach PostgreSQL, build the data once, run `run()` in a subprocess. ----


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def _reachable_and_created(url: str) -> str | None:
    """None when the database is there (created if need be); else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    admin, name = _admin_url(url)
    try:
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        return f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0]}"
    return None


def _has_data(url: str) -> bool:
    import psycopg

    with psycopg.connect(url, connect_timeout=3) as conn:
        table = conn.execute("SELECT to_regclass('workshops_enrollment')").fetchone()[0]
        if table is None:
            return False
        return conn.execute("SELECT EXISTS (SELECT 1 FROM workshops_enrollment)").fetchone()[0]


def _vacuum(url: str) -> None:
    """The state autovacuum reaches on a live database (visibility map, statistics), at once."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def main() -> int:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        print("\nMetrics bench skipped: BENCH_METRICS_DATABASE_URL must be PostgreSQL.")
        return 0
    problem = _reachable_and_created(DATABASE_URL)
    if problem:
        print(f"\nMetrics bench skipped: PostgreSQL is not reachable ({problem}).")
        return 0
    env = {
        **os.environ,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": DATABASE_URL,
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    if not _has_data(DATABASE_URL):
        print(
            f"Building the metrics bench database (seed_demo --scale {SCALE} --activity "
            f"{ACTIVITY}; a few minutes, once)..."
        )
        for command in (
            ["load_geography", "--if-empty"],
            ["seed_demo", "--reset", "--scale", str(SCALE), "--activity", str(ACTIVITY)],
        ):
            subprocess.run([*manage, *command, "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        _vacuum(DATABASE_URL)
    done = subprocess.run([sys.executable, "-m", "bench.metrics"], cwd=ROOT, env=env)
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(run())
