import pytest
from django.urls import reverse

from facilitators.models import Accreditation, RosterMember

from .factories import AccreditationFactory, FacilitatorFactory, RosterMemberFactory

pytestmark = pytest.mark.django_db

LIST = "/manage/facilitators/"
SET = "/manage/facilitators/set/"
RENEW = "/manage/facilitators/renew/"


def roster_url(partner, rest=""):
    return f"/manage/partners/{partner.slug}/facilitators/{rest}"


@pytest.fixture
def felix_on_roster(partner, felix, courses, year):
    AccreditationFactory(facilitator=felix, course=courses[0], program_year=year)
    return RosterMemberFactory(partner=partner, facilitator=felix)


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --- Scope: /manage/facilitators/ ---------------------------------------------------------


def test_the_names_the_workspace_links_to_resolve(partner):
    assert reverse("facilitators:accreditations") == LIST
    assert reverse("roster:list", kwargs={"slug": partner.slug}) == roster_url(partner)


@pytest.mark.parametrize("path", [LIST, SET, RENEW, "detail"])
def test_office_pages_send_anonymous_visitors_to_sign_in(client, felix, path):
    path = f"{LIST}{felix.pk}/" if path == "detail" else path
    assert_login_redirect(client.get(path))


@pytest.mark.parametrize("who", ["teacher", "facilitator", "pm", "applicant"])
@pytest.mark.parametrize("path", [LIST, SET, RENEW, "detail"])
def test_office_pages_do_not_exist_for_others(client, who, path, felix, request):
    path = f"{LIST}{felix.pk}/" if path == "detail" else path
    as_user(client, request.getfixturevalue(who))
    assert client.get(path).status_code == 404
    assert client.post(path, {}).status_code in (404, 405)


def test_regional_managers_read_the_list_without_change_buttons(
    client, regional_manager, felix_on_roster, felix
):
    as_user(client, regional_manager)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Marchetti" in html
    assert SET not in html and RENEW not in html
    detail = client.get(f"{LIST}{felix.pk}/")
    assert detail.status_code == 200
    assert SET not in detail.content.decode()
    for path in (SET, RENEW, f"{RENEW}?from_year=2025-26&to_year=2026-27"):
        assert client.get(path).status_code == 404
    assert client.post(SET, {"facilitator": felix.pk}).status_code == 404
    assert client.post(RENEW, {"from_year": "2025-26", "to_year": "2026-27"}).status_code == 404


def test_admins_see_change_buttons(client, program_admin, felix_on_roster, felix, courses, year):
    as_user(client, program_admin)
    html = client.get(LIST).content.decode()
    assert f'href="{SET}"' in html
    assert f"{SET}?facilitator={felix.pk}&amp;course={courses[0].pk}" in html


def test_a_teacher_is_not_on_the_list_and_has_no_detail(client, program_admin, teacher):
    as_user(client, program_admin)
    assert teacher.email not in client.get(LIST).content.decode()
    assert client.get(f"{LIST}{teacher.pk}/").status_code == 404
    assert client.get(f"{LIST}999999/").status_code == 404


# --- The list ------------------------------------------------------------------------------


def test_list_filters_by_year_course_status_and_search(
    client, program_admin, courses, year, last_year
):
    ana = FacilitatorFactory(first_name="Ana", last_name="Alvarez", email="ana@example.org")
    ben = FacilitatorFactory(first_name="Ben", last_name="Brook", email="ben@example.org")
    AccreditationFactory(facilitator=ana, course=courses[0], program_year=year)
    AccreditationFactory(facilitator=ben, course=courses[1], program_year=year, status="lapsed")
    AccreditationFactory(facilitator=ben, course=courses[0], program_year=last_year)
    as_user(client, program_admin)

    def names(**params):
        rows = client.get(LIST, params).context["rows"]
        return [row.person.first_name for row in rows]

    assert names() == ["Ana", "Ben"]
    assert names(course=courses[0].slug) == ["Ana"]
    assert names(course=courses[0].slug, year=last_year) == ["Ben"]
    assert names(status="lapsed") == ["Ben"]
    assert names(status="none", year=last_year) == ["Ana"]
    assert names(q="brook") == ["Ben"]
    assert names(q="ana@example") == ["Ana"]
    cells = client.get(LIST).context["rows"][1].cells
    assert [(c.name, a.status if a else None) for c, a in cells] == [
        ("CS Fundamentals", None),
        ("CS Discoveries", "lapsed"),
        ("CS A", None),
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc", "course": "nope", "status": "x", "page": "zz"},
        {"page": "9999"},
        {"year": "2026-28"},
    ],
)
def test_list_survives_bad_query_strings(client, program_admin, felix_on_roster, params):
    as_user(client, program_admin)
    response = client.get(LIST, params)
    assert response.status_code == 200


def test_list_runs_a_fixed_number_of_queries(
    client, program_admin, courses, year, django_assert_max_num_queries
):
    as_user(client, program_admin)

    def add_people(n):
        for _ in range(n):
            person = FacilitatorFactory()
            for course in courses:
                AccreditationFactory(facilitator=person, course=course, program_year=year)
            RosterMemberFactory(facilitator=person)

    add_people(1)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    add_people(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(LIST).context["rows"]) == 11


def test_detail_shows_history_and_rosters(
    client, regional_manager, felix, felix_on_roster, other_partner, courses, last_year
):
    AccreditationFactory(facilitator=felix, course=courses[1], program_year=last_year, note="<b>")
    RosterMemberFactory(partner=other_partner, facilitator=felix)
    as_user(client, regional_manager)
    html = client.get(f"{LIST}{felix.pk}/").content.decode()
    assert last_year in html and "CS Discoveries" in html
    assert "&lt;b&gt;" in html  # typed text is escaped
    # Their own partner links to its roster; the other one is named, not linked.
    assert roster_url(felix_on_roster.partner) in html
    assert "Harborview Coding" in html and roster_url(other_partner) not in html


# --- Setting an accreditation --------------------------------------------------------------


def test_admin_sets_an_accreditation(client, program_admin, felix, courses, year):
    as_user(client, program_admin)
    response = client.post(
        SET,
        {
            "facilitator": felix.pk,
            "course": courses[0].pk,
            "program_year": year,
            "status": "in_training",
            "note": "Summer cohort",
        },
    )
    assert response.status_code == 302
    assert response.url == f"{LIST}{felix.pk}/"
    row = Accreditation.objects.get()
    assert (row.facilitator, row.status, row.note) == (felix, "in_training", "Summer cohort")


def test_admin_sets_by_email(client, program_admin, felix, courses, year):
    as_user(client, program_admin)
    client.post(
        SET,
        {"email": "FELIX@example.org", "course": courses[0].pk, "program_year": year,
         "status": "accredited"},
    )  # fmt: skip
    assert Accreditation.objects.get().facilitator == felix


def test_a_teacher_by_email_is_refused_next_to_the_email(
    client, program_admin, teacher, courses, year
):
    as_user(client, program_admin)
    response = client.post(
        SET,
        {"email": teacher.email, "course": courses[0].pk, "program_year": year,
         "status": "accredited", "note": "Kept <note>"},
    )  # fmt: skip
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["email"][0].startswith("Make this person a facilitator first")
    html = response.content.decode()
    assert 'value="Kept &lt;note&gt;"' in html
    assert f'value="{teacher.email}"' in html
    assert reverse("admin:accounts_user_change", args=[teacher.pk]) in html
    assert not Accreditation.objects.exists()
    # Said once, at the field: no second box above the form.
    assert html.lower().count("facilitator first") == 1
    assert 'id="id_email_error"' in html and 'role="alert"' not in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "facilitator"),
        ({"email": "nobody@example.org"}, "email"),
        ({"email": "not an email"}, "email"),
        ({"facilitator": "999999"}, "facilitator"),
    ],
)
def test_set_form_errors_sit_by_their_field(client, program_admin, courses, year, data, field):
    as_user(client, program_admin)
    response = client.post(
        SET,
        {"course": courses[0].pk, "program_year": year, "status": "accredited",
         "note": "keep me", **data},
    )  # fmt: skip
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'value="keep me"' in response.content.decode()


def test_set_page_prefills_from_a_cell_link(client, program_admin, felix, courses, year):
    AccreditationFactory(
        facilitator=felix, course=courses[1], program_year=year, status="lapsed", note="old"
    )
    as_user(client, program_admin)
    form = client.get(
        SET, {"facilitator": felix.pk, "course": courses[1].pk, "program_year": year}
    ).context["form"]
    assert form.initial["status"] == "lapsed" and form.initial["note"] == "old"
    assert (
        client.get(SET, {"facilitator": "x", "course": "y", "program_year": "z"}).status_code == 200
    )


def test_find_people_by_email_shows_their_role(client, program_admin, teacher, felix):
    as_user(client, program_admin)
    response = client.get(SET, {"find": teacher.email[:8]})
    assert teacher in response.context["found"]
    assert "Change their role" in response.content.decode()


# --- Renewing ------------------------------------------------------------------------------


def test_renew_confirms_the_count_then_copies(client, program_admin, courses, last_year, year):
    for person in FacilitatorFactory.create_batch(3):
        AccreditationFactory(facilitator=person, course=courses[0], program_year=last_year)
    as_user(client, program_admin)
    preview = client.get(RENEW, {"from_year": last_year, "to_year": year})
    assert preview.context["preview"]["to_copy"] == 3
    assert "Copy 3 accreditations" in preview.content.decode()
    assert not Accreditation.objects.for_year(year).exists()  # nothing before confirming

    done = client.post(RENEW, {"from_year": last_year, "to_year": year}, follow=True)
    assert Accreditation.objects.for_year(year).accredited().count() == 3
    assert "3 accreditations copied" in done.content.decode()
    again = client.post(RENEW, {"from_year": last_year, "to_year": year}, follow=True)
    assert "0 accreditations copied, 3 already recorded" in again.content.decode()
    assert Accreditation.objects.for_year(year).count() == 3


def test_renew_refuses_a_year_that_does_not_follow(client, program_admin, last_year, next_year):
    as_user(client, program_admin)
    response = client.get(RENEW, {"from_year": last_year, "to_year": next_year})
    assert "to_year" in response.context["form"].errors
    assert response.context["preview"] is None
    post = client.post(RENEW, {"from_year": last_year, "to_year": next_year})
    assert post.status_code == 200 and "to_year" in post.context["form"].errors
    assert client.get(RENEW, {"from_year": "junk"}).status_code == 200


# --- Scope: the roster ---------------------------------------------------------------------


@pytest.mark.parametrize("rest", ["", "add/", "member"])
def test_roster_pages_send_anonymous_visitors_to_sign_in(client, partner, felix_on_roster, rest):
    rest = f"{felix_on_roster.pk}/remove/" if rest == "member" else rest
    assert_login_redirect(client.get(roster_url(partner, rest)))


@pytest.mark.parametrize("who", ["teacher", "felix", "other_pm", "other_rm"])
@pytest.mark.parametrize("rest", ["", "add/", "member"])
def test_roster_pages_do_not_exist_out_of_scope(
    client, partner, felix_on_roster, who, rest, request
):
    rest = f"{felix_on_roster.pk}/remove/" if rest == "member" else rest
    as_user(client, request.getfixturevalue(who))
    assert client.get(roster_url(partner, rest)).status_code == 404
    assert client.post(roster_url(partner, rest), {"facilitator": 1}).status_code in (404, 405)
    assert RosterMember.objects.count() == 1


def test_the_regional_manager_reads_the_roster_only(
    client, partner, regional_manager, felix_on_roster
):
    as_user(client, regional_manager)
    response = client.get(roster_url(partner))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Marchetti" in html
    assert roster_url(partner, "add/") not in html and "/remove/" not in html
    assert client.get(roster_url(partner, "add/")).status_code == 404
    remove = roster_url(partner, f"{felix_on_roster.pk}/remove/")
    assert client.post(remove).status_code == 404
    assert RosterMember.objects.count() == 1


@pytest.mark.parametrize("who", ["pm", "program_admin"])
def test_editors_see_add_and_remove(client, partner, felix_on_roster, who, request):
    as_user(client, request.getfixturevalue(who))
    html = client.get(roster_url(partner)).content.decode()
    assert roster_url(partner, "add/") in html
    assert roster_url(partner, f"{felix_on_roster.pk}/remove/") in html


def test_roster_page_warns_about_offered_courses_without_an_accredited_facilitator(
    client, pm, partner, felix_on_roster
):
    as_user(client, pm)
    response = client.get(roster_url(partner))
    roster = response.context["roster"]
    assert [c.name for c in roster.uncovered] == ["CS Discoveries"]
    html = response.content.decode()
    assert "No accredited facilitator" in html
    assert "1 accredited facilitator" in html


def test_roster_page_runs_a_fixed_number_of_queries(
    client, pm, partner, courses, year, django_assert_max_num_queries
):
    as_user(client, pm)

    def add_members(n):
        for _ in range(n):
            member = RosterMemberFactory(partner=partner)
            for course in courses:
                AccreditationFactory(
                    facilitator=member.facilitator, course=course, program_year=year
                )

    add_members(1)
    with django_assert_max_num_queries(20) as few:
        client.get(roster_url(partner))
    add_members(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(roster_url(partner)).context["roster"].rows) == 9


def test_roster_year_choice_survives_junk(client, pm, partner, next_year):
    as_user(client, pm)
    assert (
        client.get(roster_url(partner), {"program_year": next_year}).context["roster"].program_year
        == next_year
    )
    assert client.get(roster_url(partner), {"program_year": "<script>"}).status_code == 200


# --- Adding and removing -------------------------------------------------------------------


def test_pm_finds_and_adds_a_facilitator(client, pm, partner, felix, courses, year):
    AccreditationFactory(facilitator=felix, course=courses[0], program_year=year)
    as_user(client, pm)
    found = client.get(roster_url(partner, "add/"), {"q": "marchetti"})
    assert list(found.context["candidates"]) == [felix]
    response = client.post(roster_url(partner, "add/"), {"facilitator": felix.pk, "q": "x"})
    assert response.status_code == 302 and response.url == roster_url(partner)
    assert RosterMember.objects.get().added_by == pm
    # A double submit: a clear message, not an error page.
    again = client.post(roster_url(partner, "add/"), {"facilitator": felix.pk, "q": "marchetti"})
    assert again.status_code == 200
    assert "already on the roster" in again.content.decode()
    assert RosterMember.objects.count() == 1


def test_adding_someone_without_standing_explains_why(client, pm, partner, felix, courses, year):
    AccreditationFactory(facilitator=felix, course=courses[0], program_year=year, status="lapsed")
    as_user(client, pm)
    assert felix not in client.get(roster_url(partner, "add/")).context["candidates"]
    response = client.post(roster_url(partner, "add/"), {"facilitator": felix.pk})
    assert "other than lapsed" in response.content.decode()
    bad = client.post(roster_url(partner, "add/"), {"facilitator": "abc"})
    assert bad.status_code == 200 and "not available" in bad.content.decode()
    assert not RosterMember.objects.exists()


def test_remove_asks_first_then_removes_once(client, pm, partner, felix_on_roster):
    as_user(client, pm)
    url = roster_url(partner, f"{felix_on_roster.pk}/remove/")
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Remove Felix Marchetti from the roster?" in confirm.content.decode()
    assert RosterMember.objects.exists()
    assert client.post(url).url == roster_url(partner)
    assert not RosterMember.objects.exists()
    again = client.post(url, follow=True)
    assert "no longer on the roster" in again.content.decode()
    assert client.get(url).status_code == 404


def test_a_member_of_another_partner_cannot_be_removed_here(
    client, pm, partner, other_partner, felix
):
    elsewhere = RosterMemberFactory(partner=other_partner, facilitator=felix)
    as_user(client, pm)
    assert client.get(roster_url(partner, f"{elsewhere.pk}/remove/")).status_code == 404
    assert RosterMember.objects.filter(pk=elsewhere.pk).exists()


# --- The facilitator's home include --------------------------------------------------------


def test_my_accreditations_include_renders(felix, felix_on_roster, rf):
    from django.template.loader import render_to_string

    from facilitators.selectors import facilitator_home

    html = render_to_string(
        "facilitators/_my_accreditations.html", {"home": facilitator_home(felix)}
    )
    assert "CS Fundamentals" in html and "Accredited" in html
    assert "Cascade Computing" in html
