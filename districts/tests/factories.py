from decimal import Decimal

import factory

from districts.models import District, School
from geography.models import State


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
