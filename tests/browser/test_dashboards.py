"""A program admin opens the program dashboard, colours the map by another metric, sorts the
table and drills into a partner's dashboard, on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from partners.tests.factories import PartnerFactory

from .helpers import YEAR, dashboard_partner, dashboard_rows, sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def admin(site):
    # More teachers at Cascade, more students at Desert: the two orders differ.
    dashboard_partner("Cascade Computing", "WA", "53", "Washington", attended=5, students=40)
    dashboard_partner("Desert Code", "AZ", "04", "Arizona", attended=2, students=300)
    return UserFactory(role="program_admin", first_name="Ada", last_name="Admin")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_admin_colours_the_map_sorts_and_drills_into_a_partner(
    page: Page, site, admin, viewport
):
    errors: list = []
    page.on("pageerror", lambda error: errors.append(error))
    page.set_viewport_size(viewport)
    sign_in(page, site, admin)
    page.get_by_role("link", name="Metrics", exact=True).first.click()
    expect(page).to_have_title(re.compile(f"Program dashboard {YEAR}"))
    expect(page.get_by_role("heading", name="Teachers who attended by region")).to_be_visible()
    cascade = page.locator('.map-region[data-partner="cascade-computing"]')
    desert = page.locator('.map-region[data-partner="desert-code"]')
    expect(cascade).to_have_attribute("aria-label", re.compile("Teachers who attended 5$"))
    # Five teachers is the darker band on the teachers map...
    assert int(cascade.get_attribute("data-band")) > int(desert.get_attribute("data-band"))

    # ...and 300 students the darker one on the students map.
    page.get_by_label("Colour the map by").select_option(label="Students reached")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile("metric=students_reached"))
    expect(page.get_by_role("heading", name="Students reached by region")).to_be_visible()
    expect(desert).to_have_attribute("aria-label", re.compile("Students reached 300$"))
    assert int(desert.get_attribute("data-band")) > int(cascade.get_attribute("data-band"))
    legend = page.locator(".map-legend")
    expect(legend).to_contain_text("(1 partner)")

    # Sort by students reached: largest first, then the other way.
    assert dashboard_rows(page) == ["cascade-computing", "desert-code"]
    header = page.locator(".program-table thead th").filter(has_text="Students reached")
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert dashboard_rows(page) == ["desert-code", "cascade-computing"]
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert dashboard_rows(page) == ["cascade-computing", "desert-code"]
    # The map kept its metric through the sorting.
    expect(page).to_have_url(re.compile("metric=students_reached"))

    if viewport is PHONE:
        # The page itself never scrolls sideways: the table scrolls in its box, the partner
        # column staying put.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        box = page.locator(".program-table-wrap, .sticky-first").first
        assert box.evaluate("b => b.scrollWidth > b.clientWidth")
        box.evaluate("b => { b.scrollLeft = 400; }")
        first_cell = page.locator(".program-table tbody th").first
        assert first_cell.evaluate("c => c.getBoundingClientRect().left") < 40

    # Drill down into Desert Code's dashboard, then its evidence.
    page.locator(".program-table tbody").get_by_role("link", name="Desert Code").click()
    expect(page).to_have_title(re.compile(f"Metrics {YEAR} · Desert Code"))
    row = page.locator("#metric-students_reached")
    expect(row).to_contain_text("300")
    # The charts are drawn (Chart.js sizes each canvas) beside their data tables.
    charts = page.locator("[data-trend-charts]").first
    expect(charts).to_be_visible()
    assert charts.locator("canvas").first.evaluate("c => c.width > 0")
    row.get_by_role("link", name=re.compile("300")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Students reached")
    expect(page.locator("caption")).to_contain_text("1 record")
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []


def test_the_program_dashboard_works_without_javascript(browser, admin, site):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    try:
        page = context.new_page()
        sign_in(page, site, admin)
        page.goto(site.url + "/manage/metrics/")
        page.get_by_label("Colour the map by").select_option(label="Students reached")
        page.get_by_role("button", name="Show").click()
        expect(page.locator('.map-region[data-partner="desert-code"]')).to_have_attribute(
            "aria-label", re.compile("Students reached 300$")
        )
        page.locator(".program-table tbody").get_by_role("link", name="Cascade Computing").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Metrics, {YEAR}")
        # Without the script the charts stay hidden; their tables carry the figures.
        expect(page.locator("[data-trend-charts]").first).to_be_hidden()
        expect(page.locator(".trend-table").first).to_be_visible()
    finally:
        context.close()


def test_a_mistyped_target_is_kept_and_the_error_summary_takes_the_focus(page: Page, site, admin):
    partner = PartnerFactory(name="Fjord Code")
    sign_in(page, site, admin)
    page.goto(f"{site.url}/manage/partners/{partner.slug}/metrics/targets/?year={YEAR}")
    field = page.get_by_label("Teachers who attended")
    # A text input: the browser keeps and sends what was typed, letters and all.
    field.fill("2e")
    page.get_by_role("button", name="Save the targets").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("1 thing to fix")
    expect(page.get_by_label("Teachers who attended")).to_have_value("2e")
    # The summary's link leads to the field; corrected, the targets are saved.
    summary.get_by_role("link", name="Teachers who attended").click()
    page.get_by_label("Teachers who attended").fill("25")
    page.get_by_role("button", name="Save the targets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Metrics, {YEAR}")
    expect(page.locator("#metric-teachers_attended")).to_contain_text("25")
