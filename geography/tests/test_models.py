import pytest
from django.db import IntegrityError, transaction

from geography.models import Region, RegionCounty, RegionState, RegionZip, State, ZipCode
from geography.tests.factories import RegionFactory
from partners.tests.factories import PartnerFactory


@pytest.mark.django_db
def test_a_unit_belongs_to_one_region_per_level(geography):
    wa = State.objects.get(code="WA")
    king = wa.counties.get(name="King County")
    seattle = ZipCode.objects.get(code="98101")
    first, second = RegionFactory(), RegionFactory()
    RegionState.objects.create(region=first, state=wa)
    RegionCounty.objects.create(region=first, county=king)
    RegionZip.objects.create(region=first, zip_code=seattle)
    for model, kwargs in [
        (RegionState, {"state": wa}),
        (RegionCounty, {"county": king}),
        (RegionZip, {"zip_code": seattle}),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.create(region=second, **kwargs)
    # The same unit at different levels is allowed (a ZIP region inside a state region).
    RegionZip.objects.filter(region=first).delete()
    RegionZip.objects.create(region=second, zip_code=seattle)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "with_partner", "allowed"),
    [
        ("served", True, True),
        ("onboarding", True, True),
        ("open", False, True),
        ("closed", False, True),
        ("served", False, False),
        ("onboarding", False, False),
        ("open", True, False),
        ("closed", True, False),
    ],
)
def test_region_partner_matches_its_status(status, with_partner, allowed):
    partner = PartnerFactory() if with_partner else None
    if allowed:
        Region.objects.create(name="Somewhere", status=status, partner=partner)
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            Region.objects.create(name="Somewhere", status=status, partner=partner)


@pytest.mark.django_db
def test_slugs_stay_unique_when_names_collide():
    first = Region.objects.create(name="North Coast!")
    second = Region.objects.create(name="North  Coast")
    assert first.slug == "north-coast"
    assert second.slug == "north-coast-2"
