"""axe-core finds no WCAG 2.1 A/AA violation on any public page, nor on the apply, enroll,
review and dashboard pages, on a desktop (1280x800) and on a phone (390x844).

The public pages are not listed by hand: every GET route of the URL configuration
(tests/security/routes.py), filled with the two-partner world's real keywords
(tests/security/world.py), that a visitor gets as a 200 HTML page is checked, so a new public
page is covered the day it is added. Beside them, the query strings and refused forms that
change a page a lot (a ZIP that is served, one that is open, a ZIP that is not one, the
directory's filters, the contact form sent empty...).

Each test builds the world once and walks its pages with one browser context per role; a
failure lists every page, viewport and violation, with the failing nodes.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from accounts.tests.factories import UserFactory
from applications.models import Status
from applications.tests.factories import ApplicationFactory, RegionWindowFactory, hawaii
from applications.views.apply import SECTIONS
from geography.models import County, Region, RegionCounty, RegionState, ZipCode
from geography.services import regions_reindex
from tests.security.fill import values_for
from tests.security.routes import all_routes
from tests.security.world import build_world
from workshops.models import Workshop

from .axe import axe_violations, describe

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

# Not HTML pages for people: the admin (Django's own), the API, the health check. Other
# non-HTML answers (PDF, CSV, ICS) are left out by their content type.
NOT_PAGES = ("admin/", "api/", "healthz", "livez")

# Public pages that must be among those found: the discovery itself cannot come back empty.
KNOWN_PUBLIC = {
    "pages:program",
    "pages:terms",
    "pages:apply",
    "pages:find",
    "partners:directory",
    "partners:profile",
    "workshops:list",
    "workshops:detail",
    "events:list",
    "accounts:login",
    "accounts:signup",
    "accounts:password_reset",
}


@pytest.fixture
def world(site, settings, tmp_path):
    """The two partners of the permission matrix, in the live server's database, with Hawaii:
    partner A serves the state, and Maui County is open for applications."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)  # the world's receipt lands here
    built = build_world()
    state, honolulu = hawaii()
    RegionState.objects.create(region=built.a.objects["region"], state=state)
    maui = County.objects.get(state=state, name__startswith="Maui")
    open_region = Region.objects.create(name="Maui County", status=Region.Status.OPEN)
    RegionCounty.objects.create(region=open_region, county=maui)
    RegionWindowFactory(region=open_region)
    regions_reindex()
    # A's upcoming workshop meets in Honolulu: a search near a Hawaiian ZIP finds it.
    Workshop.objects.filter(pk=built.a.kwargs["workshop"]).update(
        is_online=False, zip_code=honolulu, city="Honolulu"
    )
    built.served_zip = honolulu.code
    built.open_zip = ZipCode.objects.filter(county=maui).order_by("code").first().code
    built.open_region = open_region
    return built


def public_pages(world) -> dict[str, str]:
    """{route name: path} of every page a visitor gets as 200 HTML, from the URL conf."""
    client = Client()
    found = {}
    for route in all_routes():
        if route.route.startswith(NOT_PAGES) or route.has_format:
            continue
        url = route.url(values_for(route, world.a, world.shared))
        response = client.get(url)
        try:
            html = response.get("Content-Type", "").startswith("text/html")
            if response.status_code == 200 and html:
                found[route.name] = url
        finally:
            response.close()
    return found


def browser_context(browser: Browser, site, user=None):
    """One context per role: signed in through a session made on the server side."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site.url}]
        )
    return context


class Audit:
    """Runs axe on pages at both viewports and keeps every violation for one final report."""

    def __init__(self, site):
        self.site = site
        self.failures: list[str] = []
        self.checked = 0

    def page(self, page: Page, label: str, path: str, *, status: int = 200, then=None) -> None:
        """Open `path` (then do `then(page)`, a form sent, say) and run axe, at each viewport."""
        for viewport_name, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            response = page.goto(self.site.url + path)
            where = f"[{viewport_name}] {label} ({path})"
            if then is None and (response is None or response.status != status):
                got = response.status if response is not None else "no response"
                self.failures.append(f"{where}: answered {got}, expected {status}")
                continue
            if then is not None:
                then(page)
            self.run(page, where)

    def run(self, page: Page, where: str) -> None:
        violations = axe_violations(page)
        self.checked += 1
        if violations:
            self.failures.append(describe(violations, where=f"{where}: "))

    def assert_clean(self) -> None:
        assert not self.failures, (
            f"axe (WCAG 2.1 A/AA): {len(self.failures)} of {self.checked} page views fail\n\n"
            + "\n\n".join(self.failures)
        )


REFUSED = "[role=alert], [aria-invalid=true]"  # a form sent back with what to correct


def _send_empty(button: str):
    def then(page: Page) -> None:
        page.get_by_role("button", name=button).click()
        expect(page.locator(REFUSED).first).to_be_visible()

    return then


def _sign_in_wrongly(page: Page) -> None:
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(REFUSED).first).to_be_visible()


def test_axe_reports_what_it_finds(page: Page):
    """The checks below can fail: axe, as run here, sees a missing alt text and language."""
    page.set_content("<html><body><main><img src='x.png'></main></body></html>")
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "html-has-lang"} <= found
    assert "image-alt" in describe(axe_violations(page))


def test_every_public_page_and_its_variants(browser: Browser, site, world):
    pages = public_pages(world)
    assert set(pages) >= KNOWN_PUBLIC, f"public pages not found: {KNOWN_PUBLIC - set(pages)}"
    audit = Audit(site)
    context = browser_context(browser, site)
    try:
        page = context.new_page()
        for name, path in sorted(pages.items()):
            audit.page(page, name, path)

        find = "/educate/regional-partner/find/"
        directory = "/educate/regional-partner/partners/"
        audit.page(page, "find: a served ZIP", f"{find}?zip={world.served_zip}")
        audit.page(page, "find: an open region's ZIP", f"{find}?zip={world.open_zip}")
        audit.page(page, "find: not a ZIP", f"{find}?zip=9681", status=400)
        audit.page(page, "find: no such ZIP", f"{find}?zip=00000", status=404)
        audit.page(page, "workshops near a ZIP", f"/workshops/?zip={world.served_zip}&miles=50")
        audit.page(page, "workshops: not a ZIP", "/workshops/?zip=9681")
        audit.page(
            page,
            "directory, filtered",
            f"{directory}?q=Partner&state=HI&organization_type=nonprofit",
        )
        audit.page(page, "directory, nothing found", f"{directory}?q=no-such-partner")
        audit.page(
            page,
            "apply landing for a region",
            f"/educate/regional-partner/apply/?region={world.open_region.slug}",
        )
        audit.page(
            page,
            "contact sent empty",
            f"{find}?zip={world.served_zip}",
            then=_send_empty("Send"),
        )
        audit.page(page, "sign-in refused", "/accounts/login/", then=_sign_in_wrongly)
        reset = f"/accounts/password/reset/{world.shared['uidb64']}"
        audit.page(page, "password reset: a new password", f"{reset}/{world.shared['token']}/")
        audit.page(page, "password reset: a spent link", f"{reset}/not-a-token/")
        audit.page(page, "page not found", "/no-such-page/", status=404)
        audit.page(page, "sign-up sent empty", "/accounts/signup/", then=_send_empty("Create"))
    finally:
        context.close()
    audit.assert_clean()


def test_the_apply_enroll_review_and_dashboard_pages(browser: Browser, site, world):
    a, b = world.a, world.b
    # An applicant with a complete draft (every section, the review page ready to submit) and
    # one just begun (the review page lists what is missing).
    applicant = UserFactory(role="applicant", email="drafting@example.org")
    draft = ApplicationFactory(applicant=applicant, region=world.open_region)
    begun = ApplicationFactory(applicant=applicant, complete=False)
    assert draft.status == begun.status == Status.DRAFT
    apply = "/educate/regional-partner/apply"
    roles = {
        applicant: [
            *((f"apply: {s.slug}", f"{apply}/{draft.pk}/{s.slug}/") for s in SECTIONS),
            ("apply: review and submit", f"{apply}/{draft.pk}/review/"),
            ("apply: review, sections missing", f"{apply}/{begun.pk}/review/"),
        ],
        world.users["applicant"]: [
            ("apply: status", f"{apply}/{a.kwargs['application']}/status/"),
        ],
        world.users["teacher"]: [
            ("workshop with the enroll form", f"/workshops/{b.kwargs['workshop']}/"),
            ("enroll", f"/workshops/{b.kwargs['workshop']}/enroll/"),
            ("workshop enrolled in", f"/workshops/{a.kwargs['workshop']}/"),
            ("my workshops", "/workshops/mine/"),
            ("teacher home", "/accounts/home/"),
        ],
        world.users["pm"]: [
            ("workspace home", f"/manage/partners/{a.kwargs['slug']}/"),
            ("partner metrics dashboard", f"/manage/partners/{a.kwargs['slug']}/metrics/"),
        ],
        world.users["admin"]: [
            ("application list", "/manage/applications/"),
            ("application review", f"/manage/applications/{a.kwargs['application']}/"),
            ("decision form", f"/manage/applications/{a.kwargs['application']}/decide/"),
            (
                "decision form: accept",
                f"/manage/applications/{a.kwargs['application']}/decide/?decision=accepted",
            ),
            ("program dashboard", "/manage/metrics/"),
            ("program dashboard by students", "/manage/metrics/?metric=students_reached"),
            ("funding overview", "/manage/funding/"),
            ("partner metrics dashboard (admin)", f"/manage/partners/{b.kwargs['slug']}/metrics/"),
        ],
    }
    audit = Audit(site)
    for user, paths in roles.items():
        context = browser_context(browser, site, user)
        try:
            page = context.new_page()
            for label, path in paths:
                audit.page(page, f"{user.role}: {label}", path)
        finally:
            context.close()
    audit.assert_clean()
