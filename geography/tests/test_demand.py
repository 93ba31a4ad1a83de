import pytest

from geography.models import InterestSignup, RegionState, State, ZipCode
from geography.services import regions_reindex
from geography.tests.factories import RegionFactory
from partners.tests.factories import PartnerFactory

DEMAND = "/manage/regions/demand/"


@pytest.fixture
def signups(geography):
    ny = RegionFactory(name="New York", status="open")
    RegionState.objects.create(region=ny, state=State.objects.get(code="NY"))
    wa = RegionFactory(name="Washington", status="served", partner=PartnerFactory())
    RegionState.objects.create(region=wa, state=State.objects.get(code="WA"))
    regions_reindex()
    for n, (zip_code, role) in enumerate(
        [("10001", "teacher"), ("10002", "teacher"), ("10003", "district"), ("10004", "parent"),
         ("98101", "teacher"), ("96813", "school"), ("96814", "school")]
    ):  # fmt: skip
        place = ZipCode.objects.get(code=zip_code)
        InterestSignup.objects.create(
            email=f"p{n}@example.org", role=role, zip_code=place, region=place.region
        )


@pytest.mark.django_db
def test_program_admin_sees_demand_per_region_without_partner(client, program_admin, signups):
    client.force_login(program_admin)
    response = client.get(DEMAND)
    assert response.status_code == 200
    rows = response.context["rows"]
    from districts.tests.factories import SchoolFactory

    SchoolFactory(zip_code=ZipCode.objects.get(code="10001"))
    SchoolFactory(zip_code=ZipCode.objects.get(code="10005"))
    response = client.get(DEMAND)
    rows = response.context["rows"]
    assert response.context["schools"][rows[0].region.pk] == 2
    assert "<td>2</td>" in response.content.decode()
    assert [(r.label, r.total, r.by_role.get("teacher", 0), r.others) for r in rows] == [
        ("New York", 4, 2, 1),
        ("Hawaii (no region yet)", 2, 0, 0),
    ]  # Washington has a partner: its demand is met and not listed


@pytest.mark.django_db
def test_demand_query_count_is_fixed(client, program_admin, signups, django_assert_max_num_queries):
    client.force_login(program_admin)
    with django_assert_max_num_queries(8) as few:
        client.get(DEMAND)
    for n in range(20):
        InterestSignup.objects.create(
            email=f"more{n}@example.org", role="teacher", zip_code=ZipCode.objects.get(code="10001")
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(DEMAND)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["regional_manager", "program_manager", "teacher", "applicant"])
def test_demand_is_for_program_admins_only(client, make_user, role):
    client.force_login(make_user(role=role))
    assert client.get(DEMAND).status_code == 404
