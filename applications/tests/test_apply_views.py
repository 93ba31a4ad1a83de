"""The applicant's pages: start, sections, review and submit, status, withdraw, scope."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from applications.forms.apply import COMMITMENT_WORDING
from applications.models import (
    COMMITMENTS,
    TEXT_MAX,
    Application,
    ApplicationEvent,
    ApplicationProgramManager,
    BudgetRequestLine,
    RegionWaitlist,
    Status,
)
from applications.tests.factories import (
    ApplicationFactory,
    CourseFactory,
    RegionWindowFactory,
    application_in,
    current_terms,
    hawaii,
    open_region,
)
from applications.views.apply import SECTIONS
from geography.loader import load_geography
from geography.models import RegionState, State
from geography.services import regions_reindex
from geography.tests.factories import RegionFactory
from partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

LANDING = reverse("pages:apply")
START = reverse("apply:start")


def section_url(application, slug):
    return reverse("apply:section", kwargs={"pk": application.pk, "section": slug})


def html_of(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def field_block(html: str, name: str) -> str:
    """The markup of the `.field` block that holds the input named `name`."""
    start = html.rindex('<div class="field', 0, html.index(f'name="{name}"'))
    return html[start : html.index("</div>", html.index(f'name="{name}"'))]


@pytest.fixture
def draft(applicant):
    """An empty draft for an open region, owned by `applicant`."""
    return ApplicationFactory(complete=False, applicant=applicant)


@pytest.fixture
def signed_in(client, applicant):
    client.force_login(applicant)
    return client


# --- Start ---------------------------------------------------------------------------------


def test_landing_sends_a_visitor_to_sign_up_as_applicant_and_back(client):
    region = open_region(name="Open Plains")
    html = html_of(client.get(LANDING, {"region": region.slug}))
    assert "Start your application" in html
    signup = re.search(r'href="(/accounts/signup/[^"]+)"[^>]*>Start your application', html)
    assert signup is not None
    assert "role=applicant" in signup.group(1)
    assert "next=/educate/regional-partner/apply/%3Fregion%3Dopen-plains" in signup.group(1)


def test_start_needs_sign_in(client):
    response = client.post(START)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not Application.objects.exists()


def test_start_without_a_region(signed_in, applicant):
    html = html_of(signed_in.get(LANDING))
    assert 'action="/educate/regional-partner/apply/start/"' in html
    assert "Start your application" in html
    response = signed_in.post(START)
    application = Application.objects.get(applicant=applicant)
    assert application.status == Status.DRAFT and application.region is None
    assert response.url == section_url(application, "organization")


def test_start_with_an_open_region_from_the_query(signed_in, applicant):
    region = open_region(name="Open Plains")
    html = html_of(signed_in.get(LANDING, {"region": region.slug}))
    assert f'<input type="hidden" name="region" value="{region.slug}">' in html
    signed_in.post(START, {"region": region.slug})
    assert Application.objects.get(applicant=applicant).region == region


@pytest.mark.parametrize("status", ["closed", "open_without_window", "served"])
def test_start_with_a_region_not_taking_applications_leaves_it_unchosen(
    signed_in, applicant, status
):
    if status == "served":
        region = RegionFactory(status="served", partner=PartnerFactory())
    else:
        region = RegionFactory(status="open" if status == "open_without_window" else "closed")
    html = html_of(signed_in.get(LANDING, {"region": region.slug}))
    assert f"{region.name} is not taking applications right now" in html
    signed_in.post(START, {"region": region.slug})
    assert Application.objects.get(applicant=applicant).region is None


def test_a_draft_is_continued_not_started_again(signed_in, draft):
    html = html_of(signed_in.get(LANDING))
    assert "Continue your application" in html
    assert "Start your application" not in html
    response = signed_in.post(START)
    assert Application.objects.count() == 1
    assert response.url == reverse("apply:detail", kwargs={"pk": draft.pk})
    # Continue goes to the first section still incomplete.
    assert signed_in.get(response.url).url == section_url(draft, "organization")


def test_start_from_a_get_returns_to_the_landing_page(signed_in):
    region = open_region(name="Open Plains")
    response = signed_in.get(START, {"region": region.slug})
    assert response.url == f"{LANDING}?region={region.slug}"
    assert not Application.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "program_admin", "regional_manager"])
def test_other_roles_get_an_explanation_not_an_error(client, make_user, role):
    client.force_login(make_user(role=role))
    response = client.get(LANDING)
    assert response.status_code == 200
    html = html_of(response)
    assert "Applications are made by an organization's contact from an applicant account" in html
    assert 'action="/educate/regional-partner/apply/start/"' not in html
    response = client.post(START, follow=True)
    assert response.status_code == 200
    assert "Applications are made from an applicant account" in html_of(response)
    assert not Application.objects.exists()


# --- Sections: saving, keeping what was typed, losing nothing -----------------------------


ORGANIZATION = {
    "legal_name": "Island Computing Alliance",
    "organization_type": "nonprofit",
    "tax_id": "123456789",
    "is_us_based": "True",
    "street": "1 Aloha Tower Dr",
    "city": "Honolulu",
    "state": "",
    "zip_code": "96813",
    "website": "island.example.org",
}


def test_organization_saves_and_shows_what_was_saved(signed_in, draft):
    state, place = hawaii()
    response = signed_in.post(section_url(draft, "organization"), {**ORGANIZATION, "save": "1"})
    assert response.url == section_url(draft, "organization")
    draft.refresh_from_db()
    assert draft.legal_name == "Island Computing Alliance"
    assert draft.tax_id == "12-3456789"
    assert draft.is_us_based is True
    assert (draft.zip_code, draft.state) == (place, state)  # the ZIP gave the state
    assert draft.website == "https://island.example.org"
    html = html_of(signed_in.get(response.url))
    assert 'value="Island Computing Alliance"' in html
    assert 'value="96813"' in html
    assert re.search(r'value="True"[^>]*checked', html)
    assert "Your organization: saved." in html


def test_save_and_continue_goes_to_the_next_section_then_to_review(signed_in, draft):
    response = signed_in.post(section_url(draft, "organization"), {"continue": "1"})
    assert response.url == section_url(draft, "region")
    response = signed_in.post(section_url(draft, "terms"), {"continue": "1"})
    assert response.url == reverse("apply:review", kwargs={"pk": draft.pk})


def test_bad_organization_input_keeps_what_was_typed_and_loses_nothing(signed_in, draft):
    hawaii()
    signed_in.post(section_url(draft, "plans"), {"teachers_year1": "20"})
    signed_in.post(section_url(draft, "organization"), {"legal_name": "First Name"})
    bad = {**ORGANIZATION, "legal_name": "Second Name", "tax_id": "12-34", "zip_code": "9681"}
    response = signed_in.post(section_url(draft, "organization"), bad)
    assert response.status_code == 400
    html = html_of(response)
    assert "Nothing on this page is saved yet: 2 things to fix." in html
    assert "Enter the EIN as two digits" in field_block(html, "tax_id")
    assert "is not a ZIP code" in field_block(html, "zip_code")
    assert 'aria-invalid="true"' in field_block(html, "tax_id")
    assert 'value="12-34"' in html and 'value="9681"' in html and 'value="Second Name"' in html
    assert "Your application for First Name" in html  # the page around shows what is saved
    draft.refresh_from_db()
    assert draft.legal_name == "First Name"  # the failed save changed nothing
    assert draft.teachers_year1 == 20  # and an earlier section is intact


def test_zip_and_state_must_agree(signed_in, draft):
    hawaii()
    load_geography(states=["AK"])
    alaska = State.objects.get(code="AK")
    response = signed_in.post(
        section_url(draft, "organization"), {**ORGANIZATION, "state": alaska.pk}
    )
    assert response.status_code == 400
    assert "96813 is in Hawaii, not in Alaska." in field_block(html_of(response), "zip_code")


def test_unknown_zip_is_told_beside_the_field(signed_in, draft):
    hawaii()
    response = signed_in.post(
        section_url(draft, "organization"), {**ORGANIZATION, "zip_code": "00000"}
    )
    assert "There is no ZIP code 00000" in field_block(html_of(response), "zip_code")


def test_region_is_chosen_from_the_open_regions(signed_in, applicant):
    application = ApplicationFactory(complete=False, applicant=applicant, region=None)
    region = open_region(name="Open Plains")
    closed = RegionFactory(name="Quiet Hills", status="closed")
    html = html_of(signed_in.get(section_url(application, "region")))
    assert "Open Plains" in html and "Quiet Hills" not in html
    response = signed_in.post(section_url(application, "region"), {"region": closed.pk})
    assert response.status_code == 400
    signed_in.post(section_url(application, "region"), {"region": region.pk})
    application.refresh_from_db()
    assert application.region == region
    # Saving without a choice keeps the region already chosen.
    signed_in.post(section_url(application, "region"), {})
    application.refresh_from_db()
    assert application.region == region


def _region_for_honolulu(**kwargs):
    state, _ = hawaii()
    region = RegionFactory(**kwargs)
    RegionState.objects.create(region=region, state=state)
    regions_reindex()
    return region


def test_region_found_by_zip_offers_to_apply(signed_in, draft):
    region = _region_for_honolulu(name="Hawaii")
    RegionWindowFactory(region=region)
    html = html_of(signed_in.get(section_url(draft, "region"), {"zip": "96813"}))
    assert "is in <strong>Hawaii</strong>, which is taking applications" in html
    assert "Apply for Hawaii" in html
    signed_in.post(section_url(draft, "region"), {"region": region.pk, "save": "1"})
    draft.refresh_from_db()
    assert draft.region == region


def test_served_region_found_by_zip_offers_the_waitlist(signed_in, draft, applicant):
    region = _region_for_honolulu(
        name="Hawaii", status="served", partner=PartnerFactory(name="Aloha CS")
    )
    html = html_of(signed_in.get(section_url(draft, "region"), {"zip": "96813"}))
    assert "which already has a Regional Partner: Aloha CS" in html
    assert "Join the waitlist for Hawaii" in html
    response = signed_in.post(
        reverse("apply:waitlist", kwargs={"pk": draft.pk}),
        {"region": region.pk, "next": section_url(draft, "region")},
    )
    assert response.url == section_url(draft, "region")
    entry = RegionWaitlist.objects.get(region=region)
    assert (entry.user, entry.application) == (applicant, draft)


def test_closed_region_found_by_zip_says_so(signed_in, draft):
    _region_for_honolulu(name="Hawaii", status="closed")
    html = html_of(signed_in.get(section_url(draft, "region"), {"zip": "96813"}))
    assert "which is not taking applications right now" in html
    assert "Join the waitlist for Hawaii" in html


def test_malformed_zip_in_the_finder_is_told(signed_in, draft):
    html = html_of(signed_in.get(section_url(draft, "region"), {"zip": "12"}))
    assert "is not a ZIP code" in html


def pm_data(rows, *, initial=0, districts=()):
    data = {
        "pm-TOTAL_FORMS": str(len(rows)),
        "pm-INITIAL_FORMS": str(initial),
        "pm-MIN_NUM_FORMS": "0",
        "pm-MAX_NUM_FORMS": "10",
        "district-TOTAL_FORMS": str(len(districts)),
        "district-INITIAL_FORMS": "0",
        "district-MIN_NUM_FORMS": "0",
        "district-MAX_NUM_FORMS": "30",
    }
    for i, row in enumerate(rows):
        data.update({f"pm-{i}-{key}": value for key, value in row.items()})
    for i, row in enumerate(districts):
        data.update({f"district-{i}-{key}": value for key, value in row.items()})
    return data


def test_people_saves_managers_and_districts_and_tells_a_short_fte(signed_in, draft):
    rows = [
        {"name": "Ana Kahale", "email": "Ana@Example.org", "fte_share": "0.3"},
        {"name": "", "email": "", "fte_share": ""},  # the blank row is ignored
    ]
    districts = [{"district_name": "Hawaii DOE", "relationship": "PD provider since 2019"}]
    response = signed_in.post(section_url(draft, "people"), pm_data(rows, districts=districts))
    assert response.status_code == 302
    assert list(draft.program_managers.values_list("email", "fte_share")) == [
        ("ana@example.org", Decimal("0.30"))
    ]
    assert draft.district_relationships.get().district_name == "Hawaii DOE"
    html = html_of(signed_in.get(section_url(draft, "people")))
    assert 'value="Ana Kahale"' in html
    # Eligibility is told at once, on every section.
    assert "yours add up to 0.30" in html
    assert "yours add up to 0.30" in html_of(signed_in.get(section_url(draft, "terms")))


def test_people_refuses_a_bad_share_and_a_duplicate_keeping_the_rows(signed_in, draft):
    ApplicationProgramManager.objects.create(
        application=draft, name="Kept", email="kept@example.org", fte_share=Decimal("0.5")
    )
    rows = [
        {"name": "Ana", "email": "ana@example.org", "fte_share": "1.5"},
        {"name": "Ben", "email": "ben@example.org", "fte_share": "0.25"},
        {"name": "Ben again", "email": "BEN@example.org", "fte_share": "0.25"},
    ]
    response = signed_in.post(section_url(draft, "people"), pm_data(rows))
    assert response.status_code == 400
    html = html_of(response)
    assert "Enter a share of at most 1" in field_block(html, "pm-0-fte_share")
    assert 'value="1.5"' in html and 'value="Ben again"' in html
    assert list(draft.program_managers.values_list("name", flat=True)) == ["Kept"]
    rows[0]["fte_share"] = "0.5"
    response = signed_in.post(section_url(draft, "people"), pm_data(rows))
    assert "This person is already listed above." in field_block(html_of(response), "pm-2-email")


def test_people_removes_a_row(signed_in, draft):
    ApplicationProgramManager.objects.create(
        application=draft, name="Gone", email="gone@example.org", fte_share=Decimal("0.5")
    )
    html = html_of(signed_in.get(section_url(draft, "people")))
    assert "Remove program manager 1 when saving" in html
    rows = [{"name": "Gone", "email": "gone@example.org", "fte_share": "0.5", "DELETE": "on"}]
    signed_in.post(section_url(draft, "people"), pm_data(rows, initial=1))
    assert not draft.program_managers.exists()


def test_people_page_has_add_row_template(signed_in, draft):
    html = html_of(signed_in.get(section_url(draft, "people")))
    assert "<template data-empty-row>" in html
    assert 'name="pm-__prefix__-email"' in html
    assert "data-add-row hidden>Add another program manager</button>" in html


def test_plans_saves_and_refuses_zero_teachers(signed_in, draft):
    course = CourseFactory()
    url = section_url(draft, "plans")
    data = {
        "courses": [course.pk],
        "teachers_year1": "20",
        "teachers_year2": "40",
        "teachers_year3": "0",
        "workshop_venues": "Our center.",
    }
    response = signed_in.post(url, data)
    assert response.status_code == 400
    assert "Enter 1 or more teachers." in field_block(html_of(response), "teachers_year3")
    assert draft.teachers_year1 is None
    data["teachers_year3"] = "60"
    signed_in.post(url, data)
    draft.refresh_from_db()
    assert (draft.teachers_year1, draft.teachers_year3) == (20, 60)
    assert list(draft.courses.all()) == [course]


def test_commitments_show_their_full_wording_each_a_checkbox(signed_in, draft):
    url = section_url(draft, "commitments")
    html = html_of(signed_in.get(url))
    for name in COMMITMENTS:
        assert f'type="checkbox" name="{name}"' in html
        assert COMMITMENT_WORDING[name] in html
    signed_in.post(url, dict.fromkeys(COMMITMENTS[:3], "on"))
    draft.refresh_from_db()
    assert [getattr(draft, name) for name in COMMITMENTS] == [True] * 3 + [False] * 3


def budget(**amounts):
    values = {f"budget_{c}": "" for c in ("onsite_staffer", "facilitator_compensation")}
    values.update({f"budget_{c}": "" for c in ("food", "venue", "other")})
    values.update({f"budget_{key}": value for key, value in amounts.items()})
    return values


def test_need_saves_the_budget_lines(signed_in, draft):
    url = section_url(draft, "need")
    data = {
        **budget(onsite_staffer="$12,000", food="1234.5", venue="0"),
        "need_justification": "Rural schools.",
        "current_funding_sources": "A state grant.",
    }
    assert signed_in.post(url, data).status_code == 302
    assert dict(draft.budget_lines.values_list("category", "amount")) == {
        "onsite_staffer": Decimal("12000.00"),
        "food": Decimal("1234.50"),
        "venue": Decimal("0.00"),
    }
    html = html_of(signed_in.get(url))
    assert 'value="12000.00"' in html
    # A line left blank is dropped.
    signed_in.post(url, {**data, "budget_food": ""})
    assert not draft.budget_lines.filter(category="food").exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "Enter zero or more: a budget line cannot be negative."),
        ("10.125", "Use at most two decimal places (whole cents), e.g. 1250.50."),
        ("ten dollars", "Enter an amount in dollars"),
    ],
)
def test_need_refuses_negatives_and_fractions_of_cents_beside_the_field(
    signed_in, draft, typed, message
):
    BudgetRequestLine.objects.create(application=draft, category="venue", amount=Decimal("500"))
    response = signed_in.post(
        section_url(draft, "need"),
        {**budget(food=typed, venue="700"), "need_justification": "Typed text."},
    )
    assert response.status_code == 400
    html = html_of(response)
    assert message in field_block(html, "budget_food")
    assert f'value="{typed}"' in html and "Typed text." in html
    assert dict(draft.budget_lines.values_list("category", "amount")) == {
        "venue": Decimal("500.00")
    }
    draft.refresh_from_db()
    assert draft.need_justification == ""


def test_long_texts_carry_a_counter(signed_in, draft):
    for slug, name in (("plans", "workshop_venues"), ("need", "need_justification")):
        html = html_of(signed_in.get(section_url(draft, slug)))
        textarea = re.search(rf'<textarea name="{name}"[^>]*>', html).group(0)
        assert f'maxlength="{TEXT_MAX}"' in textarea
        assert "data-counter" in textarea
        assert f'id="id_{name}_count" data-count-for="id_{name}">3000 characters left' in html
        assert "/static/js/apply.js" in html
        assert f"Up to {TEXT_MAX:,} characters." in html


def test_a_text_at_the_cap_with_line_breaks_is_accepted(signed_in, draft):
    # A browser counts each line break as one character but sends two (CRLF).
    text = ("x" * 99 + "\r\n") * 30
    assert len(text.replace("\r\n", "\n")) == TEXT_MAX
    response = signed_in.post(section_url(draft, "plans"), {"workshop_venues": text})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert len(draft.workshop_venues) == TEXT_MAX - 1  # the last line break is stripped


def ref_data(rows, initial=0):
    data = {
        "ref-TOTAL_FORMS": str(len(rows)),
        "ref-INITIAL_FORMS": str(initial),
        "ref-MIN_NUM_FORMS": "0",
        "ref-MAX_NUM_FORMS": "2",
    }
    for i, row in enumerate(rows):
        data.update({f"ref-{i}-{key}": value for key, value in row.items()})
    return data


def test_references_save_two_and_refuse_a_third(signed_in, draft):
    rows = [
        {"name": f"Ref {n}", "organization": "DOE", "email": f"r{n}@x.org", "phone": "808"}
        for n in (1, 2, 3)
    ]
    html = html_of(signed_in.get(section_url(draft, "references")))
    assert 'name="ref-1-name"' in html and 'name="ref-2-name"' not in html
    response = signed_in.post(section_url(draft, "references"), ref_data(rows))
    assert response.status_code == 400
    assert not draft.references.exists()
    signed_in.post(section_url(draft, "references"), ref_data(rows[:2]))
    assert draft.references.count() == 2


def test_terms_show_the_current_version_with_a_link(signed_in, draft):
    terms = current_terms()
    url = section_url(draft, "terms")
    html = html_of(signed_in.get(url))
    assert f'href="{terms.get_absolute_url()}"' in html
    assert f"the term sheet (version {terms.version})" in html
    signed_in.post(url, {"accepts_terms": "on"})
    draft.refresh_from_db()
    assert draft.accepts_terms is True


def test_eligibility_is_told_on_every_section(signed_in, draft):
    Application.objects.filter(pk=draft.pk).update(is_us_based=False, organization_type="other")
    for section in SECTIONS:
        html = html_of(signed_in.get(section_url(draft, section.slug)))
        assert "works only with organizations based in the" in html
        assert "other kinds of organization are not eligible" in html


def test_a_served_region_offers_the_waitlist_at_the_top(signed_in, applicant):
    region = RegionFactory(name="Taken Bay", status="served", partner=PartnerFactory())
    application = ApplicationFactory(complete=False, applicant=applicant, region=region)
    html = html_of(signed_in.get(section_url(application, "plans")))
    assert "Taken Bay already has a Regional Partner" in html
    assert "Join the waitlist for Taken Bay" in html
    signed_in.post(reverse("apply:waitlist", kwargs={"pk": application.pk}))
    html = html_of(signed_in.get(section_url(application, "plans")))
    assert "You are on the waitlist for Taken Bay." in html


def test_a_closed_window_is_told(signed_in, applicant):
    region = RegionFactory(name="Later Valley", status="open")
    application = ApplicationFactory(complete=False, applicant=applicant, region=region)
    html = html_of(signed_in.get(section_url(application, "organization")))
    assert "Later Valley is not taking applications right now." in html


def test_progress_shows_complete_and_incomplete(signed_in, applicant):
    application = ApplicationFactory(applicant=applicant)
    application.references.all().delete()
    html = html_of(signed_in.get(section_url(application, "plans")))
    assert html.count('progress-state">Complete<') == 7
    assert re.search(r'>References</a>\s*<span class="progress-state">Incomplete<', html)
    assert re.search(r'href="[^"]+/plans/" aria-current="step"', html)


def test_unknown_section_is_404(signed_in, draft):
    assert signed_in.get(f"/educate/regional-partner/apply/{draft.pk}/nope/").status_code == 404


@pytest.mark.parametrize("slug", [section.slug for section in SECTIONS])
def test_section_page_query_count(signed_in, applicant, slug, django_assert_max_num_queries):
    application = ApplicationFactory(applicant=applicant)
    with django_assert_max_num_queries(12):
        response = signed_in.get(section_url(application, slug))
    assert response.status_code == 200


def test_review_page_query_count(signed_in, applicant, django_assert_max_num_queries):
    application = ApplicationFactory(applicant=applicant)
    with django_assert_max_num_queries(13):
        response = signed_in.get(reverse("apply:review", kwargs={"pk": application.pk}))
    assert response.status_code == 200


# --- Review, submit, status and withdraw ---------------------------------------------------


def test_review_lists_every_problem_with_a_link_to_its_section(signed_in, draft):
    url = reverse("apply:review", kwargs={"pk": draft.pk})
    html = html_of(signed_in.get(url))
    assert "Give your organization's legal name." in html
    assert f'href="{section_url(draft, "organization")}#id_legal_name"' in html
    assert f'href="{section_url(draft, "need")}#id_budget_onsite_staffer"' in html
    assert f'href="{section_url(draft, "references")}#references"' in html
    assert "Give exactly two references (you gave 0)." in html


def test_submit_with_problems_lists_them_and_stays_a_draft(signed_in, draft):
    response = signed_in.post(reverse("apply:review", kwargs={"pk": draft.pk}))
    assert response.status_code == 400
    html = html_of(response)
    assert "Your application is not submitted yet" in html
    assert "Accept the current term sheet." in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert mail.outbox == []


def test_submit_locks_the_application_and_emails(
    signed_in, applicant, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(applicant=applicant)
    url = reverse("apply:review", kwargs={"pk": application.pk})
    html = html_of(signed_in.get(url))
    assert "Everything is in place." in html
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url)
    assert response.url == reverse("apply:status", kwargs={"pk": application.pk})
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [applicant.email]
    html = html_of(signed_in.get(response.url))
    assert '<span class="app-status app-status-submitted">Submitted</span>' in html
    # Locked: the sections show the answers, with no form, and a post changes nothing.
    section = section_url(application, "organization")
    html = html_of(signed_in.get(section))
    assert "can no longer be changed" in html
    assert application.legal_name in html
    assert "Status: Submitted</a>" in html and "Review and submit</a>" not in html
    assert 'name="legal_name"' not in html
    signed_in.post(section, {**ORGANIZATION, "legal_name": "Changed"})
    application.refresh_from_db()
    assert application.legal_name != "Changed"
    assert signed_in.get(url).url == reverse("apply:status", kwargs={"pk": application.pk})


def test_withdraw_asks_first_then_withdraws(signed_in, applicant):
    application = application_in(Status.IN_REVIEW, applicant=applicant)
    status_url = reverse("apply:status", kwargs={"pk": application.pk})
    url = reverse("apply:withdraw", kwargs={"pk": application.pk})
    assert f'href="{url}"' in html_of(signed_in.get(status_url))
    html = html_of(signed_in.get(url))
    assert "This cannot be undone" in html
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW
    response = signed_in.post(url, {"note": "We found another way."})
    assert response.url == status_url
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    html = html_of(signed_in.get(status_url))
    assert "We found another way." in html
    assert f'href="{url}"' not in html


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN])
def test_no_withdraw_after_a_decision(signed_in, applicant, status):
    application = application_in(status, applicant=applicant)
    url = reverse("apply:withdraw", kwargs={"pk": application.pk})
    assert f'href="{url}"' not in html_of(
        signed_in.get(reverse("apply:status", kwargs={"pk": application.pk}))
    )
    signed_in.post(url)
    application.refresh_from_db()
    assert application.status == status


def test_timeline_hides_internal_notes(signed_in, applicant):
    application = application_in(Status.IN_REVIEW, applicant=applicant)
    ApplicationEvent.objects.create(
        application=application,
        from_status="submitted",
        to_status="in_review",
        note="Internal: weak budget, call the district.",
        is_internal=True,
    )
    ApplicationEvent.objects.create(
        application=application,
        from_status="in_review",
        to_status="interview",
        note="We would like to meet you.",
        is_internal=False,
    )
    html = html_of(signed_in.get(reverse("apply:status", kwargs={"pk": application.pk})))
    assert "We would like to meet you." in html
    assert "weak budget" not in html
    assert "Submitted → <strong>In review</strong>" in html


# --- Scope ---------------------------------------------------------------------------------


def _urls(application):
    kwargs = {"pk": application.pk}
    return [
        reverse("apply:detail", kwargs=kwargs),
        reverse("apply:review", kwargs=kwargs),
        reverse("apply:status", kwargs=kwargs),
        reverse("apply:withdraw", kwargs=kwargs),
        *(section_url(application, section.slug) for section in SECTIONS),
    ]


@pytest.mark.parametrize("role", ["applicant", "program_admin", "regional_manager"])
def test_anyone_elses_application_is_404(client, make_user, role):
    application = ApplicationFactory()
    client.force_login(make_user(role=role))
    for url in _urls(application):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"legal_name": "Hijacked"}).status_code == 404, url
    waitlist = reverse("apply:waitlist", kwargs={"pk": application.pk})
    assert client.post(waitlist).status_code == 404
    application.refresh_from_db()
    assert application.legal_name != "Hijacked"
    assert application.status == Status.DRAFT


def test_anonymous_visitors_are_sent_to_sign_in(client):
    application = ApplicationFactory()
    for url in _urls(application):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login") + "?next=")
