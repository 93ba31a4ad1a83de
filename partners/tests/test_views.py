import pytest

from geography.models import RegionCounty, RegionState, State
from geography.tests.factories import RegionFactory
from partners.models import Partner
from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from workshops.models import Course

DIRECTORY = "/educate/regional-partner/partners/"


@pytest.fixture
def program(geography):
    wa, ny = State.objects.get(code="WA"), State.objects.get(code="NY")
    evergreen = PartnerFactory(name="Evergreen CS", city="Seattle", description="We <3 CS")
    evergreen.courses.add(Course.objects.create(name="CS Principles", grade_band="high"))
    RegionState.objects.create(
        region=RegionFactory(name="Washington", status="served", partner=evergreen), state=wa
    )
    empire = PartnerFactory(name="Empire CS", organization_type="university")
    RegionCounty.objects.create(
        region=RegionFactory(name="Upstate", status="served", partner=empire),
        county=ny.counties.first(),
    )
    onboarding = PartnerFactory(name="Future CS", status="onboarding")
    RegionFactory(name="Future Region", status="onboarding", partner=onboarding)
    return {"evergreen": evergreen, "empire": empire, "onboarding": onboarding}


@pytest.mark.django_db
def test_directory_lists_active_partners_by_state(client, program):
    html = client.get(DIRECTORY).content.decode()
    html = html[html.index('role="status"') :]  # the results, past the filter form
    assert html.index("New York") < html.index("Empire CS") < html.index("Washington")
    assert "Evergreen CS" in html
    assert "Future CS" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [({"state": "WA"}, "Evergreen CS", "Empire CS"),
     ({"q": "seatt"}, "Evergreen CS", "Empire CS"),
     ({"course": "cs-principles"}, "Evergreen CS", "Empire CS"),
     ({"organization_type": "university"}, "Empire CS", "Evergreen CS")],
)  # fmt: skip
def test_directory_filters(client, program, params, shown, hidden):
    html = client.get(DIRECTORY, params).content.decode()
    assert shown in html and hidden not in html


@pytest.mark.django_db
def test_directory_bad_filter_value_is_explained_not_500(client, program):
    response = client.get(DIRECTORY, {"state": "ZZ"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_directory_query_count_is_fixed(client, program, django_assert_max_num_queries):
    with django_assert_max_num_queries(14) as few:
        client.get(DIRECTORY)
    for n in range(15):
        RegionFactory(name=f"R{n}", status="served", partner=PartnerFactory(name=f"P{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(DIRECTORY)


@pytest.mark.django_db
def test_profile_is_public_for_active_partners(client, program):
    response = client.get(f"{DIRECTORY}evergreen-cs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Official Regional Partner" in html and "Washington" in html
    assert "CS Principles" in html
    assert "We &lt;3 CS" in html


@pytest.mark.django_db
def test_onboarding_profile_is_hidden_from_the_public_but_not_its_team(client, program, make_user):
    url = f"{DIRECTORY}future-cs/"
    assert client.get(url).status_code == 404
    manager = ProgramManagerFactory(partner=program["onboarding"]).user
    client.force_login(manager)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_program_manager_edits_own_profile_only(client, program):
    manager = ProgramManagerFactory(partner=program["evergreen"]).user
    client.force_login(manager)
    response = client.post(
        f"{DIRECTORY}evergreen-cs/edit/",
        {"description": "New words", "website": "https://evergreen.example.org",
         "contact_email": "hi@evergreen.example.org", "phone": "", "address": "1 Main St",
         "city": "", "zip": "98101-1234", "courses": []},
    )  # fmt: skip
    assert response.status_code == 302
    evergreen = Partner.objects.get(pk=program["evergreen"].pk)
    assert evergreen.description == "New words"
    assert evergreen.zip_code.code == "98101"
    assert evergreen.city == "Seattle"
    assert not evergreen.courses.exists()
    assert client.get(f"{DIRECTORY}empire-cs/edit/").status_code == 404


@pytest.mark.django_db
def test_profile_edit_errors_keep_input_and_save_nothing(client, program, program_admin):
    client.force_login(program_admin)
    response = client.post(
        f"{DIRECTORY}empire-cs/edit/",
        {"description": "Changed", "website": "not a url", "zip": "1234", "contact_email": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid URL." in html and "five digits" in html and "Changed" in html
    assert Partner.objects.get(pk=program["empire"].pk).description == ""


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["regional_manager", "teacher", "facilitator", "applicant"])
def test_other_roles_cannot_edit_profiles(client, program, make_user, role):
    client.force_login(make_user(role=role))
    assert client.get(f"{DIRECTORY}evergreen-cs/edit/").status_code == 404


@pytest.mark.django_db
def test_directory_is_served_from_cache_until_a_partner_changes(
    client, program, django_assert_num_queries
):
    client.get(DIRECTORY)
    with django_assert_num_queries(1):
        assert "Evergreen CS" in client.get(DIRECTORY).content.decode()
    evergreen = program["evergreen"]
    evergreen.name = "Evergreen Computing"
    evergreen.save()
    assert "Evergreen Computing" in client.get(DIRECTORY).content.decode()
