from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from partners.models import Partner
from partners.tests.factories import PartnerFactory, ProgramManagerFactory


@pytest.mark.django_db
def test_fte_total_and_its_database_bounds():
    partner = PartnerFactory()
    ProgramManagerFactory(partner=partner, fte_share=Decimal("0.30"))
    ProgramManagerFactory(partner=partner, fte_share=Decimal("0.25"))
    assert partner.program_manager_fte() == Decimal("0.55")
    for bad in (Decimal("0.01"), Decimal("1.50")):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProgramManagerFactory(partner=partner, fte_share=bad)


@pytest.mark.django_db
def test_partner_scope_by_role(make_user):
    admin = make_user(role="program_admin")
    coach = make_user(role="regional_manager")
    manager = make_user(role="program_manager")
    teacher = make_user(role="teacher")
    coached = PartnerFactory(regional_manager=coach)
    managed = ProgramManagerFactory(user=manager).partner
    other = PartnerFactory()

    assert set(Partner.objects.visible_to(admin)) == {coached, managed, other}
    assert list(Partner.objects.visible_to(coach)) == [coached]
    assert list(Partner.objects.visible_to(manager)) == [managed]
    assert not Partner.objects.visible_to(teacher).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not Partner.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.django_db
def test_a_partner_never_gets_a_slug_of_a_fixed_path():
    from partners.tests.factories import PartnerFactory

    assert PartnerFactory(name="Switch").slug == "switch-2"
    assert PartnerFactory(name="New").slug == "new-2"
