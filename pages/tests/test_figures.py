"""Teachers and students on the program page and the one-pager: the metrics' definitions,
for the whole program, and never stale (the cached page changes with attendance)."""

import datetime

import pytest
from django.utils import timezone

from core.program_years import previous_program_year, program_year_bounds, program_year_for
from metrics.selectors import program_totals
from pages import selectors
from workshops.models import Attendance
from workshops.tests.factories_attendance import (
    AttendanceFactory,
    EnrollmentFactory,
    TeachingReportFactory,
    WorkshopFactory,
)

from .test_views import PROGRAM, figure

pytestmark = pytest.mark.django_db


def last_year() -> str:
    return previous_program_year(program_year_for(timezone.localdate()))


@pytest.fixture
def attended():
    """Two workshops of last program year (two partners): three teachers came, one of them to
    both; a fourth enrolled and never came."""
    start, _ = program_year_bounds(last_year())
    day = start + datetime.timedelta(days=60)
    w1 = WorkshopFactory(starts_on=day, state="ended")
    w2 = WorkshopFactory(starts_on=day, state="ended")
    a = AttendanceFactory(enrollment=EnrollmentFactory(workshop=w1))
    AttendanceFactory(enrollment=EnrollmentFactory(workshop=w1))
    AttendanceFactory(enrollment=EnrollmentFactory(workshop=w2, teacher=a.enrollment.teacher))
    AttendanceFactory(enrollment=EnrollmentFactory(workshop=w2))
    EnrollmentFactory(workshop=w2)
    TeachingReportFactory(program_year=last_year(), workshop=w1, students=40)
    TeachingReportFactory(program_year=last_year(), workshop=w2, students=35)
    TeachingReportFactory(program_year=last_year(), workshop=None, students=500)  # no workshop
    return w1, w2


def test_program_totals_use_the_last_complete_year_with_attendance(attended):
    totals = program_totals()
    # Distinct teachers who attended: 3 (one came to both workshops); students 40 + 35.
    assert (totals.teachers, totals.students, totals.program_year) == (3, 75, last_year())


def test_without_attendance_last_year_the_figures_are_this_years(db):
    assert program_totals().program_year == program_year_for(timezone.localdate())


def test_the_program_page_shows_teachers_and_students(client, attended):
    response = client.get(PROGRAM)
    assert figure(response, "teachers") == 3
    assert figure(response, "students") == 75
    assert f"Teachers in workshops, {last_year()}" in response.content.decode()


def test_the_cached_page_changes_with_attendance_and_reports(client, attended):
    w1, _ = attended
    assert figure(client.get(PROGRAM), "teachers") == 3
    # A new teacher attends: the page changes.
    new = AttendanceFactory(enrollment=EnrollmentFactory(workshop=w1))
    assert figure(client.get(PROGRAM), "teachers") == 4
    # An attendance is removed (a checklist corrected): the page changes back.
    Attendance.objects.get(pk=new.pk).delete()
    assert figure(client.get(PROGRAM), "teachers") == 3
    # A report's students are corrected.
    report = w1.teaching_reports.get()
    report.students = 45
    report.save()
    assert figure(client.get(PROGRAM), "students") == 80


def test_one_pager_has_the_figures(attended):
    html = selectors.render_to_string(
        "pages/one_pager.html",
        {
            "blocks": selectors.program_blocks(),
            "figures": selectors.program_figures(),
            "terms": None,
        },
    )
    assert "Teachers in workshops" in html and "<strong>3</strong>" in html
    assert "<strong>75</strong>" in html


def test_figures_are_cached_until_something_changes(attended, django_assert_num_queries):
    selectors.program_figures()
    with django_assert_num_queries(1):
        assert selectors.program_figures().teachers == 3
