import datetime
import random

import pytest

from facilitators.demo import demo_facilitators
from facilitators.models import Accreditation, RosterMember
from facilitators.selectors import roster_coverage
from partners.models import Partner
from partners.tests.factories import PartnerFactory

from .factories import CourseFactory, FacilitatorFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 10, 1)


@pytest.fixture
def demo_program(db):
    courses = [CourseFactory() for _ in range(4)]
    partners = []
    for n in range(12):
        partner = PartnerFactory(is_demo=True, status="onboarding" if n == 11 else "active")
        partner.courses.set(courses[: 2 + n % 3])
        partners.append(partner)
    FacilitatorFactory(email="facilitator@demo.test", is_demo=True)
    FacilitatorFactory.create_batch(14, is_demo=True)
    FacilitatorFactory(email="real@example.org")  # not demo: left alone
    return partners


def _snapshot():
    accreditations = sorted(
        Accreditation.objects.values_list(
            "facilitator__email", "course__name", "program_year", "status"
        )
    )
    rosters = sorted(RosterMember.objects.values_list("partner__name", "facilitator__email"))
    return accreditations, rosters


def test_demo_facilitators(demo_program, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        created = demo_facilitators(rng=random.Random(7), partners=demo_program, today=TODAY)
    assert created == Accreditation.objects.count() + RosterMember.objects.count()

    years = set(Accreditation.objects.values_list("program_year", flat=True))
    assert years == {"2025-26", "2026-27"}
    statuses = list(Accreditation.objects.values_list("status", flat=True))
    assert statuses.count("accredited") > len(statuses) / 2
    assert {"accredited", "lapsed"} <= set(statuses)
    assert not Accreditation.objects.filter(facilitator__email="real@example.org").exists()

    felix = Accreditation.objects.filter(facilitator__email="facilitator@demo.test")
    assert felix.filter(program_year="2026-27", status="accredited").exists()
    assert RosterMember.objects.filter(facilitator__email="facilitator@demo.test").exists()

    active = [p for p in demo_program if p.status == Partner.Status.ACTIVE]
    for partner in active:
        assert 2 <= partner.roster.count() <= 4
    assert not demo_program[-1].roster.exists()  # onboarding: no roster
    coverage = roster_coverage(active, "2026-27")
    at_risk = [pk for pk, courses in coverage.items() if 0 in courses.values()]
    assert 1 <= len(at_risk) < len(active)

    # Deterministic: the same seed makes the same rows.
    first = _snapshot()
    Accreditation.objects.all().delete()
    RosterMember.objects.all().delete()
    demo_facilitators(rng=random.Random(7), partners=demo_program, today=TODAY)
    assert _snapshot() == first
