import pytest

from .factories import AccreditationFactory, RosterMemberFactory

pytestmark = pytest.mark.django_db


def api_url(partner, rest=""):
    return f"/api/v1/partners/{partner.pk}/facilitators/{rest}"


@pytest.fixture
def member(partner, felix, courses, year, last_year):
    AccreditationFactory(facilitator=felix, course=courses[0], program_year=year)
    AccreditationFactory(
        facilitator=felix, course=courses[1], program_year=last_year, status="in_training"
    )
    return RosterMemberFactory(partner=partner, facilitator=felix)


@pytest.mark.parametrize("who", ["pm", "regional_manager", "program_admin"])
def test_roster_with_this_years_accreditations(client, partner, member, who, year, request):
    client.force_login(request.getfixturevalue(who))
    data = client.get(api_url(partner)).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert (row["facilitator_id"], row["name"], row["email"]) == (
        member.facilitator_id,
        "Felix Marchetti",
        "felix@example.org",
    )
    assert row["accreditations"] == [
        {
            "course": "cs-fundamentals",
            "course_name": "CS Fundamentals",
            "program_year": year,
            "status": "accredited",
        }
    ]
    one = client.get(api_url(partner, f"{member.pk}/")).json()
    assert one["accreditations"] == row["accreditations"]


def test_program_year_filter(client, pm, partner, member, last_year):
    client.force_login(pm)
    row = client.get(api_url(partner), {"program_year": last_year}).json()["results"][0]
    assert [(a["course"], a["status"]) for a in row["accreditations"]] == [
        ("cs-discoveries", "in_training")
    ]
    assert client.get(api_url(partner), {"program_year": "2026-2027"}).status_code == 400


@pytest.mark.parametrize("who", ["other_pm", "other_rm", "teacher", "felix"])
def test_out_of_scope_is_404(client, partner, member, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(api_url(partner)).status_code == 404
    assert client.get(api_url(partner, f"{member.pk}/")).status_code == 404


def test_a_member_of_another_partner_is_404_here(client, pm, partner, other_partner, felix):
    elsewhere = RosterMemberFactory(partner=other_partner, facilitator=felix)
    client.force_login(pm)
    assert client.get(api_url(partner, f"{elsewhere.pk}/")).status_code == 404
    assert client.get("/api/v1/partners/999999/facilitators/").status_code == 404


def test_anonymous_is_refused(client, partner, member):
    assert client.get(api_url(partner)).status_code == 403


def test_read_only(client, pm, partner, member):
    client.force_login(pm)
    assert client.post(api_url(partner), {}).status_code == 405
    assert client.delete(api_url(partner, f"{member.pk}/")).status_code == 405


def test_list_runs_a_fixed_number_of_queries(
    client, pm, partner, courses, year, django_assert_max_num_queries
):
    client.force_login(pm)

    def add(n):
        for _ in range(n):
            m = RosterMemberFactory(partner=partner)
            for course in courses:
                AccreditationFactory(facilitator=m.facilitator, course=course, program_year=year)

    add(1)
    with django_assert_max_num_queries(10) as few:
        client.get(api_url(partner))
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(api_url(partner)).json()["count"] == 9
