from decimal import Decimal

import factory

from accounts.tests.factories import UserFactory
from partners.models import OrganizationType, Partner, ProgramManager


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Computing Collaborative {n}")
    organization_type = OrganizationType.NONPROFIT
    status = Partner.Status.ACTIVE


class ProgramManagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramManager

    partner = factory.SubFactory(PartnerFactory)
    user = factory.SubFactory(UserFactory, role="program_manager")
    fte_share = Decimal("0.50")
