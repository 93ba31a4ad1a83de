"""Factories for the workshops app. Other helpers' factories import from here."""

import datetime

import factory
from django.utils import timezone

from core.program_years import program_year_for
from partners.tests.factories import PartnerFactory
from workshops.models import (
    Course,
    Workshop,
    WorkshopFacilitator,
    WorkshopKind,
    WorkshopSession,
    WorkshopState,
)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Workshop Course {n}")
    grade_band = Course.GradeBand.MIDDLE
    order = factory.Sequence(lambda n: n)


class WorkshopKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopKind

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Summer intensive {n}")


class WorkshopFactory(factory.django.DjangoModelFactory):
    """A published online workshop in Pacific time with one session 30 days from today.

    `starts_on`, `start_time` and `end_time` set that session; `sessions=0` makes none (add
    them with SessionFactory). The partner offers the course.
    """

    class Meta:
        model = Workshop
        skip_postgeneration_save = True

    # The first session's date and times: declared (so program_year can use them) and taken
    # out again in _create, which keeps them for the `sessions` hook.
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    start_time = datetime.time(9, 0)
    end_time = datetime.time(15, 0)

    partner = factory.SubFactory(PartnerFactory)
    course = factory.SubFactory(CourseFactory)
    kind = factory.SubFactory(WorkshopKindFactory, course=factory.SelfAttribute("..course"))
    state = WorkshopState.PUBLISHED
    program_year = factory.LazyAttribute(lambda o: program_year_for(o.starts_on))
    # Online by default: an in-person workshop needs a venue ZIP code (geography fixture);
    # pass is_online=False, venue=..., zip_code=ZipCode.objects.get(code=...), time_zone=...
    is_online = True
    online_url = "https://meet.example.org/workshop"
    time_zone = "America/Los_Angeles"
    capacity = 20

    @factory.post_generation
    def sessions(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.partner.courses.add(obj.course)
        count = 1 if extracted is None else extracted
        day, start, end = obj._first_session
        for offset in range(count):
            WorkshopSession.objects.create(
                workshop=obj,
                date=day + datetime.timedelta(days=offset),
                start_time=start,
                end_time=end,
            )

    @factory.post_generation
    def facilitators(obj, create, extracted, **kwargs):
        if create and extracted:
            for user in extracted:
                WorkshopFacilitator.objects.create(workshop=obj, facilitator=user)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        first = (kwargs.pop("starts_on"), kwargs.pop("start_time"), kwargs.pop("end_time"))
        obj = super()._create(model_class, *args, **kwargs)
        obj._first_session = first
        return obj


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopSession

    workshop = factory.SubFactory(WorkshopFactory, sessions=0)
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=31))
    start_time = datetime.time(9, 0)
    end_time = datetime.time(15, 0)


# --- Helpers for scheduling tests (and anyone who needs the same) --------------------------


def accredit(person, course, program_year: str):
    """Make `person` (a facilitator) accredited for `course` in `program_year`."""
    from facilitators.models import Accreditation, AccreditationStatus

    return Accreditation.objects.create(
        facilitator=person,
        course=course,
        program_year=program_year,
        status=AccreditationStatus.ACCREDITED,
    )


def enroll(workshop, status: str = "enrolled", teacher=None):
    """An enrollment (or waitlist place) of a new teacher in `workshop`, with a listed school."""
    from accounts.tests.factories import UserFactory
    from districts.tests.factories import SchoolFactory
    from workshops.models import Enrollment

    now = timezone.now()
    return Enrollment.objects.create(
        workshop=workshop,
        teacher=teacher or UserFactory(role="teacher"),
        status=status,
        school=SchoolFactory(),
        enrolled_at=now if status == "enrolled" else None,
        waitlisted_at=now if status == "waitlisted" else None,
    )
