"""The content security policy holds in a real browser: no page breaks it, and everything still
works under it (the map, the charts, htmx, the API docs).

Every page is loaded with a listener for `securitypolicyviolation` events (the browser fires
one for each thing the policy blocks) and with console and page errors recorded; each page
must end with none.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from applications.tests.factories import open_region
from core.program_years import program_year_for
from districts.tests.factories import district_with_schools, served_region
from funding.tests.factories import approved_award
from geography.loader import load_geography
from geography.models import RegionState, State, ZipCode
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

from .helpers import sign_in

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || "?"}:${event.lineNumber})`
  );
});
"""


class Watch:
    """Records, per page, the policy violations and the console and page errors."""

    def __init__(self, page: Page):
        self.page = page
        self.errors: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def visit(self, url: str) -> None:
        self.page.goto(url)
        self.assert_clean(url)

    def assert_clean(self, where: str) -> None:
        self.page.wait_for_load_state("networkidle")
        # Violation events are queued tasks: give the last ones a moment to arrive.
        self.page.wait_for_timeout(200)
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], f"{where}: {violations}"
        assert self.errors == [], f"{where}: {self.errors}"
        # No <style> element slipped in (htmx's indicator rules, a library's own).
        assert self.page.locator("style").count() == 0, where


@pytest.fixture
def world(site):
    """Washington served by a partner, Hawaii open for applications."""
    load_geography(states=["WA", "HI"])
    partner = PartnerFactory(name="Cascade Computing", zip_code=ZipCode.objects.get(code="98101"))
    served_region(partner, states=["WA"], name="Washington")
    hawaii = open_region(name="Hawaii")
    RegionState.objects.create(region=hawaii, state=State.objects.get(code="HI"))
    district_with_schools("98901", name="Yakima School District", nces_id="5399901")
    approved_award(partner, program_year=program_year_for(timezone.localdate()), food="800.00")
    return partner


def test_public_pages_break_no_policy(page: Page, site, world):
    watch = Watch(page)

    watch.visit(site.url + "/educate/regional-partner/")
    # The map is drawn and answers a click (js/map.js).
    expect(page.locator(".map-region").first).to_be_attached()
    assert page.locator(".map-region").count() >= 2

    watch.visit(site.url + "/educate/regional-partner/find/?zip=98101")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Cascade Computing")

    watch.visit(site.url + "/educate/regional-partner/apply/")
    expect(page.locator("main")).to_contain_text("Hawaii")

    watch.visit(site.url + "/accounts/login/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    # Swagger UI draws the API from the schema, under the same strict policy.
    watch.visit(site.url + "/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("PartnerHub API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    watch.assert_clean("API docs, drawn")


def test_the_dashboards_draw_their_charts_under_the_policy(page: Page, site, world):
    watch = Watch(page)
    admin = UserFactory(role="program_admin")
    sign_in(page, site, admin)
    watch.assert_clean("signed in")

    watch.visit(site.url + "/manage/metrics/")
    expect(page.locator(".program-table")).to_be_visible()
    expect(page.locator(".map-region").first).to_be_attached()

    watch.visit(site.url + f"/manage/partners/{world.slug}/metrics/")
    charts = page.locator("[data-trend-charts]").first
    expect(charts).to_be_visible()
    # Chart.js sized the canvas (through element.style, which the policy allows).
    assert charts.locator("canvas").first.evaluate("c => c.width > 0 && c.height > 0")
    watch.assert_clean("partner dashboard, drawn")


def test_a_manager_s_chart_and_live_search_work_under_the_policy(page: Page, site, world):
    watch = Watch(page)
    manager = ProgramManagerFactory(partner=world).user
    sign_in(page, site, manager)

    watch.visit(site.url + f"/manage/partners/{world.slug}/funding/")
    chart = page.locator("#sustainability-chart")
    expect(chart).to_be_visible()
    # The box's height comes from site.css now (it was a style attribute): 16rem.
    box = page.locator(".chart-box-medium")
    assert box.evaluate("b => getComputedStyle(b).height") == "256px"
    assert chart.evaluate("c => c.width > 0")
    watch.assert_clean("funding, drawn")

    # The district search updates as one types (htmx), without pressing Search.
    watch.visit(site.url + f"/manage/partners/{world.slug}/districts/new/")
    page.get_by_label("Find a district in your regions").press_sequentially("Yakima")
    expect(page.get_by_label(re.compile("Yakima School District"))).to_be_visible()
    assert "q=Yakima" not in page.url  # swapped in place, not a new page
    watch.assert_clean("district search, after htmx")
    # htmx's indicator rules come from site.css, not from an injected <style>.
    opacity = page.evaluate(
        """() => { const e = document.createElement("span"); e.className = "htmx-indicator";
        document.body.append(e); const o = getComputedStyle(e).opacity; e.remove(); return o; }"""
    )
    assert opacity == "0"
