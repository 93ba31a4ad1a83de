import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.program_years import program_year_for
from facilitators.models import Accreditation, AccreditationStatus, RosterMember
from partners.tests.factories import PartnerFactory
from workshops.tests.factories import CourseFactory


class FacilitatorFactory(UserFactory):
    role = "facilitator"


class AccreditationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accreditation

    facilitator = factory.SubFactory(FacilitatorFactory)
    course = factory.SubFactory(CourseFactory)
    program_year = factory.LazyFunction(lambda: program_year_for(timezone.localdate()))
    status = AccreditationStatus.ACCREDITED


class RosterMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterMember

    partner = factory.SubFactory(PartnerFactory)
    facilitator = factory.SubFactory(FacilitatorFactory)
    since = factory.Faker("date_this_decade")
