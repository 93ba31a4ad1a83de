import datetime
from decimal import Decimal

import factory

from core.program_years import program_year_for
from districts.models import District, DistrictCommitment, DistrictPartnership, School
from geography.models import State
from partners.tests.factories import PartnerFactory
from workshops.tests.factories import CourseFactory


def washington() -> State:
    state, _ = State.objects.get_or_create(code="WA", defaults={"fips": "53", "name": "Washington"})
    return state


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    nces_id = factory.Sequence(lambda n: f"53{n:05d}")
    name = factory.Sequence(lambda n: f"Cedar Valley School District No. {n}")
    state = factory.LazyFunction(washington)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    nces_id = factory.LazyAttributeSequence(lambda o, n: f"{o.district.nces_id}{n % 100_000:05d}")
    name = factory.Sequence(lambda n: f"Lincoln Elementary School {n}")
    state = factory.LazyAttribute(lambda o: o.district.state)
    lowest_grade = "KG"
    highest_grade = "05"
    enrollment = 420
    frl_share = Decimal("0.4200")
    urm_share = Decimal("0.3100")
    female_share = Decimal("0.4900")


class DistrictPartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DistrictPartnership

    partner = factory.SubFactory(PartnerFactory)
    district = factory.SubFactory(DistrictFactory)
    since = datetime.date(2024, 8, 1)
    contact_name = factory.Sequence(lambda n: f"Jordan Rivera {n}")
    contact_title = "Director of Teaching and Learning"
    contact_email = factory.Sequence(lambda n: f"district-contact{n}@example.org")


class DistrictCommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DistrictCommitment

    partnership = factory.SubFactory(DistrictPartnershipFactory)
    program_year = factory.LazyFunction(lambda: program_year_for(datetime.date.today()))
    course = factory.SubFactory(CourseFactory)
    teachers = 10


def served_region(partner, *, counties=(), states=(), zips=(), name=None):
    """A served region of `partner` made of counties (FIPS), states (codes) and ZIP codes,
    with the ZIP lookup index refreshed. Needs the geography loaded."""
    from geography.models import County, Region, RegionCounty, RegionState, RegionZip, ZipCode
    from geography.services import regions_reindex

    region = Region.objects.create(
        name=name or f"Region of {partner.name}", status=Region.Status.SERVED, partner=partner
    )
    for fips in counties:
        RegionCounty.objects.create(region=region, county=County.objects.get(fips=fips))
    for code in states:
        RegionState.objects.create(region=region, state=State.objects.get(code=code))
    for code in zips:
        RegionZip.objects.create(region=region, zip_code=ZipCode.objects.get(code=code))
    regions_reindex()
    return region


def district_with_schools(*zip_codes, active=True, **kwargs) -> District:
    """A district with one school in each ZIP code given (a district without any if none)."""
    from geography.models import ZipCode

    zips = [ZipCode.objects.select_related("state").get(code=code) for code in zip_codes]
    if zips and "state" not in kwargs:
        kwargs["state"] = zips[0].state
    district = DistrictFactory(**kwargs)
    for zip_code in zips:
        SchoolFactory(district=district, zip_code=zip_code, state=zip_code.state, is_active=active)
    return district
