"""Reads for district partnerships: the area, the add form's choices, the totals."""

import datetime

import pytest

from core.program_years import program_year_for
from districts.models import District
from districts.selectors import (
    commitment_totals,
    district_choices_for,
    districts_in_area,
    partnership_schools_in_area,
    partnerships_for,
    school_summary,
)
from districts.tests.factories import (
    CourseFactory,
    DistrictCommitmentFactory,
    DistrictPartnershipFactory,
    SchoolFactory,
    district_with_schools,
    served_region,
)
from geography.models import State, ZipCode
from partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

THIS_YEAR = program_year_for(datetime.date.today())
LAST_YEAR = program_year_for(datetime.date.today() - datetime.timedelta(days=366))


@pytest.fixture
def partner(geography):
    partner = PartnerFactory(name="Puget Sound Computing")
    served_region(partner, counties=["53033"])  # King County
    return partner


def test_districts_in_area_is_one_query(partner, django_assert_num_queries):
    inside = district_with_schools("98101", name="Seattle Public Schools")
    across = district_with_schools("98901", "98104", name="Across")
    office = district_with_schools(
        "98901", name="Office", zip_code=ZipCode.objects.get(code="98101")
    )
    no_schools = district_with_schools(name="Not imported yet")
    closed_only = district_with_schools("98901", active=False, name="Closed only")
    district_with_schools("98901", name="Yakima")  # schools outside
    district_with_schools(name="Juneau", state=State.objects.get(code="AK"))
    district_with_schools("10001", name="Manhattan")
    with django_assert_num_queries(1):
        found = set(districts_in_area(partner))
    assert found == {inside, across, office, no_schools, closed_only}


def test_a_partner_without_regions_has_no_area(geography):
    district_with_schools("98101")
    district_with_schools()
    assert not districts_in_area(PartnerFactory()).exists()


def test_choices_search_name_or_nces_id_and_leave_out_partners_already(partner):
    cedar = district_with_schools("98101", name="Cedar Valley School District", nces_id="5300101")
    pine = district_with_schools("98104", name="Pine Ridge Public Schools", nces_id="5300202")
    taken = district_with_schools("98104", name="Cedar Falls School District", nces_id="5300303")
    DistrictPartnershipFactory(partner=partner, district=taken)
    district_with_schools("98901", name="Cedar Bluff School District")  # outside

    assert list(district_choices_for(partner, "")) == [cedar, pine]
    assert list(district_choices_for(partner, "  cedar ")) == [cedar]
    assert list(district_choices_for(partner, "53002")) == [pine]
    assert list(district_choices_for(partner, "00202")) == []  # an id matches from its start
    assert list(district_choices_for(partner, "%")) == []


def test_commitment_totals_is_one_query_for_many_partners(partner, django_assert_num_queries):
    course, other_course = CourseFactory(name="A"), CourseFactory(name="B")
    first = DistrictPartnershipFactory(partner=partner, district=district_with_schools("98101"))
    second = DistrictPartnershipFactory(partner=partner, district=district_with_schools("98104"))
    DistrictPartnershipFactory(partner=partner, district=district_with_schools("98105"))
    DistrictCommitmentFactory(partnership=first, course=course, teachers=10)
    DistrictCommitmentFactory(partnership=first, course=other_course, teachers=5)
    DistrictCommitmentFactory(partnership=second, course=course, teachers=7)
    DistrictCommitmentFactory(
        partnership=second, course=course, teachers=99, program_year=LAST_YEAR
    )
    quiet = PartnerFactory()
    elsewhere = PartnerFactory()
    DistrictCommitmentFactory(partnership__partner=elsewhere, teachers=3)
    with django_assert_num_queries(1):
        totals = commitment_totals([partner.pk, quiet.pk], THIS_YEAR)
    assert totals == {partner.pk: (2, 22), quiet.pk: (0, 0)}
    assert commitment_totals([partner.pk], LAST_YEAR) == {partner.pk: (1, 99)}
    with django_assert_num_queries(0):
        assert commitment_totals([], THIS_YEAR) == {}


def test_partnerships_for_carries_the_years_commitments(partner, django_assert_num_queries):
    course = CourseFactory(name="A")
    seattle = district_with_schools("98101", "98104", name="Seattle")
    SchoolFactory(district=seattle, is_active=False)
    first = DistrictPartnershipFactory(partner=partner, district=seattle)
    DistrictCommitmentFactory(partnership=first, course=course, teachers=4)
    DistrictCommitmentFactory(partnership=first, course=course, teachers=9, program_year=LAST_YEAR)
    DistrictPartnershipFactory(partner=partner, district=district_with_schools(name="Tukwila"))
    DistrictPartnershipFactory(district=district_with_schools("98101"))  # another partner's
    with django_assert_num_queries(2):
        rows = list(partnerships_for(partner))
        assert [(r.district.name, r.school_count, r.teachers_committed) for r in rows] == [
            ("Seattle", 2, 4),
            ("Tukwila", 0, 0),
        ]
        assert [c.teachers for c in rows[0].year_commitments] == [4]
    assert partnerships_for(partner, LAST_YEAR)[0].teachers_committed == 9


def test_schools_in_the_area_and_their_summary(partner):
    district = district_with_schools("98101", "98901")
    SchoolFactory(district=district, zip_code=ZipCode.objects.get(code="98104"), enrollment=100,
                  frl_share=None)  # fmt: skip
    partnership = DistrictPartnershipFactory(partner=partner, district=district)
    schools = list(partnership_schools_in_area(partnership))
    assert [s.zip_code.code for s in schools] == ["98101", "98104"]
    summary = school_summary(district, schools)
    assert (summary.schools, summary.other_schools, summary.enrollment) == (2, 1, 520)
    assert str(summary.frl_share) == "0.4200"  # only the school that reports it
    assert District.objects.count() == 1


def test_fulfilment_counts_attendance_per_commitment_capped_at_the_number(
    partner, django_assert_num_queries
):
    from districts.selectors import Fulfilment, commitment_fulfilment, commitments_attended
    from workshops.models import Attendance
    from workshops.tests.factories import WorkshopFactory, enroll

    today = datetime.date.today()
    course_a, course_b = CourseFactory(name="A"), CourseFactory(name="B")
    district = district_with_schools("98101", "98104")
    school = district.schools.first()
    partnership = DistrictPartnershipFactory(partner=partner, district=district)
    DistrictCommitmentFactory(partnership=partnership, course=course_a, teachers=3)
    DistrictCommitmentFactory(partnership=partnership, course=course_b, teachers=2)
    workshop_a = WorkshopFactory(partner=partner, course=course_a, starts_on=today)
    workshop_b = WorkshopFactory(partner=partner, course=course_b, starts_on=today)

    def attend(workshop, *, from_district=True, present=True):
        enrollment = enroll(workshop)
        if from_district:
            enrollment.school = school
            enrollment.save()
        if present:
            Attendance.objects.create(
                session=workshop.sessions.first(), enrollment=enrollment, method="checklist"
            )

    for _ in range(4):
        attend(workshop_a)  # four came for three committed: three count
    attend(workshop_a, from_district=False)  # another district's teacher
    attend(workshop_b)
    attend(workshop_b, present=False)  # enrolled, never came

    quiet = PartnerFactory()
    with django_assert_num_queries(2):
        kept = commitment_fulfilment([partner.pk, quiet.pk], THIS_YEAR)
    assert kept == {partner.pk: Fulfilment(1, 5, 4), quiet.pk: Fulfilment(0, 0, 0)}
    attended = commitments_attended(partner, THIS_YEAR)
    assert attended[(district.pk, course_a.pk)] == 4
    assert attended[(district.pk, course_b.pk)] == 1
