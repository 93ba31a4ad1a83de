"""A visitor reads the program page, follows Apply now and Terms, and downloads the one-pager."""

import re

import pytest
from playwright.sync_api import Page, expect

from geography.tests.factories import RegionFactory

pytestmark = pytest.mark.browser


def test_visitor_reads_the_program_page_and_follows_its_calls_to_action(page: Page, site):
    RegionFactory(name="Great Plains North", status="open")
    page.goto(site.url + "/")

    expect(page).to_have_url(re.compile(r"/educate/regional-partner/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("computer science hub")
    expect(page.locator('[data-figure="open_regions"]')).to_have_text("1")
    expect(page.get_by_role("table", name=re.compile("Regions by state"))).to_contain_text(
        "Great Plains North"
    )

    page.get_by_role("link", name="Apply now").first.click()
    expect(page).to_have_url(re.compile(r"/educate/regional-partner/apply/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply to become a Regional Partner")
    expect(page.locator("#open-regions + ul")).to_contain_text("Great Plains North")

    page.go_back()
    page.get_by_role("link", name="Terms", exact=True).click()
    expect(page).to_have_url(re.compile(r"/educate/regional-partner/terms/$"))
    expect(page.locator("[data-terms-version]")).to_have_text("2026.1")

    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Share the one-pager")).click()
    download = download_info.value
    path = download.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_program_page_reads_well_on_a_phone(page: Page, site):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(site.url + "/educate/regional-partner/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    expect(page.get_by_role("link", name="Apply now").first).to_be_visible()


def test_keyboard_user_can_skip_to_content(page: Page, site):
    page.goto(site.url + "/educate/regional-partner/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
