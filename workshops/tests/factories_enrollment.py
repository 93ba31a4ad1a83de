"""Factories for enrollment tests, built on the workshop factories of tests/factories.py."""

import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from districts.tests.factories import SchoolFactory, washington
from geography.models import ZipCode
from partners.tests.factories import ProgramManagerFactory
from workshops.models import Enrollment, EnrollmentStatus, Workshop, WorkshopSession

from .factories import WorkshopFactory


def workshop_on(
    day: datetime.date,
    *,
    start: datetime.time = datetime.time(9),
    end: datetime.time = datetime.time(15),
    sessions: int = 1,
    **kwargs,
) -> Workshop:
    """A published workshop (Pacific time unless `time_zone` is given) whose sessions are on
    `day` and the days after it, from `start` to `end` in the workshop's zone."""
    workshop = WorkshopFactory(sessions=0, **kwargs)
    for number in range(sessions):
        WorkshopSession.objects.create(
            workshop=workshop,
            date=day + datetime.timedelta(days=number),
            start_time=start,
            end_time=end,
        )
    return workshop


def workshop_in(days: int = 30, **kwargs) -> Workshop:
    """A published workshop whose first session is `days` from today (9:00 to 15:00)."""
    return workshop_on(timezone.localdate() + datetime.timedelta(days=days), **kwargs)


def teacher(**kwargs):
    return UserFactory(role="teacher", **kwargs)


def manager_of(partner):
    return ProgramManagerFactory(partner=partner).user


def seattle_zip() -> ZipCode:
    zip_code, _ = ZipCode.objects.get_or_create(
        code="98101",
        defaults={
            "city": "Seattle",
            "state": washington(),
            "latitude": "47.6101",
            "longitude": "-122.3344",
            "timezone": "America/Los_Angeles",
        },
    )
    return zip_code


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """An enrollment (a place) made directly, without the service or its emails."""

    class Meta:
        model = Enrollment

    workshop = factory.SubFactory(WorkshopFactory)
    teacher = factory.SubFactory(UserFactory, role="teacher")
    school = factory.SubFactory(SchoolFactory)
    status = EnrollmentStatus.ENROLLED
    enrolled_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == EnrollmentStatus.ENROLLED else None
    )
    waitlisted_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == EnrollmentStatus.WAITLISTED else None
    )
