import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from geography.models import Region, RegionZip, State, ZipCode
from geography.services import regions_reindex
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

from ..models import Event, EventKind, EventRegistration, RegistrationStatus


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


class EventFactory(factory.django.DjangoModelFactory):
    """A two-day summit a month from now, in person, with no capacity limit."""

    class Meta:
        model = Event

    kind = EventKind.SUMMIT
    name = factory.Sequence(lambda n: f"Regional Partner Summit {n}")
    starts_on = factory.LazyFunction(lambda: in_days(30))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=1))
    start_time = datetime.time(9)
    end_time = datetime.time(16, 30)
    time_zone = "America/Chicago"
    venue = "Lakeside Conference Center"
    city = "Chicago"


class ConferenceFactory(EventFactory):
    kind = EventKind.TEACHER_CONFERENCE
    name = factory.Sequence(lambda n: f"Teacher Conference {n}")
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=4))


class MeetupFactory(EventFactory):
    kind = EventKind.MEETUP
    name = factory.Sequence(lambda n: f"CS teachers' meetup {n}")
    ends_on = factory.SelfAttribute("starts_on")
    host_partner = factory.SubFactory(PartnerFactory)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventRegistration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory, role="program_manager")
    partner = factory.SubFactory(PartnerFactory)
    role = factory.SelfAttribute("user.role")
    status = RegistrationStatus.REGISTERED


def manager_of(*partners, **user_kwargs):
    """A program manager of all these partners."""
    user = UserFactory(role="program_manager", **user_kwargs)
    for partner in partners:
        ProgramManagerFactory(partner=partner, user=user)
    return user


def washington() -> State:
    state, _ = State.objects.get_or_create(code="WA", defaults={"fips": "53", "name": "Washington"})
    return state


def zip_code(code: str) -> ZipCode:
    zip_obj, _ = ZipCode.objects.get_or_create(
        code=code, defaults={"city": "Seattle", "state": washington()}
    )
    return zip_obj


def served_zip(partner, code: str) -> ZipCode:
    """A ZIP code in a region served by `partner`, with the lookup index refreshed."""
    region = Region.objects.filter(partner=partner).first() or Region.objects.create(
        name=f"{partner.name} region", status=Region.Status.SERVED, partner=partner
    )
    zip_obj = zip_code(code)
    RegionZip.objects.get_or_create(region=region, zip_code=zip_obj)
    regions_reindex(state_ids=[zip_obj.state_id])
    zip_obj.refresh_from_db()
    return zip_obj
