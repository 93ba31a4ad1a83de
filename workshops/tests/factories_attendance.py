"""Factories for attendance, certificates and teaching reports.

Enrollments are made directly with the model (status enrolled, with a listed school), not
through the enrollment services, so these tests stand on their own.
"""

import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from districts.tests.factories import SchoolFactory
from partners.tests.factories import ProgramManagerFactory
from workshops.models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    TeachingReport,
    WorkshopFacilitator,
)

from .factories import CourseFactory, SessionFactory, WorkshopFactory, WorkshopKindFactory

__all__ = [
    "AttendanceFactory",
    "CourseFactory",
    "EnrollmentFactory",
    "SessionFactory",
    "TeachingReportFactory",
    "WorkshopFactory",
    "WorkshopKindFactory",
    "assign_facilitator",
    "program_manager_of",
]


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    workshop = factory.SubFactory(WorkshopFactory)
    teacher = factory.SubFactory(UserFactory, role="teacher")
    status = EnrollmentStatus.ENROLLED
    school = factory.SubFactory(SchoolFactory)
    enrolled_at = factory.LazyFunction(timezone.now)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    enrollment = factory.SubFactory(EnrollmentFactory)
    session = factory.LazyAttribute(lambda o: o.enrollment.workshop.sessions.first())
    method = Attendance.Method.CHECKLIST


class TeachingReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingReport

    teacher = factory.SubFactory(UserFactory, role="teacher")
    program_year = "2026-27"
    course = factory.SubFactory(CourseFactory)
    sections = 2
    students = 50
    female_students = 24
    urm_students = 15


def assign_facilitator(workshop, user=None):
    """Assign a facilitator (a new one unless given) to the workshop; returns the user."""
    user = user or UserFactory(role="facilitator")
    WorkshopFacilitator.objects.create(workshop=workshop, facilitator=user)
    return user


def program_manager_of(partner):
    return ProgramManagerFactory(partner=partner).user


def session_on(workshop, day: datetime.date, start=(9, 0), end=(12, 0)):
    return SessionFactory(
        workshop=workshop,
        date=day,
        start_time=datetime.time(*start),
        end_time=datetime.time(*end),
    )


def workshop_with_teachers(
    *,
    teachers: int = 3,
    sessions: int = 2,
    starts_on: datetime.date = datetime.date(2026, 7, 20),
    start_time: datetime.time = datetime.time(9, 0),
    end_time: datetime.time = datetime.time(15, 0),
    time_zone: str = "America/Los_Angeles",
    **kwargs,
):
    """A published workshop with `sessions` daily sessions from `starts_on` and `teachers`
    enrolled teachers, each with a school; returns (workshop, [enrollments])."""
    workshop = WorkshopFactory(
        starts_on=starts_on,
        start_time=start_time,
        end_time=end_time,
        time_zone=time_zone,
        sessions=sessions,
        **kwargs,
    )
    enrollments = [EnrollmentFactory(workshop=workshop) for _ in range(teachers)]
    return workshop, enrollments
