import pytest

from facilitators.selectors import (
    accredited_facilitators,
    facilitator_accreditations,
    facilitator_home,
    is_accredited,
    renew_preview,
    roster_candidates,
    roster_coverage,
    roster_for,
    roster_page,
)
from partners.tests.factories import PartnerFactory

from .factories import AccreditationFactory, FacilitatorFactory, RosterMemberFactory

pytestmark = pytest.mark.django_db


def test_accredited_facilitators_is_status_course_year_and_role(courses, year, last_year):
    yes = AccreditationFactory(course=courses[0], program_year=year).facilitator
    AccreditationFactory(course=courses[0], program_year=year, status="in_training")
    AccreditationFactory(course=courses[0], program_year=last_year)
    AccreditationFactory(course=courses[1], program_year=year)
    demoted = AccreditationFactory(course=courses[0], program_year=year).facilitator
    demoted.role = "teacher"
    demoted.save()
    gone = AccreditationFactory(course=courses[0], program_year=year).facilitator
    gone.is_active = False
    gone.save()

    assert list(accredited_facilitators(courses[0], year)) == [yes]
    assert list(accredited_facilitators(courses[0].pk, year)) == [yes]
    assert is_accredited(yes, courses[0], year)
    assert not is_accredited(yes, courses[1], year)
    assert not is_accredited(yes, courses[0], last_year)
    assert not is_accredited(demoted, courses[0], year)


def test_roster_coverage_counts_accredited_roster_members_per_course(
    partner, other_partner, courses, year, last_year
):
    a, b, c = FacilitatorFactory.create_batch(3)
    AccreditationFactory(facilitator=a, course=courses[0], program_year=year)
    AccreditationFactory(facilitator=a, course=courses[2], program_year=year)  # not offered
    AccreditationFactory(facilitator=b, course=courses[0], program_year=year)
    AccreditationFactory(facilitator=b, course=courses[1], program_year=year, status="candidate")
    AccreditationFactory(facilitator=c, course=courses[1], program_year=last_year)
    for person in (a, b, c):
        RosterMemberFactory(partner=partner, facilitator=person)
    # Accredited, but on nobody's roster here.
    AccreditationFactory(course=courses[1], program_year=year)

    coverage = roster_coverage([partner, other_partner.pk], year)

    # courses[1] is offered and nobody on the roster may lead it this year: 0, at risk.
    assert coverage == {
        partner.pk: {courses[0].pk: 2, courses[1].pk: 0, courses[2].pk: 1},
        other_partner.pk: {},
    }
    assert roster_coverage([], year) == {}


def test_roster_coverage_runs_a_constant_number_of_queries(
    courses, year, django_assert_max_num_queries
):
    def make_partner():
        partner = PartnerFactory()
        partner.courses.set(courses)
        for course in courses[:2]:
            member = RosterMemberFactory(partner=partner)
            AccreditationFactory(facilitator=member.facilitator, course=course, program_year=year)
        return partner

    first = make_partner()
    with django_assert_max_num_queries(2):
        roster_coverage([first], year)
    many = [make_partner() for _ in range(8)]
    from partners.models import Partner

    with django_assert_max_num_queries(3):  # one more to list the queryset's partners
        coverage = roster_coverage(Partner.objects.all(), year)
    with django_assert_max_num_queries(2):
        assert roster_coverage(many, year) == {p.pk: coverage[p.pk] for p in many}
    assert coverage[first.pk] == {courses[0].pk: 1, courses[1].pk: 1, courses[2].pk: 0}


def test_roster_for_brings_that_years_accreditations(
    partner, felix, courses, year, last_year, django_assert_num_queries
):
    AccreditationFactory(facilitator=felix, course=courses[1], program_year=year)
    AccreditationFactory(facilitator=felix, course=courses[0], program_year=year, status="lapsed")
    AccreditationFactory(facilitator=felix, course=courses[2], program_year=last_year)
    RosterMemberFactory(partner=partner, facilitator=felix)
    RosterMemberFactory(partner=partner)
    with django_assert_num_queries(2):
        members = list(roster_for(partner, year))
        held = {m.facilitator.email: m.facilitator.year_accreditations for m in members}
    assert [(a.course, a.status) for a in held["felix@example.org"]] == [
        (courses[0], "lapsed"),
        (courses[1], "accredited"),
    ]
    page = roster_page(partner, year)
    assert [c.name for c in page.uncovered] == ["CS Fundamentals"]
    assert page.course_lines == [(courses[0], 0), (courses[1], 1)]


def test_roster_candidates_follow_the_roster_rule(partner, courses, year, next_year, last_year):
    # Names of their own: random factory names could share the searched last name.
    current = AccreditationFactory(
        course=courses[0], program_year=year, facilitator__last_name="Quillfeather"
    ).facilitator
    upcoming = AccreditationFactory(
        course=courses[0],
        program_year=next_year,
        status="candidate",
        facilitator__last_name="Ashgrove",
    ).facilitator
    AccreditationFactory(course=courses[0], program_year=year, status="lapsed")
    AccreditationFactory(course=courses[0], program_year=last_year)
    on_roster = AccreditationFactory(course=courses[1], program_year=year).facilitator
    RosterMemberFactory(partner=partner, facilitator=on_roster)

    assert set(roster_candidates(partner, "")) == {current, upcoming}
    assert list(roster_candidates(partner, upcoming.email.upper())) == [upcoming]
    assert list(roster_candidates(partner, current.last_name)) == [current]


def test_a_facilitators_own_view(felix, partner, other_partner, courses, year, last_year):
    AccreditationFactory(facilitator=felix, course=courses[0], program_year=last_year)
    AccreditationFactory(facilitator=felix, course=courses[0], program_year=year)
    AccreditationFactory(course=courses[1], program_year=year)  # someone else's
    RosterMemberFactory(partner=partner, facilitator=felix)

    assert [a.program_year for a in facilitator_accreditations(felix)] == [year, last_year]
    home = facilitator_home(felix)
    assert home.program_year == year
    assert [(a.course, a.status) for a in home.accreditations] == [(courses[0], "accredited")]
    assert home.partners == [partner]


def test_renew_preview_matches_what_renew_would_do(courses, last_year, year):
    a = AccreditationFactory(course=courses[0], program_year=last_year).facilitator
    AccreditationFactory(facilitator=a, course=courses[1], program_year=last_year)
    AccreditationFactory(facilitator=a, course=courses[1], program_year=year, status="lapsed")
    AccreditationFactory(course=courses[0], program_year=last_year, status="candidate")
    assert renew_preview(last_year, year) == {
        "to_copy": 1,
        "already_there": 1,
        "not_facilitators": 0,
    }
