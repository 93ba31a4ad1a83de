"""A program admin reviews a submitted application, scores it, accepts it, and sees the map."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from applications.models import Status
from applications.tests.factories import (
    CriterionFactory,
    RubricFactory,
    application_in,
    open_region,
)
from geography.loader import load_geography
from geography.models import RegionState, State, ZipCode

from .helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def application(site):
    load_geography(states=["WA"])
    washington = State.objects.get(code="WA")
    region = open_region(name="Salish Sea")
    RegionState.objects.create(region=region, state=washington)
    rubric = RubricFactory(name="2026 rubric", scale_max=5)
    CriterionFactory(rubric=rubric, name="Reach", weight=Decimal("2"), description="Teachers.")
    CriterionFactory(rubric=rubric, name="Capacity", weight=Decimal("1"))
    return application_in(
        Status.SUBMITTED,
        region=region,
        legal_name="Salish Sea Computing",
        city="Seattle",
        state=washington,
        zip_code=ZipCode.objects.get(code="98101"),
    )


@pytest.fixture
def admin_page(page: Page, site):
    admin = UserFactory(role="program_admin", first_name="Avery", last_name="Lindqvist")
    sign_in(page, site, admin)
    return page


def test_admin_scores_and_accepts_an_application_and_the_map_shows_it(
    admin_page: Page, site, application
):
    page = admin_page
    page.goto(site.url + "/manage/applications/")
    queue = page.get_by_role("table", name=re.compile("1 application"))
    expect(queue).to_contain_text("Salish Sea")
    expect(queue).to_contain_text("Submitted")
    queue.get_by_role("link", name="Salish Sea Computing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Salish Sea Computing")

    # The running total follows the typing: weights 2 and 1.
    total = page.locator("[data-running-total]")
    expect(total).to_have_text("—")
    page.get_by_role("spinbutton", name=re.compile("^Reach")).press_sequentially("4")
    expect(total).to_have_text("4.00")
    page.get_by_role("spinbutton", name=re.compile("^Capacity")).press_sequentially("3")
    expect(total).to_have_text("3.67")  # (2*4 + 1*3) / 3
    page.get_by_label("Internal comment").fill("Strong district ties.")
    page.get_by_role("button", name="Save my review").click()
    expect(page.locator(".message-success")).to_have_text(
        "Your review is saved: weighted total 3.67 of 5."
    )
    expect(page.locator('[data-summary="mean"]')).to_have_text("3.67")
    expect(total).to_have_text("3.67")

    # Only an application under review can be accepted: move it first.
    page.get_by_role("textbox", name=re.compile("^Note")).fill("Complete; reviewing now.")
    page.get_by_role("button", name="Move to in review").click()
    expect(page.locator("[data-application-status]")).to_have_text("In review")
    expect(page.locator(".review-timeline")).to_contain_text("Complete; reviewing now.")

    page.get_by_role("link", name="Accept…").click()
    expect(page.get_by_label("Accepted")).to_be_checked()
    expect(page.get_by_label("Email subject")).to_have_value(
        "Welcome to the Regional Partner Program, Salish Sea Computing"
    )
    expect(page.get_by_label("Email to the applicant")).to_contain_text(
        "accept Salish Sea Computing as the Regional Partner for Salish Sea"
    )
    page.get_by_label("Reason").fill("Best plan for the region.")
    page.get_by_role("button", name="Send the decision and the email").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Salish Sea Computing: accepted")
    expect(page.locator(".confirmation")).to_contain_text(application.applicant.email)
    new_partner = page.get_by_role("region", name="The new partner")
    expect(new_partner.get_by_role("link", name="Salish Sea Computing")).to_have_attribute(
        "href", "/educate/regional-partner/partners/salish-sea-computing/"
    )

    page.goto(site.url + "/educate/regional-partner/")
    row = page.locator(f"#region-{application.region.slug}")
    expect(row).to_contain_text("Salish Sea")
    expect(row).to_contain_text("Onboarding")
    expect(row).to_contain_text("Salish Sea Computing")


def test_the_review_pages_fit_a_phone(admin_page: Page, site, application):
    page = admin_page
    page.set_viewport_size({"width": 375, "height": 740})
    for path in [
        "/manage/applications/",
        f"/manage/applications/{application.pk}/",
        f"/manage/applications/{application.pk}/decide/?decision=declined",
    ]:
        page.goto(site.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
