"""A program admin creates a region with a state, then pastes ZIP codes and reads the report."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from geography.loader import load_geography
from geography.models import Region

from .helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_page(page: Page, site):
    load_geography(states=["WA", "OR"])
    admin = UserFactory(role="program_admin", first_name="Avery", last_name="Lindqvist")
    sign_in(page, site, admin)
    return page


def test_admin_creates_a_region_then_imports_zips(admin_page: Page, site):
    page = admin_page
    page.goto(site.url + "/manage/regions/")
    page.get_by_role("link", name="New region").click()

    page.get_by_label("Name").fill("Cascadia")
    page.get_by_role("group", name=re.compile("Whole states")).get_by_label("Oregon").check()
    # htmx lists a state's counties as soon as the state is ticked.
    page.get_by_role("group", name=re.compile("Pick counties in")).get_by_label(
        "Washington"
    ).check()
    page.get_by_role("group", name="Washington").get_by_label("King County").check()
    # The "Listing the counties…" line shows only while htmx is asking (site.css).
    expect(page.locator("#county-picker-status")).to_be_hidden()
    page.get_by_role("button", name="Create region").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cascadia")
    expect(page.get_by_role("status")).to_contain_text("Region “Cascadia” is created.")
    region = Region.objects.get(name="Cascadia")
    assert list(region.states.values_list("code", flat=True)) == ["OR"]
    assert list(region.counties.values_list("name", flat=True)) == ["King County"]

    page.get_by_role("link", name="Import ZIP codes").click()
    page.get_by_label("Paste ZIP codes").fill("98101\n98104-1234\n9810\n00000\n98101")
    page.get_by_role("button", name="Import and show the report").click()

    report = page.get_by_role("table", name="Each entry of the pasted list, by line")
    expect(report.get_by_role("row")).to_have_count(6)  # the header and five lines
    expect(report.get_by_role("row").nth(3)).to_contain_text("9810")
    expect(report.get_by_role("row").nth(3)).to_contain_text("Not a ZIP code")
    expect(report.get_by_role("row").nth(4)).to_contain_text("00000 is not a known US ZIP code.")
    expect(report.get_by_role("row").nth(5)).to_contain_text("98101 is already on line 1.")
    expect(page.locator(".report-summary")).to_contain_text("2 ZIP codes linked")
    assert sorted(region.zip_links.values_list("zip_code__code", flat=True)) == ["98101", "98104"]

    page.get_by_role("link", name="Back to Cascadia").click()
    expect(page.locator(".history")).to_contain_text("Added ZIP codes: 98101, 98104")
    expect(page.locator(".history")).to_contain_text("Avery Lindqvist")


def test_the_region_form_fits_a_phone(admin_page: Page, site):
    page = admin_page
    page.set_viewport_size({"width": 375, "height": 740})
    for path in ["/manage/regions/", "/manage/regions/new/"]:
        page.goto(site.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
