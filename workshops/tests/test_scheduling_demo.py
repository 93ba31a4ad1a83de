import datetime
import random

from facilitators.models import Accreditation, AccreditationStatus
from facilitators.tests.factories import AccreditationFactory, RosterMemberFactory
from partners.tests.factories import PartnerFactory
from workshops.demo import demo_workshops
from workshops.models import Workshop, WorkshopFacilitator, WorkshopKind, WorkshopSession

from .factories import CourseFactory

TODAY = datetime.date(2026, 11, 2)


def make_demo():
    courses = [CourseFactory(name=f"Demo course {n}") for n in range(3)]
    partners = [PartnerFactory(is_demo=True) for _ in range(4)]
    partners.append(PartnerFactory(is_demo=True, status="onboarding"))
    for partner in partners:
        partner.courses.add(*courses[:2])
        for year in ("2025-26", "2026-27"):
            member = RosterMemberFactory(partner=partner)
            AccreditationFactory(
                facilitator=member.facilitator, course=courses[0], program_year=year
            )
        RosterMemberFactory(partner=partner)  # on the roster, accredited for nothing
    return partners


def snapshot():
    return sorted(
        Workshop.objects.values_list(
            "partner__name", "course__name", "kind__name", "state", "time_zone", "capacity"
        )
    ), sorted(WorkshopSession.objects.values_list("workshop__partner__name", "date", "start_time"))


def test_demo_workshops(db):
    partners = make_demo()
    rows = demo_workshops(rng=random.Random(7), partners=partners, today=TODAY)
    workshops = Workshop.objects.all()
    assert rows == (
        WorkshopKind.objects.count()
        + workshops.count()
        + WorkshopSession.objects.count()
        + WorkshopFacilitator.objects.count()
    )
    assert all(w.is_demo for w in workshops)
    assert not workshops.filter(partner=partners[-1]).exists()  # onboarding: none
    for course_id in workshops.values_list("course", flat=True).distinct():
        assert WorkshopKind.objects.filter(course_id=course_id).count() >= 3
    states = set(workshops.values_list("state", flat=True))
    assert {"ended", "published", "draft"} <= states
    assert set(workshops.values_list("program_year", flat=True)) == {"2025-26", "2026-27"}
    zones = set(workshops.values_list("time_zone", flat=True))
    assert {"Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles"} <= zones
    for workshop in workshops.filter(state="published"):
        assert workshop.sessions.order_by("date").first().date > TODAY
    for workshop in workshops.filter(state="ended"):
        assert workshop.sessions.order_by("date").last().date < TODAY
    # Only accredited roster members lead.
    links = WorkshopFacilitator.objects.select_related("workshop")
    assert links.exists()
    for link in links:
        assert Accreditation.objects.filter(
            facilitator=link.facilitator_id,
            course=link.workshop.course_id,
            program_year=link.workshop.program_year,
            status=AccreditationStatus.ACCREDITED,
        ).exists()
        assert link.workshop.partner.roster.filter(facilitator=link.facilitator_id).exists()


def test_demo_workshops_are_deterministic(db):
    partners = make_demo()
    demo_workshops(rng=random.Random(3), partners=partners, today=TODAY)
    first = snapshot()
    Workshop.objects.all().delete()
    demo_workshops(rng=random.Random(3), partners=partners, today=TODAY)
    assert snapshot() == first


def test_no_partners_no_rows(db):
    assert demo_workshops(rng=random.Random(1), partners=[], today=TODAY) == 0
