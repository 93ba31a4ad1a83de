"""Attendance selectors: the checklist, hours, summaries, and counts for the metrics."""

import datetime
from decimal import Decimal

import pytest

from districts.tests.factories import SchoolFactory
from workshops.attendance import (
    attendance_counts,
    attended_by_district_course,
    attended_hours,
    facilitated_workshops,
    session_checklist,
    teachers_attended,
    workshop_attendance_summary,
)
from workshops.models import Attendance, EnrollmentStatus

from .factories_attendance import (
    AttendanceFactory,
    CourseFactory,
    EnrollmentFactory,
    WorkshopFactory,
    assign_facilitator,
    session_on,
    workshop_with_teachers,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 7, 20)  # program year 2026-27


def attend(enrollment, *sessions):
    for session in sessions:
        AttendanceFactory(enrollment=enrollment, session=session)


def test_the_checklist_lists_enrolled_teachers_with_their_attendance(
    django_assert_num_queries,
):
    workshop, enrollments = workshop_with_teachers(teachers=12, sessions=2, starts_on=DAY)
    EnrollmentFactory(workshop=workshop, status=EnrollmentStatus.WAITLISTED)
    EnrollmentFactory(workshop=workshop, status=EnrollmentStatus.CANCELLED)
    first, second = workshop.sessions.all()
    attend(enrollments[0], first)
    AttendanceFactory(enrollment=enrollments[1], session=first, method=Attendance.Method.SELF)
    attend(enrollments[2], second)
    with django_assert_num_queries(2):
        rows = session_checklist(first)
        names = [str(row.teacher) and row.enrollment.school_display for row in rows]
    assert len(rows) == 12 and all(names)
    by_pk = {row.enrollment.pk: row for row in rows}
    assert {pk for pk, row in by_pk.items() if row.attended} == {
        enrollments[0].pk,
        enrollments[1].pk,
    }
    assert by_pk[enrollments[1].pk].method == Attendance.Method.SELF
    assert by_pk[enrollments[2].pk].method == ""


def test_attended_hours_sum_the_attended_sessions():
    workshop = WorkshopFactory(sessions=0)
    long = session_on(workshop, DAY, (9, 0), (15, 30))  # 6.5 h
    short = session_on(workshop, DAY + datetime.timedelta(days=1), (9, 0), (11, 15))  # 2.25 h
    skipped = session_on(workshop, DAY + datetime.timedelta(days=2), (9, 0), (12, 0))
    enrollment = EnrollmentFactory(workshop=workshop)
    assert attended_hours(enrollment) == Decimal("0")
    attend(enrollment, long, short)
    assert attended_hours(enrollment) == Decimal("8.75")
    assert skipped.hours == Decimal("3.00")


def test_the_workshop_summary(django_assert_max_num_queries):
    workshop, (a, b, _, _) = workshop_with_teachers(teachers=4, sessions=2, starts_on=DAY)
    first, second = workshop.sessions.all()
    attend(a, first, second)
    attend(b, first)
    gone = EnrollmentFactory(workshop=workshop, status=EnrollmentStatus.CANCELLED)
    attend(gone, first)  # cancelled later: not counted among the enrolled
    with django_assert_max_num_queries(2):
        summary = workshop_attendance_summary(workshop)
    assert (summary.enrolled, summary.attended_any, summary.attended_all) == (4, 2, 1)
    assert [(s.session, s.present, s.share) for s in summary.sessions] == [
        (first, 2, 50),
        (second, 1, 25),
    ]


def test_facilitated_workshops_are_only_the_assigned_ones(facilitator):
    mine, _ = workshop_with_teachers(teachers=2, sessions=3, starts_on=DAY)
    EnrollmentFactory(workshop=mine, status=EnrollmentStatus.WAITLISTED)
    assign_facilitator(mine, facilitator)
    workshop_with_teachers(teachers=1)  # someone else's
    (found,) = facilitated_workshops(facilitator)
    assert found == mine
    assert (found.first_day, found.last_day, found.enrolled) == (
        DAY,
        DAY + datetime.timedelta(days=2),
        2,
    )


def test_counts_for_the_metrics(django_assert_num_queries):
    course = CourseFactory()
    other_course = CourseFactory()
    first_school = SchoolFactory()
    second_school = SchoolFactory()
    one, (a, b) = workshop_with_teachers(teachers=2, course=course, starts_on=DAY)
    a.school = b.school = first_school
    a.save()
    b.save()
    # The same partner, a second workshop of another course: teacher a comes again.
    two = WorkshopFactory(partner=one.partner, course=other_course, starts_on=DAY, sessions=2)
    a_again = EnrollmentFactory(workshop=two, teacher=a.teacher, school=first_school)
    c = EnrollmentFactory(workshop=two, school=second_school)
    unlisted = EnrollmentFactory(
        workshop=two, school=None, school_name="Home Academy", school_zip=_zip()
    )
    absent = EnrollmentFactory(workshop=two, school=second_school)
    # Another partner, and this partner's workshop of the previous year.
    three, (e,) = workshop_with_teachers(teachers=1, starts_on=DAY)
    _, (f,) = workshop_with_teachers(
        teachers=1, partner=one.partner, starts_on=datetime.date(2025, 10, 1)
    )
    for enrollment in (a, b, a_again, c, unlisted, e, f):
        attend(enrollment, *enrollment.workshop.sessions.all())
    assert not absent.attendances.exists()

    partners = [one.partner_id, three.partner_id]
    with django_assert_num_queries(1):
        by_partner = teachers_attended(partners, "2026-27")
    assert by_partner == {one.partner_id: 4, three.partner_id: 1}  # a, b, c, unlisted; e
    with django_assert_num_queries(1):
        by_district = attended_by_district_course(partners, "2026-27")
    assert by_district == {
        (one.partner_id, first_school.district_id, course.pk): 2,
        (one.partner_id, first_school.district_id, other_course.pk): 1,
        (one.partner_id, second_school.district_id, other_course.pk): 1,
        (three.partner_id, e.school.district_id, three.course_id): 1,
    }
    assert teachers_attended([one.partner_id], "2025-26") == {one.partner_id: 1}
    with django_assert_num_queries(2):
        both = attendance_counts(iter(partners), "2026-27")
    assert (both.teachers, both.by_district_course) == (by_partner, by_district)


def _zip():
    from geography.models import State, ZipCode

    state, _ = State.objects.get_or_create(code="WA", defaults={"fips": "53", "name": "Washington"})
    return ZipCode.objects.create(code="98999", state=state)
