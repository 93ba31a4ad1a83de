"""The district partnership pages of the workspace: scope, read-only office, forms, flows."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.program_years import program_year_for
from districts.models import DistrictCommitment, DistrictPartnership
from districts.tests.factories import (
    CourseFactory,
    DistrictCommitmentFactory,
    DistrictPartnershipFactory,
    district_with_schools,
    served_region,
)
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
THIS_YEAR = program_year_for(TODAY)
LAST_YEAR = program_year_for(TODAY - datetime.timedelta(days=366))
TWO_YEARS_AGO = program_year_for(TODAY - datetime.timedelta(days=2 * 366))


@pytest.fixture
def partner(geography, make_user):
    partner = PartnerFactory(
        name="Puget Sound Computing", regional_manager=make_user(role="regional_manager")
    )
    served_region(partner, counties=["53033"])  # King County
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
        partner=partner,
        district=district_with_schools("98101", name="Seattle Public Schools"),
        contact_name="Ana Ortiz",
    )
    DistrictCommitmentFactory(partnership=partnership, course=course, teachers=12)
    return partnership


@pytest.fixture
def pm_client(client, manager):
    client.force_login(manager)
    return client


def url(name, partner, *args):
    return reverse(f"districts:{name}", args=[partner.slug, *args])


def read_urls(partner, partnership) -> list[str]:
    return [url("list", partner), url("detail", partner, partnership.pk)]


def change_urls(partner, partnership) -> list[str]:
    commitment = partnership.commitments.get()
    return [
        url("new", partner),
        url("edit", partner, partnership.pk),
        url("delete", partner, partnership.pk),
        url("commitment_set", partner, partnership.pk),
        url("commitment_edit", partner, partnership.pk, commitment.pk),
        url("commitment_delete", partner, partnership.pk, commitment.pk),
    ]


def text(response) -> str:
    return html.unescape(response.content.decode())


def field_error(response, name: str) -> str:
    """The error shown with a field (Django renders it with the id `id_<name>_error`)."""
    match = re.search(
        rf'id="id_{name}_error"[^>]*>(.*?)</(?:ul|p)>', response.content.decode(), re.S
    )
    assert match, f"no error shown by {name}"
    return html.unescape(re.sub(r"<[^>]+>", "", match[1])).strip()


# --- Scope --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, partner, partnership):
    for address in read_urls(partner, partnership) + change_urls(partner, partnership):
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("accounts:login")), address
        assert client.post(address).status_code == 302, address


@pytest.mark.parametrize("who", ["teacher", "other_pm", "other_rm", "applicant"])
def test_people_outside_the_partner_get_not_found(client, make_user, partner, partnership, who):
    if who == "other_pm":
        user = ProgramManagerFactory().user
    elif who == "other_rm":
        user = make_user(role="regional_manager")
        PartnerFactory(regional_manager=user)
    else:
        user = make_user(role=who)
    client.force_login(user)
    for address in read_urls(partner, partnership) + change_urls(partner, partnership):
        assert client.get(address).status_code == 404, address
        assert client.post(address, {"teachers": 1}).status_code == 404, address
    assert DistrictPartnership.objects.count() == 1
    assert DistrictCommitment.objects.get().teachers == 12


def test_the_partners_regional_manager_reads_only(client, partner, partnership):
    client.force_login(partner.regional_manager)
    for address in read_urls(partner, partnership):
        response = client.get(address)
        assert response.status_code == 200, address
        body = response.content.decode()
        for change in change_urls(partner, partnership):
            assert f'href="{change}"' not in body, (address, change)
            assert f'action="{change}"' not in body, (address, change)
    assert "Ana Ortiz" in text(client.get(read_urls(partner, partnership)[0]))
    for address in change_urls(partner, partnership):
        assert client.get(address).status_code == 404, address
        assert client.post(address, {"teachers": 1}).status_code == 404, address
    assert DistrictCommitment.objects.get().teachers == 12


def test_program_managers_and_admins_reach_every_page(client, manager, program_admin, partnership):
    partner = partnership.partner
    for user in (manager, program_admin):
        client.force_login(user)
        for address in read_urls(partner, partnership) + change_urls(partner, partnership):
            assert client.get(address).status_code == 200, address
        detail = client.get(url("detail", partner, partnership.pk)).content.decode()
        for change in change_urls(partner, partnership)[1:]:
            assert change in detail


def test_another_partners_partnership_is_not_found_under_this_partner(pm_client, partner, course):
    other = DistrictPartnershipFactory(district=district_with_schools("98104"))
    commitment = DistrictCommitmentFactory(partnership=other, course=course)
    mine = DistrictPartnershipFactory(partner=partner, district=district_with_schools("98101"))
    addresses = [
        url("detail", partner, other.pk),
        url("edit", partner, other.pk),
        url("delete", partner, other.pk),
        url("commitment_set", partner, other.pk),
        url("commitment_edit", partner, other.pk, commitment.pk),
        url("commitment_delete", partner, other.pk, commitment.pk),
        # Another partnership's commitment, under one of mine.
        url("commitment_edit", partner, mine.pk, commitment.pk),
        url("commitment_delete", partner, mine.pk, commitment.pk),
        url("detail", partner, 2**63),
    ]
    for address in addresses:
        assert pm_client.get(address).status_code == 404, address
        assert pm_client.post(address, {"teachers": 3}).status_code == 404, address
    assert DistrictPartnership.objects.count() == 2
    assert DistrictCommitment.objects.get().teachers == 10


# --- The list -----------------------------------------------------------------------------------


def test_the_list_shows_the_years_commitments_and_totals(pm_client, partner, partnership, course):
    other_course = CourseFactory(name="CS Principles")
    partner.courses.add(other_course)
    DistrictCommitmentFactory(partnership=partnership, course=other_course, teachers=3)
    DistrictCommitmentFactory(
        partnership=partnership, course=course, teachers=40, program_year=LAST_YEAR
    )
    body = text(pm_client.get(url("list", partner)))
    assert f'<option value="{THIS_YEAR}" selected>' in body  # the year the rows show
    assert "Seattle Public Schools" in body
    assert partnership.district.nces_id in body
    assert "CS Explorations: 0 of 12 attended" in body
    assert "CS Principles: 0 of 3 attended" in body
    assert re.search(r'data-total="teachers">15<', body)

    last = text(pm_client.get(url("list", partner), {"program_year": LAST_YEAR}))
    assert "CS Explorations: 0 of 40 attended" in last
    assert re.search(r'data-total="teachers">40<', last)


def test_the_list_filters_by_commitments_and_search(pm_client, partner, partnership):
    DistrictPartnershipFactory(
        partner=partner, district=district_with_schools("98104", name="Quillhaven District")
    )
    # (A name of its own: a random user name on the page could contain a common one.)
    without = text(pm_client.get(url("list", partner), {"committed": "no"}))
    assert "Quillhaven District" in without and "Seattle Public Schools" not in without
    found = text(pm_client.get(url("list", partner), {"q": "seattle"}))
    assert "Seattle Public Schools" in found and "Quillhaven District" not in found


def test_a_year_without_commitments_shows_at_risk(pm_client, partner):
    DistrictPartnershipFactory(partner=partner, district=district_with_schools("98104"))
    body = text(pm_client.get(url("list", partner)))
    assert "At risk" in body


def test_bad_query_strings_do_not_break_the_list(pm_client, partner, partnership):
    response = pm_client.get(
        url("list", partner), {"program_year": "1999-00", "committed": "maybe", "page": "x"}
    )
    assert response.status_code == 200
    assert "CS Explorations: 0 of 12 attended" in text(response)  # the current year, as by default


def test_list_queries_do_not_grow_with_the_rows(
    client, manager, partner, course, django_assert_max_num_queries
):
    client.force_login(manager)
    address = url("list", partner)

    def add(n):
        for i in range(n):
            partnership = DistrictPartnershipFactory(
                partner=partner, district=district_with_schools("98101", "98104", name=f"D{i}")
            )
            DistrictCommitmentFactory(partnership=partnership, course=course)

    add(2)
    with django_assert_max_num_queries(12):
        assert client.get(address).status_code == 200
    add(20)
    with django_assert_max_num_queries(12):
        assert client.get(address).status_code == 200


# --- Adding a partnership -----------------------------------------------------------------------


def form_data(**values) -> dict:
    data = {
        "since": "2025-09-02",
        "contact_name": "Ana Ortiz",
        "contact_title": "CS Coordinator",
        "contact_email": "ana.ortiz@example.org",
        "contact_phone": "",
        "notes": "",
        "program_year": "",
        "course": "",
        "teachers": "",
    }
    data.update(values)
    return data


def test_the_add_page_searches_districts_without_javascript(pm_client, partner):
    cedar = district_with_schools("98101", name="Cedar Valley School District")
    district_with_schools("98104", name="Pine Ridge Public Schools")
    district_with_schools("98901", name="Cedar Bluff School District")  # outside
    body = pm_client.get(url("new", partner), {"q": "cedar"}).content.decode()
    assert f'name="district" value="{cedar.pk}"' in body
    assert "Pine Ridge" not in body and "Cedar Bluff" not in body
    assert 'name="q" value="cedar"' in body  # kept in the post form too


def test_add_a_partnership_with_its_first_commitment(pm_client, partner, course, manager):
    district = district_with_schools("98101")
    response = pm_client.post(
        url("new", partner),
        form_data(district=district.pk, program_year=THIS_YEAR, course=course.pk, teachers="9"),
    )
    partnership = DistrictPartnership.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", partner, partnership.pk)
    assert partnership.commitments.get().teachers == 9
    assert partnership.created_by == manager
    follow = text(pm_client.get(response["Location"]))
    assert f"{district.name} is now a partner district." in follow


def test_a_district_outside_keeps_what_was_typed_and_says_why_by_the_field(pm_client, partner):
    outside = district_with_schools("98901", name="Yakima School District")
    response = pm_client.post(
        url("new", partner),
        form_data(district=outside.pk, contact_name="Ana <b>Ortiz</b>", q="yakima"),
    )
    assert response.status_code == 200
    assert "outside Puget Sound Computing's regions" in field_error(response, "district")
    body = response.content.decode()
    assert 'value="Ana &lt;b&gt;Ortiz&lt;/b&gt;"' in body  # kept, and escaped
    assert re.search(rf'<input[^>]*name="district" value="{outside.pk}"[^>]*checked', body)
    assert not DistrictPartnership.objects.exists()


def test_a_double_submit_is_a_field_error_not_a_crash(pm_client, partner):
    district = district_with_schools("98101")
    assert pm_client.post(url("new", partner), form_data(district=district.pk)).status_code == 302
    again = pm_client.post(url("new", partner), form_data(district=district.pk))
    assert again.status_code == 200
    assert field_error(again, "district") == "You already have a partnership with this district."
    assert DistrictPartnership.objects.count() == 1


def test_a_course_the_partner_does_not_offer_is_shown_by_the_course(pm_client, partner, course):
    other = CourseFactory(name="CS Principles")
    response = pm_client.post(
        url("new", partner),
        form_data(
            district=district_with_schools("98101").pk,
            program_year=THIS_YEAR,
            course=other.pk,
            teachers="4",
        ),
    )
    assert response.status_code == 200
    assert field_error(response, "course") == (
        "CS Principles is not a course Puget Sound Computing offers."
    )
    assert not DistrictPartnership.objects.exists()


def test_every_fault_of_the_add_form_shows_at_once(pm_client, partner, course):
    outside = district_with_schools("98901", name="Yakima School District")
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = pm_client.post(
        url("new", partner),
        form_data(
            district=outside.pk,
            since=future,
            contact_name="",
            contact_email="not an email",
            program_year=THIS_YEAR,
            course=course.pk,
            teachers="",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"district", "since", "contact_name", "contact_email", "teachers"}
    assert "future" in field_error(response, "since")
    assert "outside" in field_error(response, "district")
    assert field_error(response, "teachers") == (
        "Give the number of teachers the district commits to send."
    )
    assert not DistrictPartnership.objects.exists()


def test_with_no_district_left_to_add_the_page_says_so_without_a_submit_button(
    pm_client, partner, partnership
):
    # Seattle Public Schools (the partnership's) is the only district in the regions.
    for query in ("", "seattle", "nothing"):
        body = text(pm_client.get(url("new", partner), {"q": query}))
        assert "Every district in your regions is already a partner district" in body
        assert "Add the partnership</button>" not in body
    district_with_schools("98104", name="Pine Ridge Public Schools")
    body = text(pm_client.get(url("new", partner), {"q": "nothing"}))
    assert "No district in your regions matches “nothing”." in body
    assert "Add the partnership</button>" in body


@pytest.mark.parametrize("district", ["", "abc", "999999999999999999999"])
def test_bad_district_values_are_form_errors(pm_client, partner, district):
    response = pm_client.post(url("new", partner), form_data(district=district))
    assert response.status_code == 200
    assert field_error(response, "district")


# --- Editing, ending, commitments ---------------------------------------------------------------


def test_edit_the_contact(pm_client, partner, partnership):
    response = pm_client.post(
        url("edit", partner, partnership.pk),
        form_data(contact_name="Sam Lee", contact_email="sam.lee@example.org"),
    )
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.contact_name == "Sam Lee"


def test_edit_refusals_are_shown_by_the_field(pm_client, partner, partnership):
    future = (TODAY + datetime.timedelta(days=5)).isoformat()
    response = pm_client.post(
        url("edit", partner, partnership.pk), form_data(since=future, contact_name="Sam Lee")
    )
    assert response.status_code == 200
    assert "future" in field_error(response, "since")
    assert 'value="Sam Lee"' in response.content.decode()
    partnership.refresh_from_db()
    assert partnership.contact_name == "Ana Ortiz"


def test_end_a_partnership_after_confirming(pm_client, partner, partnership):
    confirm = pm_client.get(url("delete", partner, partnership.pk))
    assert "1 commitment" in text(confirm)
    assert DistrictPartnership.objects.exists()
    response = pm_client.post(url("delete", partner, partnership.pk))
    assert response["Location"] == url("list", partner)
    assert not DistrictPartnership.objects.exists()
    assert pm_client.post(url("delete", partner, partnership.pk)).status_code == 404


def test_a_partnership_with_past_commitments_cannot_be_deleted(
    pm_client, partner, partnership, course
):
    DistrictCommitmentFactory(
        partnership=partnership, course=course, program_year=TWO_YEARS_AGO, teachers=30
    )
    confirm = pm_client.get(url("delete", partner, partnership.pk))
    assert confirm.status_code == 200
    assert f"It has commitments from {TWO_YEARS_AGO}" in text(confirm)
    assert "End the partnership</button>" not in confirm.content.decode()
    response = pm_client.post(url("delete", partner, partnership.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("detail", partner, partnership.pk)
    assert "cannot be deleted" in text(response)
    assert partnership.commitments.count() == 2


def test_set_edit_and_remove_a_commitment(pm_client, partner, partnership, course):
    address = url("commitment_set", partner, partnership.pk)
    response = pm_client.post(
        address, {"program_year": LAST_YEAR, "course": course.pk, "teachers": "6"}
    )
    assert response.status_code == 302
    assert partnership.commitments.count() == 2
    # The same year and course again: a warning first, then the row is updated, not doubled.
    again = {"program_year": LAST_YEAR, "course": course.pk, "teachers": "8"}
    response = pm_client.post(address, again)
    assert response.status_code == 200
    assert field_error(response, "confirm_replace") == (
        f"This replaces the 6 teachers committed for {course.name} in {LAST_YEAR}. "
        "Tick the box to replace them."
    )
    assert 'type="checkbox" name="confirm_replace"' in response.content.decode()
    assert 'value="8"' in response.content.decode()  # what was typed is kept
    assert partnership.commitments.get(program_year=LAST_YEAR).teachers == 6
    # The same number again is no replacement: nothing to confirm.
    assert pm_client.post(address, {**again, "teachers": "6"}).status_code == 302
    assert pm_client.post(address, {**again, "confirm_replace": "on"}).status_code == 302
    commitment = partnership.commitments.get(program_year=LAST_YEAR)
    assert commitment.teachers == 8
    assert partnership.commitments.count() == 2

    edit = url("commitment_edit", partner, partnership.pk, commitment.pk)
    assert pm_client.post(edit, {"teachers": "11"}).status_code == 302
    commitment.refresh_from_db()
    assert commitment.teachers == 11

    remove = url("commitment_delete", partner, partnership.pk, commitment.pk)
    assert "Remove the commitment" in text(pm_client.get(remove))
    assert pm_client.post(remove).status_code == 302
    assert partnership.commitments.count() == 1


def test_commitment_form_errors_keep_the_input(pm_client, partner, partnership, course):
    response = pm_client.post(
        url("commitment_set", partner, partnership.pk),
        {"program_year": TWO_YEARS_AGO, "course": course.pk, "teachers": "0"},
    )
    assert response.status_code == 200
    assert field_error(response, "program_year")
    assert field_error(response, "teachers")
    assert 'value="0"' in response.content.decode()


def test_past_years_are_shown_but_not_changed(pm_client, partner, partnership, course):
    old = DistrictCommitmentFactory(
        partnership=partnership, course=course, program_year=TWO_YEARS_AGO, teachers=30
    )
    body = pm_client.get(url("detail", partner, partnership.pk)).content.decode()
    assert TWO_YEARS_AGO in body
    assert url("commitment_edit", partner, partnership.pk, old.pk) not in body
    response = pm_client.post(url("commitment_delete", partner, partnership.pk, old.pk))
    assert response.status_code == 200
    assert "kept as the record" in text(response)
    edit = pm_client.post(url("commitment_edit", partner, partnership.pk, old.pk), {"teachers": 1})
    assert edit.status_code == 200
    old.refresh_from_db()
    assert old.teachers == 30


def test_the_detail_shows_the_districts_schools_in_the_area(pm_client, partner, partnership):
    from districts.tests.factories import SchoolFactory
    from geography.models import ZipCode

    district = partnership.district
    SchoolFactory(district=district, name="Yakima Outpost School",
                  zip_code=ZipCode.objects.get(code="98901"))  # fmt: skip
    body = text(pm_client.get(url("detail", partner, partnership.pk)))
    inside = district.schools.get(zip_code__code="98101")
    assert inside.name in body
    assert "K-5" in body and "42%" in body
    assert "Yakima Outpost School" not in body
    assert "1 more open school outside your regions" in body


def test_user_text_is_escaped(pm_client, partner, partnership):
    partnership.contact_name = '<script>alert("x")</script>'
    partnership.notes = "<img src=x onerror=alert(1)>"
    partnership.save()
    for address in (url("list", partner), url("detail", partner, partnership.pk)):
        body = pm_client.get(address).content.decode()
        assert "<script>alert" not in body
        assert "<img src=x" not in body


# --- Admin --------------------------------------------------------------------------------------


def test_the_admin_shows_a_partnership_with_its_commitments(admin_client, partnership):
    changelist = admin_client.get(
        reverse("admin:districts_districtpartnership_changelist"), {"q": "Seattle"}
    )
    assert changelist.context["cl"].result_count == 1
    change = admin_client.get(
        reverse("admin:districts_districtpartnership_change", args=[partnership.pk])
    )
    assert change.status_code == 200
    assert "commitments-0-teachers" in change.content.decode()
