"""A visitor chooses a region on the map: who serves it, or how to apply for it."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PROGRAM = "/educate/regional-partner/"


@pytest.fixture
def regions(site):
    """Washington is open; Hawaii is served by a partner based in Honolulu."""
    from geography.loader import load_geography
    from geography.models import Region, RegionState, State, ZipCode
    from partners.tests.factories import PartnerFactory

    load_geography(states=["WA", "HI"])
    partner = PartnerFactory(name="Aloha Computing", zip_code=ZipCode.objects.get(code="96813"))
    washington = Region.objects.create(name="Washington", status="open")
    RegionState.objects.create(region=washington, state=State.objects.get(code="WA"))
    hawaii = Region.objects.create(name="Hawaii", status="served", partner=partner)
    RegionState.objects.create(region=hawaii, state=State.objects.get(code="HI"))
    return site


@pytest.fixture
def new_context(browser):
    """Browser contexts of the test's own kind (a phone, no JavaScript), closed afterwards."""
    contexts = []

    def make(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


def _region(page: Page, slug: str):
    return page.locator(f'.map-region[data-region="{slug}"]')


def test_choosing_an_open_region_leads_to_its_application(page: Page, regions):
    outside = []
    host = urlsplit(regions.url).netloc
    page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).netloc != host else None)
    page.goto(regions.url + PROGRAM)

    panel = page.locator("[data-map-panel]")
    expect(panel).to_contain_text("Choose a region on the map")
    _region(page, "washington").click()
    expect(panel).to_contain_text("Washington")
    expect(panel).to_contain_text("This region needs a partner")
    expect(_region(page, "washington")).to_have_attribute("aria-current", "true")

    panel.get_by_role("link", name="Apply for this region").click()
    expect(page).to_have_url(re.compile(r"/educate/regional-partner/apply/\?region=washington$"))
    chosen = page.locator("#open-washington")
    expect(chosen).to_have_class(re.compile(r"\bselected\b"))
    expect(chosen).to_have_attribute("aria-current", "true")
    assert outside == []


def test_a_keyboard_user_tabs_to_a_region_and_opens_it(page: Page, regions):
    page.goto(regions.url + PROGRAM)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.map-region')"):
            break
    focused = page.locator(".map-region:focus")
    expect(focused).to_have_attribute("data-region", "hawaii")  # regions go in name order
    page.keyboard.press("Enter")

    panel = page.locator("[data-map-panel]")
    expect(panel).to_contain_text("Hawaii")
    expect(panel).to_contain_text("Served by Aloha Computing")
    # Focus moved into the panel: the next Tab reaches the partner's profile.
    page.keyboard.press("Tab")
    profile = panel.get_by_role("link", name="View profile of Aloha Computing")
    expect(profile).to_be_focused()
    expect(profile).to_have_attribute("href", "/educate/regional-partner/partners/aloha-computing/")

    page.keyboard.press("Escape")
    expect(panel).not_to_contain_text("Hawaii")
    expect(_region(page, "hawaii")).to_be_focused()
    expect(_region(page, "hawaii")).not_to_have_attribute("aria-current", "true")


def test_the_map_fits_a_phone_and_answers_a_tap(new_context, regions):
    phone = new_context(viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True)
    page = phone.new_page()
    page.goto(regions.url + PROGRAM)
    svg = page.locator(".map-svg")
    svg.scroll_into_view_if_needed()
    expect(svg).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = svg.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375

    _region(page, "washington").tap()
    panel = page.locator("[data-map-panel]")
    expect(panel).to_contain_text("This region needs a partner")
    expect(panel.get_by_role("link", name="Apply for this region")).to_be_in_viewport()


def test_without_javascript_the_map_links_to_the_table(new_context, regions):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(regions.url + PROGRAM)
    expect(page.locator(".map-svg")).to_be_visible()
    expect(page.locator(".map-legend")).to_contain_text("Open: needs a partner")
    _region(page, "washington").click()
    expect(page).to_have_url(re.compile("#region-washington$"))
    row = page.locator("#region-washington")
    expect(row).to_contain_text("This region needs a partner: apply")
    expect(row).to_be_in_viewport()
