"""/api/v1/partners/<pk>/districts/ and .../partnerships/: scope, reads and writes."""

import datetime

import pytest

from core.program_years import program_year_for
from districts.models import DistrictCommitment, DistrictPartnership
from districts.tests.factories import (
    CourseFactory,
    DistrictCommitmentFactory,
    DistrictPartnershipFactory,
    SchoolFactory,
    district_with_schools,
    served_region,
)
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
THIS_YEAR = program_year_for(TODAY)
NEXT_YEAR = program_year_for(TODAY + datetime.timedelta(days=366))
TWO_YEARS_AGO = program_year_for(TODAY - datetime.timedelta(days=2 * 366))


@pytest.fixture
def partner(geography, make_user):
    partner = PartnerFactory(
        name="Puget Sound Computing", regional_manager=make_user(role="regional_manager")
    )
    served_region(partner, counties=["53033"])
    return partner


@pytest.fixture
def course(partner):
    course = CourseFactory(name="CS Explorations")
    partner.courses.add(course)
    return course


@pytest.fixture
def manager(partner, program_manager):
    ProgramManagerFactory(partner=partner, user=program_manager)
    return program_manager


@pytest.fixture
def partnership(partner, course):
    partnership = DistrictPartnershipFactory(
        partner=partner, district=district_with_schools("98101", "98104", name="Seattle")
    )
    DistrictCommitmentFactory(partnership=partnership, course=course, teachers=12)
    return partnership


@pytest.fixture
def pm_client(client, manager):
    client.force_login(manager)
    return client


def base(partner) -> str:
    return f"/api/v1/partners/{partner.pk}/"


def addresses(partner, partnership) -> dict[str, str]:
    commitment = partnership.commitments.get()
    root = base(partner)
    return {
        "districts": f"{root}districts/",
        "district": f"{root}districts/{partnership.district_id}/",
        "partnerships": f"{root}partnerships/",
        "partnership": f"{root}partnerships/{partnership.pk}/",
        "commitments": f"{root}partnerships/{partnership.pk}/commitments/",
        "commitment": f"{root}partnerships/{partnership.pk}/commitments/{commitment.pk}/",
    }


def new_partnership(district, **values) -> dict:
    data = {
        "district": district.nces_id,
        "since": "2025-09-02",
        "contact_name": "Ana Ortiz",
        "contact_email": "ana.ortiz@example.org",
    }
    data.update(values)
    return data


# --- Scope --------------------------------------------------------------------------------------


def test_anonymous_gets_403_everywhere(client, partner, partnership):
    for address in addresses(partner, partnership).values():
        assert client.get(address).status_code == 403, address
        assert client.delete(address).status_code == 403, address


@pytest.mark.parametrize("who", ["teacher", "other_pm", "other_rm"])
def test_outside_the_partner_everything_is_404(client, make_user, partner, partnership, who):
    if who == "other_pm":
        user = ProgramManagerFactory().user
    elif who == "other_rm":
        user = make_user(role="regional_manager")
        PartnerFactory(regional_manager=user)
    else:
        user = make_user(role=who)
    client.force_login(user)
    for address in addresses(partner, partnership).values():
        assert client.get(address).status_code == 404, address
        assert client.delete(address).status_code == 404, address
        assert client.post(address, {}, content_type="application/json").status_code in (
            404,
            405,  # a detail address takes no POST, in scope or out
        ), address
    assert DistrictPartnership.objects.count() == 1
    assert DistrictCommitment.objects.count() == 1


def test_the_partners_regional_manager_reads_but_cannot_write(client, partner, partnership, course):
    client.force_login(partner.regional_manager)
    urls = addresses(partner, partnership)
    for address in urls.values():
        assert client.get(address).status_code == 200, address
    assert client.delete(urls["partnership"]).status_code == 403
    assert client.delete(urls["commitment"]).status_code == 403
    response = client.post(
        urls["commitments"],
        {"program_year": THIS_YEAR, "course": course.slug, "teachers": 50},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = client.patch(urls["partnership"], {"notes": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert DistrictCommitment.objects.get().teachers == 12


def test_another_partners_records_under_this_partner_are_404(pm_client, partner, course):
    other = DistrictPartnershipFactory(district=district_with_schools("98105"))
    theirs = DistrictCommitmentFactory(partnership=other, course=course)
    mine = DistrictPartnershipFactory(partner=partner, district=district_with_schools("98101"))
    root = base(partner)
    for address in (
        f"{root}districts/{other.district_id}/",
        f"{root}partnerships/{other.pk}/",
        f"{root}partnerships/{other.pk}/commitments/",
        f"{root}partnerships/{mine.pk}/commitments/{theirs.pk}/",
        f"{root}partnerships/{2**63}/",
    ):
        assert pm_client.get(address).status_code == 404, address
        assert pm_client.delete(address).status_code in (404, 405), address
    assert DistrictPartnership.objects.count() == 2
    assert DistrictCommitment.objects.count() == 1


# --- Reads --------------------------------------------------------------------------------------


def test_districts_lists_the_partners_districts(pm_client, partner, partnership):
    SchoolFactory(district=partnership.district, is_active=False)
    DistrictPartnershipFactory(district=district_with_schools("98105"))  # another partner's
    district_with_schools("98106")  # no partnership
    data = pm_client.get(f"{base(partner)}districts/").json()
    assert data["count"] == 1
    assert data["results"][0] == {
        "id": partnership.district_id,
        "nces_id": partnership.district.nces_id,
        "name": "Seattle",
        "city": "",
        "state": "WA",
        "county": None,
        "school_count": 2,
    }


def test_partnerships_nest_their_commitments(pm_client, partner, partnership, course):
    data = pm_client.get(f"{base(partner)}partnerships/").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["district"]["nces_id"] == partnership.district.nces_id
    assert row["contact_email"] == partnership.contact_email
    assert [(c["program_year"], c["course"], c["teachers"]) for c in row["commitments"]] == [
        (THIS_YEAR, course.slug, 12)
    ]


def test_lists_run_a_fixed_number_of_queries(
    pm_client, partner, course, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            partnership = DistrictPartnershipFactory(
                partner=partner, district=district_with_schools("98101", name=f"D{i}")
            )
            DistrictCommitmentFactory(partnership=partnership, course=course)

    # Session, user, partner, count, page (and the commitments of the page).
    limits = {"partnerships/": 6, "districts/": 5}
    add(2)
    for endpoint, limit in limits.items():
        with django_assert_max_num_queries(limit):
            assert pm_client.get(f"{base(partner)}{endpoint}").status_code == 200
    add(20)
    for endpoint, limit in limits.items():
        with django_assert_max_num_queries(limit):
            assert pm_client.get(f"{base(partner)}{endpoint}").json()["count"] == 22


# --- Writes -------------------------------------------------------------------------------------


def test_create_update_and_delete_a_partnership(pm_client, partner, manager):
    district = district_with_schools("98104")
    response = pm_client.post(
        f"{base(partner)}partnerships/", new_partnership(district), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    created = DistrictPartnership.objects.get()
    assert response.json()["id"] == created.pk
    assert created.created_by == manager

    address = f"{base(partner)}partnerships/{created.pk}/"
    response = pm_client.patch(
        address, {"contact_name": "Sam Lee"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["contact_name"] == "Sam Lee"

    assert pm_client.delete(address).status_code == 204
    assert not DistrictPartnership.objects.exists()


def test_a_partnership_with_past_commitments_is_not_deleted(pm_client, partner, partnership):
    past = program_year_for(TODAY - datetime.timedelta(days=2 * 366))
    DistrictCommitmentFactory(
        partnership=partnership, program_year=past, course=partnership.commitments.first().course
    )
    response = pm_client.delete(f"{base(partner)}partnerships/{partnership.pk}/")
    assert response.status_code == 400
    assert "cannot be deleted" in response.json()["non_field_errors"][0]
    assert DistrictCommitment.objects.filter(partnership=partnership, program_year=past).exists()


def test_service_refusals_are_400_keyed_by_field(pm_client, partner, partnership):
    root = f"{base(partner)}partnerships/"
    outside = district_with_schools("98901")
    response = pm_client.post(root, new_partnership(outside), content_type="application/json")
    assert response.status_code == 400
    assert "outside" in response.json()["district"][0]

    again = pm_client.post(
        root, new_partnership(partnership.district), content_type="application/json"
    )
    assert again.status_code == 400
    assert again.json() == {"district": ["You already have a partnership with this district."]}

    unknown = pm_client.post(
        root, {**new_partnership(outside), "district": "0000000"}, content_type="application/json"
    )
    assert unknown.status_code == 400
    assert "district" in unknown.json()

    future = (TODAY + datetime.timedelta(days=9)).isoformat()
    response = pm_client.patch(
        f"{root}{partnership.pk}/",
        {"since": future, "district": outside.nces_id},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"district": ["Unknown field."]}
    response = pm_client.patch(
        f"{root}{partnership.pk}/", {"since": future}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["since"]
    assert DistrictPartnership.objects.count() == 1


def test_commitments_are_set_by_year_and_course_and_deleted(
    pm_client, partner, partnership, course
):
    address = f"{base(partner)}partnerships/{partnership.pk}/commitments/"
    body = {"program_year": NEXT_YEAR, "course": course.slug, "teachers": 5}
    created = pm_client.post(address, body, content_type="application/json")
    assert created.status_code == 201
    updated = pm_client.post(address, {**body, "teachers": 7}, content_type="application/json")
    assert updated.status_code == 200
    assert updated.json()["id"] == created.json()["id"]
    assert partnership.commitments.get(program_year=NEXT_YEAR).teachers == 7
    assert pm_client.get(address).json()["count"] == 2

    assert pm_client.delete(f"{address}{created.json()['id']}/").status_code == 204
    assert partnership.commitments.count() == 1


def test_commitment_refusals_are_400_keyed_by_field(pm_client, partner, partnership, course):
    address = f"{base(partner)}partnerships/{partnership.pk}/commitments/"
    not_offered = CourseFactory(name="CS Principles")
    cases = [
        ({"program_year": TWO_YEARS_AGO, "course": course.slug, "teachers": 5}, "program_year"),
        ({"program_year": THIS_YEAR, "course": not_offered.slug, "teachers": 5}, "course"),
        ({"program_year": THIS_YEAR, "course": "no-such-course", "teachers": 5}, "course"),
        ({"program_year": THIS_YEAR, "course": course.slug, "teachers": 0}, "teachers"),
        ({"program_year": THIS_YEAR, "course": course.slug, "teachers": "many"}, "teachers"),
        ({"program_year": THIS_YEAR, "course": course.slug}, "teachers"),
    ]
    for body, field in cases:
        response = pm_client.post(address, body, content_type="application/json")
        assert response.status_code == 400, body
        assert list(response.json()) == [field], body
    old = DistrictCommitmentFactory(
        partnership=partnership, course=course, program_year=TWO_YEARS_AGO
    )
    response = pm_client.delete(f"{address}{old.pk}/")
    assert response.status_code == 400
    assert list(response.json()) == ["program_year"]
    assert partnership.commitments.count() == 2
