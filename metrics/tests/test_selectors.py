"""Each metric on the hand-built program of conftest.py, the arithmetic in the comments."""

import datetime
from decimal import Decimal

import pytest

from metrics.models import Metric, Target
from metrics.selectors import (
    METRICS,
    Unit,
    format_value,
    metric_evidence,
    partner_dashboard,
    partner_figures,
    program_dashboard,
    targets_for,
    teachers_attended_counts,
    workshop_quality,
)
from partners.commitments import CommitmentState
from partners.models import Partner
from workshops.attendance import teachers_attended

from .conftest import LAST_YEAR, YEAR

pytestmark = pytest.mark.django_db

D = Decimal
# The last day of 2025-26: the year still runs (today's program managers count) and "the year
# so far" is all of it, so growth compares the whole years.
TODAY = datetime.date(2026, 6, 30)


@pytest.fixture
def figures(program):
    return partner_figures([program.a.pk, program.b.pk], YEAR, today=TODAY)


def test_every_metric_has_a_spec_in_display_order():
    assert list(METRICS) == list(Metric)
    assert {spec.group for spec in METRICS.values()} == {
        "Teachers",
        "Students",
        "Implementation",
        "Diversity",
        "Workshop quality",
        "Partnership health",
    }


def test_teachers(program, figures):
    values = figures[program.a.pk].values
    # Attended a session of A's 2025-26 workshops: t1 (W1, W2), t2, t3 (W1), t5 (W1, came
    # then cancelled: still came), t6 (W2). t4 and t7 enrolled but never came; t11 is B's.
    assert values[Metric.TEACHERS_ATTENDED] == 5
    # Enrolled and at every session: t1 (W1 2/2, W2 1/1), t3 (W1 2/2), t6 (W2 1/1). t5 came
    # to 1 of 2 and cancelled; t2 came to 1 of 2.
    assert values[Metric.TEACHERS_COMPLETED] == 3
    # 2024-25: t1, t8, t9, t10 = 4; growth (5 - 4) / 4 = 0.25.
    assert values[Metric.TEACHER_GROWTH] == D("0.25")
    assert figures[program.b.pk].values[Metric.TEACHERS_ATTENDED] == 1
    # B had no teacher the year before: no growth to speak of.
    assert figures[program.b.pk].values[Metric.TEACHER_GROWTH] is None


def test_students_and_implementation(program, figures):
    values = figures[program.a.pk].values
    # Reports of 2025-26 tied to A's workshops: 60 (t1) + 40 (t2) + 25 (t6) + 25 (t3) = 150.
    # t1's report without a workshop (99) and t11's for B's workshop (30) are not A's.
    assert values[Metric.STUDENTS_REACHED] == 150
    assert values[Metric.TEACHERS_IMPLEMENTING] == 4  # t1, t2, t3, t6
    # Schools: the listed "hn" (t1, t6) and "Other School" typed twice in two cases (t2, t3).
    assert values[Metric.SCHOOLS_IMPLEMENTING] == 2


def test_by_course(program, figures):
    by_course = {c.course_name: c for c in figures[program.a.pk].by_course}
    assert list(by_course) == ["CS Discoveries", "CS Principles"]
    discoveries, principles = by_course["CS Discoveries"], by_course["CS Principles"]
    # Discoveries (W1; W3 had no attendance): t1, t2, t3, t5 attended; t1, t2, t3 report it
    # from "hn" and "other school".
    assert (discoveries.teachers_attended, discoveries.teachers_implementing) == (4, 3)
    assert discoveries.schools_implementing == 2
    # Principles (W2): t1, t6 attended; t6 reports it from "hn".
    assert (principles.teachers_attended, principles.teachers_implementing) == (2, 1)
    assert principles.schools_implementing == 1


def test_district_fulfilment(program, figures):
    # d1/Discoveries: 3 committed, t1 and t5 came from "hn" (d1) -> 2 counted.
    # d2/Discoveries: 1 committed, t2 came from "city" (d2) -> 1 (capped at 1).
    # d2/Principles: 2 committed, nobody from d2 -> 0. (2 + 1 + 0) / (3 + 1 + 2) = 0.5.
    assert figures[program.a.pk].values[Metric.DISTRICT_FULFILMENT] == D("0.5")
    assert figures[program.b.pk].values[Metric.DISTRICT_FULFILMENT] is None


def test_diversity(program, figures):
    values = figures[program.a.pk].values
    # Female: (30 + 10 + 20 + 0) / 150 = 0.4; URM: (20 + 30 + 5 + 0) / 150 = 0.36666, kept
    # at the tenth of a percent it is shown at: 36.7%.
    assert values[Metric.FEMALE_SHARE] == D("0.4")
    assert values[Metric.URM_SHARE] == D("0.367")
    # Teachers who attended from listed schools: t1 (hn), t2 (city), t5 (hn), t6 (rural); t3
    # named an unlisted school. High-need (frl >= 0.5): t1, t5 = 2 / 4; rural: t6 = 1 / 4.
    assert values[Metric.HIGH_NEED_SHARE] == D("0.5")
    assert values[Metric.RURAL_SHARE] == D("0.25")
    # B: t11 reported 15 female students of 30.
    assert figures[program.b.pk].values[Metric.FEMALE_SHARE] == D("0.5")
    assert (
        partner_figures([program.b.pk], LAST_YEAR, today=TODAY)[program.b.pk].values[
            Metric.FEMALE_SHARE
        ]
        is None
    )  # no students reported


def test_region_shares(program, figures):
    region = figures[program.a.pk].region
    # Open schools in A's region (98001): hn, city, rural, extra ("closed" is not open).
    # Female, weighted by enrollment over schools with both: (400 * 0.5 + 100 * 0.4) / 500.
    assert region[Metric.FEMALE_SHARE] == D("0.48")
    # URM: (400 * 0.6 + 100 * 0.1 + 500 * 0.2) / 1000 = 0.35 ("extra" has no enrollment).
    assert region[Metric.URM_SHARE] == D("0.35")
    # High-need schools: hn (0.6), extra (0.8) = 2 / 4; rural: rural, extra = 2 / 4.
    assert region[Metric.HIGH_NEED_SHARE] == D("0.5")
    assert region[Metric.RURAL_SHARE] == D("0.5")
    # B has no region: nothing to compare with.
    assert figures[program.b.pk].region[Metric.FEMALE_SHARE] is None


def test_workshop_quality_metrics(program, figures):
    values = figures[program.a.pk].values
    # Ratings: qa 5, 3, 4 (mean 4.00); qb 4, 2 (mean 3.00); all 18 / 5 = 3.60. B's 1s and the
    # free-text answer are not counted.
    assert values[Metric.SURVEY_MEAN] == D("3.60")
    assert figures[program.a.pk].survey_items == {"qa": D("4.00"), "qb": D("3.00")}
    # Enrolled (status enrolled) in ended workshops: W1 t1, t2, t3, t4; W2 t1, t6 = 6 (t5
    # cancelled; W3 not ended). Attended one or more: 5 of 6; every session: t1 (W1), t3,
    # t1 (W2), t6 = 4 of 6.
    assert values[Metric.ATTENDANCE_RATE] == D("0.833")
    assert values[Metric.COMPLETION_RATE] == D("0.667")


def test_partnership_health(program, figures):
    values = figures[program.a.pk].values
    # 0.50 + 0.25; the third manager's account is inactive.
    assert values[Metric.PM_FTE] == D("0.75")
    # 2025-26 summits: September (pm1 attended), February (pm2 registered, not attended).
    # The February 2025 summit is 2024-25's; the teacher conference is no summit.
    assert values[Metric.SUMMITS_ATTENDED] == 1
    # Independent 100 of 300 awarded + 100: 25.0% -> 0.25.
    assert values[Metric.SUSTAINABILITY_SHARE] == D("0.25")
    assert figures[program.b.pk].values[Metric.SUSTAINABILITY_SHARE] is None
    assert figures[program.b.pk].values[Metric.PM_FTE] == 0


def test_partner_without_records_has_zeros_and_nones(db):
    partner = Partner.objects.create(name="Empty", organization_type="nonprofit")
    values = partner_figures([partner.pk], YEAR, today=TODAY)[partner.pk].values
    assert values[Metric.TEACHERS_ATTENDED] == 0
    assert values[Metric.STUDENTS_REACHED] == 0
    assert values[Metric.SURVEY_MEAN] is None
    assert values[Metric.ATTENDANCE_RATE] is None
    assert set(values) == set(Metric)


def test_old_teacher_counts_are_the_metric(program):
    assert teachers_attended([program.a.pk, program.b.pk], YEAR) == {
        program.a.pk: 5,
        program.b.pk: 1,
    }
    assert teachers_attended_counts([program.a.pk], [LAST_YEAR, YEAR]) == {
        (program.a.pk, LAST_YEAR): 4,
        (program.a.pk, YEAR): 5,
    }


# --- Figures that depend on the day (QA of issue 8, defects 6 to 8) ------------------------


@pytest.fixture
def spring_of_last_year(program):
    """Two more teachers at A's March 2025 workshop: 2024-25 has six teachers in all, four of
    them (t1, t8, t9, t10, September 10) by September 30, 2024."""
    from accounts.tests.factories import UserFactory

    from .conftest import enroll, workshop

    spring = workshop(program.a, program.courses["c1"], datetime.date(2025, 3, 1))
    for name in ("t12", "t13"):
        enroll(spring, UserFactory(role="teacher", last_name=name), attended=1)
    return spring


def _growth(program, today):
    return partner_figures([program.a.pk, program.b.pk], YEAR, today=today)


def test_growth_while_the_year_runs_is_the_year_so_far_against_the_same_days(
    program, spring_of_last_year
):
    a, b = program.a.pk, program.b.pk
    # September 30, 2025: W1's sessions (September 10 and 11) are this year's so far: t1, t2,
    # t3, t5 = 4. The same days of 2024-25 (to September 30, 2024): W0's t1, t8, t9, t10 = 4.
    # (4 - 4) / 4 = 0. Against the whole of 2024-25 (6) it read (5 - 6) / 6 = -17%.
    assert _growth(program, datetime.date(2025, 9, 30))[a].values[Metric.TEACHER_GROWTH] == 0
    # October 15, 2025: W2 (October 1) adds t6: (5 - 4) / 4 = 0.25.
    figures = _growth(program, datetime.date(2025, 10, 15))
    assert figures[a].values[Metric.TEACHER_GROWTH] == D("0.25")
    # B had nobody in the same days of the year before: no growth, not -100% or +inf.
    assert figures[b].values[Metric.TEACHER_GROWTH] is None


def test_growth_after_the_year_is_the_whole_years(program, spring_of_last_year):
    # July 1, 2026: 2025-26 is over: 5 teachers against 2024-25's 6: -1/6 = -16.7%.
    figures = _growth(program, datetime.date(2026, 7, 1))
    assert figures[program.a.pk].values[Metric.TEACHER_GROWTH] == D("-0.167")


def test_growth_before_the_year_starts_is_none(program):
    # June 30, 2025: 2025-26 has not started; nothing to compare (not -100%).
    figures = _growth(program, datetime.date(2025, 6, 30))
    assert figures[program.a.pk].values[Metric.TEACHER_GROWTH] is None


def test_growth_on_february_29_compares_to_february_28():
    from metrics.selectors import growth_periods

    assert growth_periods("2027-28", datetime.date(2028, 2, 29)) == (
        ("2026-27", datetime.date(2027, 2, 28)),
        ("2027-28", datetime.date(2028, 2, 29)),
    )
    assert growth_periods("2027-28", datetime.date(2028, 7, 1)) == (
        ("2026-27", None),
        ("2027-28", None),
    )
    assert growth_periods("2027-28", datetime.date(2027, 6, 30)) is None


def test_dashboard_trend_growth_is_whole_past_years_and_the_running_year_so_far(
    program, spring_of_last_year
):
    dashboard = partner_dashboard(program.a, YEAR, today=datetime.date(2025, 9, 30), years=2)
    growth = {row.metric: row for row in dashboard.rows}[Metric.TEACHER_GROWTH]
    # 2024-25 is over: its 6 teachers against 2023-24's none: None. 2025-26 so far: 0 (above).
    assert growth.trend == [(LAST_YEAR, None), (YEAR, D("0"))]


def test_growth_evidence_shows_the_periods_compared(program, spring_of_last_year):
    evidence = metric_evidence(
        program.a, YEAR, Metric.TEACHER_GROWTH, today=datetime.date(2025, 9, 30)
    )
    assert evidence.rows == [
        [LAST_YEAR, "Jul 1, 2024 to Sep 30, 2024", 4],
        [YEAR, "Jul 1, 2025 to Sep 30, 2025", 4],
    ]
    over = metric_evidence(program.a, YEAR, Metric.TEACHER_GROWTH, today=datetime.date(2026, 7, 1))
    assert over.rows == [[LAST_YEAR, "The whole year", 6], [YEAR, "The whole year", 5]]


def test_pm_fte_is_todays_people_for_this_year_on_and_unknown_for_years_over(program):
    # Active managers today: 0.50 + 0.25 = 0.75 (conftest). On June 30, 2026, 2025-26 runs;
    # 2023-24 and 2024-25 are over: not known, not today's 0.75 copied back.
    dashboard = partner_dashboard(program.a, YEAR, today=TODAY, years=3)
    fte = {row.metric: row for row in dashboard.rows}[Metric.PM_FTE]
    assert fte.trend == [("2023-24", None), (LAST_YEAR, None), (YEAR, D("0.75"))]
    # The next year is judged on today's people too.
    assert partner_figures([program.a.pk], "2026-27", today=TODAY)[program.a.pk].values[
        Metric.PM_FTE
    ] == D("0.75")
    # From July 1, 2026, 2025-26 is over: no figure, and a target is not judged.
    Target.objects.create(partner=program.a, program_year=YEAR, metric=Metric.PM_FTE, value=1)
    over = partner_dashboard(program.a, YEAR, today=datetime.date(2026, 7, 1), years=1)
    fte = {row.metric: row for row in over.rows}[Metric.PM_FTE]
    assert (fte.actual, fte.status, fte.status_label, fte.actual_display) == (
        None,
        None,
        "No data",
        "—",
    )
    assert "Not known for a year that is over" in (
        metric_evidence(program.a, YEAR, Metric.PM_FTE, today=datetime.date(2026, 7, 1)).explanation
    )


def test_targets_without_a_figure_are_not_judged(program):
    # B in 2025-26: no teacher the year before (growth None) and no funding (sustainability
    # None); in 2024-25 no students either (female share None). Before the fix: growth
    # "missed" once the year was over, the others "at risk" while it ran.
    for metric, value in (
        (Metric.TEACHER_GROWTH, D("0.1")),
        (Metric.SUSTAINABILITY_SHARE, D("0")),
        (Metric.FEMALE_SHARE, D("0.6")),
        (Metric.TEACHERS_ATTENDED, D("1")),
    ):
        Target.objects.create(partner=program.b, program_year=YEAR, metric=metric, value=value)
    partners = Partner.objects.filter(pk=program.b.pk)
    for today in (datetime.date(2025, 10, 1), datetime.date(2026, 7, 1)):
        (row,) = program_dashboard(partners, YEAR, today=today)
        assert row.statuses[Metric.TEACHER_GROWTH] is None
        assert row.statuses[Metric.SUSTAINABILITY_SHARE] is None
        # B reported 15 female students of 30 in 2025-26: 50% against 60%, judged.
        assert row.statuses[Metric.FEMALE_SHARE] in (
            CommitmentState.AT_RISK,
            CommitmentState.MISSED,
        )
        # One teacher of a target of 1: met. Counts of "No data" rows are in no tally.
        assert row.statuses[Metric.TEACHERS_ATTENDED] == CommitmentState.MET
        assert row.met + row.on_track + row.at_risk + row.missed == 2
    Target.objects.filter(partner=program.b).update(program_year=LAST_YEAR)
    dashboard = partner_dashboard(program.b, LAST_YEAR, today=datetime.date(2025, 7, 1))
    labels = {row.metric: row.status_label for row in dashboard.rows}
    # 2024-25 is over; B had no teacher, no students, no funding in it.
    assert labels[Metric.TEACHER_GROWTH] == "No data"
    assert labels[Metric.FEMALE_SHARE] == "No data"
    assert labels[Metric.SUSTAINABILITY_SHARE] == "No data"
    assert labels[Metric.TEACHERS_ATTENDED] == "Missed"  # 0 of 1: a figure, judged
    assert labels[Metric.STUDENTS_REACHED] == ""  # no target


# --- Targets, dashboards ------------------------------------------------------------------


def test_targets_for_one_query(program, django_assert_num_queries):
    Target.objects.create(
        partner=program.a, program_year=YEAR, metric=Metric.TEACHERS_ATTENDED, value=10
    )
    Target.objects.create(
        partner=program.a, program_year=LAST_YEAR, metric=Metric.PM_FTE, value=D("0.5")
    )
    with django_assert_num_queries(1):
        targets = targets_for([program.a.pk, program.b.pk], [YEAR, LAST_YEAR])
    assert targets[(program.a.pk, YEAR)] == {Metric.TEACHERS_ATTENDED: D("10")}
    assert targets[(program.a.pk, LAST_YEAR)] == {Metric.PM_FTE: D("0.5")}
    assert targets[(program.b.pk, YEAR)] == {}


def test_partner_dashboard(program):
    Target.objects.create(
        partner=program.a, program_year=YEAR, metric=Metric.TEACHERS_ATTENDED, value=10
    )
    Target.objects.create(
        partner=program.a, program_year=YEAR, metric=Metric.SURVEY_MEAN, value=D("3.5")
    )
    dashboard = partner_dashboard(program.a, YEAR, today=datetime.date(2026, 8, 1), years=3)
    assert dashboard.years == ["2023-24", LAST_YEAR, YEAR]
    rows = {row.metric: row for row in dashboard.rows}
    teachers = rows[Metric.TEACHERS_ATTENDED]
    # The year is over: 5 of 10 is missed; a mean of 3.60 against 3.5 is met.
    assert (teachers.actual, teachers.target, teachers.status) == (5, 10, CommitmentState.MISSED)
    assert rows[Metric.SURVEY_MEAN].status == CommitmentState.MET
    assert rows[Metric.STUDENTS_REACHED].status is None  # no target
    assert teachers.trend == [("2023-24", 0), (LAST_YEAR, 4), (YEAR, 5)]
    assert rows[Metric.FEMALE_SHARE].region == D("0.48")
    assert rows[Metric.TEACHERS_ATTENDED].region is None
    assert dashboard.survey_items == [
        ("qa", "The workshop was useful.", D("4.00")),
        ("qb", "The facilitators were effective.", D("3.00")),
    ]
    assert [c.course_name for c in dashboard.by_course] == ["CS Discoveries", "CS Principles"]


def test_program_dashboard(program):
    Target.objects.create(
        partner=program.b, program_year=YEAR, metric=Metric.TEACHERS_ATTENDED, value=4
    )
    rows = program_dashboard(
        Partner.objects.filter(pk__in=[program.a.pk, program.b.pk]).order_by("name"),
        YEAR,
        today=datetime.date(2025, 10, 1),
    )
    assert [r.partner for r in rows] == [program.a, program.b]
    a, b = rows
    assert a.targets == {} and set(a.statuses.values()) == {None}
    # October 1: 92 days of 365 elapsed; 1 teacher of 4 is 0.25 >= 4 * 92 / 365 = 1.008? No:
    # 1 * 365 = 365 < 4 * 92 = 368 -> at risk.
    assert b.statuses[Metric.TEACHERS_ATTENDED] == CommitmentState.AT_RISK
    assert (b.met, b.on_track, b.at_risk, b.missed) == (0, 0, 1, 0)
    assert b.figures.values[Metric.TEACHERS_ATTENDED] == 1


# --- Query counts: fixed whatever the number of partners and rows ---------------------------

# 10 grouped queries: attendance once (with growth's year before and district fulfilment),
# reports (2), surveys, region, FTE, summits, funding (2), commitments.
PARTNER_FIGURES_QUERIES = 10


def _more_partners(program, n=3):
    """Partners with records of their own: workshops, attendance, reports, commitments."""
    from workshops.models import EnrollmentStatus

    from .conftest import enroll, workshop

    partners = []
    for i in range(n):
        partner = Partner.objects.create(name=f"Extra {i}", organization_type="nonprofit")
        w = workshop(partner, program.courses["c2"], datetime.date(2025, 11, 3), sessions=2)
        for j in range(3):
            from accounts.tests.factories import UserFactory

            enroll(
                w,
                UserFactory(role="teacher"),
                program.schools["city"],
                status=EnrollmentStatus.ENROLLED,
                attended=j,
            )
        partners.append(partner)
    return partners


# Whether the year runs (growth so far) or is over (whole years), growth's teachers are one
# query.
@pytest.mark.parametrize("today", [TODAY, datetime.date(2026, 7, 1)])
def test_partner_figures_query_count_is_fixed(program, django_assert_num_queries, today):
    with django_assert_num_queries(PARTNER_FIGURES_QUERIES):
        partner_figures([program.a.pk], YEAR, today=today)
    others = _more_partners(program)
    ids = [program.a.pk, program.b.pk] + [p.pk for p in others]
    with django_assert_num_queries(PARTNER_FIGURES_QUERIES):
        result = partner_figures(ids, YEAR, today=today)
    assert result[others[0].pk].values[Metric.TEACHERS_ATTENDED] == 2


def test_program_dashboard_query_count_is_fixed(program, django_assert_num_queries):
    today = datetime.date(2026, 1, 15)
    with django_assert_num_queries(PARTNER_FIGURES_QUERIES + 2):
        program_dashboard(Partner.objects.filter(pk=program.a.pk), YEAR, today=today)
    _more_partners(program, 5)
    with django_assert_num_queries(PARTNER_FIGURES_QUERIES + 2):
        rows = program_dashboard(Partner.objects.all(), YEAR, today=today)
    assert len(rows) == 7


def test_partner_dashboard_query_count_is_fixed(program, django_assert_num_queries):
    today = datetime.date(2026, 1, 15)
    # The figures' 10 grouped queries over all 4 years (attendance read once for every year,
    # growth's year before the first and district fulfilment), the targets, the survey
    # questions' text.
    expected = 10 + 2
    with django_assert_num_queries(expected):
        partner_dashboard(program.b, YEAR, today=today)
    _more_partners(program, 4)
    with django_assert_num_queries(expected):
        partner_dashboard(program.a, YEAR, today=today)
    # After the year: every year is whole, still one query for the year before the first.
    with django_assert_num_queries(expected):
        partner_dashboard(program.a, YEAR, today=datetime.date(2026, 7, 1))


# --- Quality and evidence -------------------------------------------------------------------


def test_workshop_quality_by_workshop_and_partner(program, django_assert_num_queries):
    with django_assert_num_queries(4):
        rows = workshop_quality([program.a.pk], YEAR, "workshop")
    by_key = {r.key: r for r in rows}
    w1 = by_key[program.workshops["w1"].pk]
    # W1: enrolled t1, t2, t3, t4; attended t1, t2, t3; all sessions t1, t3. Survey: t1 (5, 4)
    # and t2 (3): 12 / 3 = 4.00.
    assert (w1.enrolled, w1.attended, w1.completed) == (4, 3, 2)
    assert (w1.attendance_rate, w1.completion_rate) == (D("0.75"), D("0.5"))
    assert (w1.responses, w1.survey_mean) == (2, D("4.00"))
    assert program.workshops["w3"].pk not in by_key  # not ended, no response
    (partner_row,) = workshop_quality([program.a.pk], YEAR, "partner")
    # The partner's row is the partner's metrics.
    assert partner_row.attendance_rate == D("0.833")
    assert partner_row.survey_mean == D("3.60")
    courses = {r.label: r for r in workshop_quality([program.a.pk], YEAR, "course")}
    assert courses["CS Principles"].completed == 2


@pytest.mark.parametrize("metric", list(Metric))
def test_evidence_for_every_metric(program, metric, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        evidence = metric_evidence(program.a, YEAR, metric)
    assert evidence.metric == metric
    assert len(evidence.rows) == len(evidence.links) == min(evidence.total, 500)
    assert all(len(row) == len(evidence.columns) for row in evidence.rows)


def test_evidence_rows_are_the_records(program):
    attended = metric_evidence(program.a, YEAR, Metric.TEACHERS_ATTENDED)
    # Six enrollments with attendance: t1 twice (W1, W2), t2, t3, t5, t6 -> five teachers.
    assert attended.total == 6
    assert attended.links[0].startswith(f"/manage/partners/{program.a.slug}/workshops/")
    students = metric_evidence(program.a, YEAR, Metric.STUDENTS_REACHED)
    assert sum(row[4] for row in students.rows) == 150
    rate = metric_evidence(program.a, YEAR, Metric.ATTENDANCE_RATE)
    assert rate.total == 6
    funding = metric_evidence(program.a, YEAR, Metric.SUSTAINABILITY_SHARE)
    assert [row[0] for row in funding.rows] == ["Awarded", "Independent"]


def test_evidence_is_capped(program, monkeypatch):
    import metrics.selectors as selectors

    monkeypatch.setattr(selectors, "EVIDENCE_LIMIT", 2)
    evidence = metric_evidence(program.a, YEAR, Metric.TEACHERS_ATTENDED)
    assert (len(evidence.rows), evidence.total, evidence.truncated) == (2, 6, True)


def test_the_evidence_of_one_course_is_all_of_its_records_past_the_cap(program, monkeypatch):
    import metrics.selectors as selectors

    every = metric_evidence(program.a, YEAR, Metric.STUDENTS_REACHED)
    monkeypatch.setattr(selectors, "EVIDENCE_LIMIT", 1)
    by_course = {}
    for course in program.courses.values():
        one = metric_evidence(program.a, YEAR, Metric.STUDENTS_REACHED, course=course)
        assert {row[1] for row in one.rows} <= {course.name}
        by_course[course.name] = one.total
    # Counted in the database, not among the capped rows: the courses add up to every record.
    assert sum(by_course.values()) == every.total
    assert all(by_course.values())


# --- Formatting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "value", "shown"),
    [
        (Metric.TEACHERS_ATTENDED, 1204, "1,204"),
        (Metric.FEMALE_SHARE, D("0.455"), "45.5%"),
        (Metric.FEMALE_SHARE, D("0.45"), "45%"),  # whole: no ".0"
        (Metric.FEMALE_SHARE, D("0.4567"), "45.7%"),
        (Metric.FEMALE_SHARE, D("0.95996"), "96%"),  # 96.0% once rounded to a tenth
        (Metric.TEACHER_GROWTH, D("0.12"), "+12%"),
        (Metric.TEACHER_GROWTH, D("0.125"), "+12.5%"),
        (Metric.TEACHER_GROWTH, D("-0.05"), "-5%"),
        (Metric.TEACHER_GROWTH, D("-0.0004"), "0%"),
        (Metric.TEACHER_GROWTH, D("0"), "0%"),
        (Metric.SURVEY_MEAN, D("4.25"), "4.25"),
        (Metric.SURVEY_MEAN, D("4.5"), "4.50"),
        (Metric.PM_FTE, D("0.75"), "0.75 FTE"),
        (Metric.STUDENTS_REACHED, None, "—"),
    ],
)
def test_format_value(metric, value, shown):
    assert format_value(metric, value) == shown
    assert format_value(METRICS[metric], value) == shown


def test_units():
    assert METRICS[Metric.PM_FTE].unit == Unit.FTE
    assert METRICS[Metric.SURVEY_MEAN].unit == Unit.MEAN
    assert {k for k, s in METRICS.items() if s.region_compare} == {
        Metric.FEMALE_SHARE,
        Metric.URM_SHARE,
        Metric.HIGH_NEED_SHARE,
        Metric.RURAL_SHARE,
    }
