"""The workspace's tables on a phone (390px) and the partner list on a desktop, in Chromium.

A page that scrolls sideways on a phone hides its columns off-screen; every table scrolls in
its own box instead, and the partner list turns each partner into a card.
"""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD
from facilitators.tests.factories import (
    AccreditationFactory,
    CourseFactory,
    FacilitatorFactory,
    RosterMemberFactory,
)
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

pytestmark = pytest.mark.browser

PAGE_WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture
def partner(transactional_db):
    course = CourseFactory(name="CS Discoveries")
    partner = PartnerFactory(
        name="Cascade Computing Collaborative of the Pacific Northwest",
        active_since=datetime.date(2024, 7, 1),
    )
    partner.courses.add(course)
    for n in range(3):
        ProgramManagerFactory(
            partner=partner,
            fte_share=Decimal("0.20"),
            user__email=f"program.manager.number.{n}@a-rather-long-domain.example.org",
        )
        facilitator = FacilitatorFactory(email=f"facilitator.{n}@a-long-domain.example.org")
        AccreditationFactory(facilitator=facilitator, course=course)
        RosterMemberFactory(partner=partner, facilitator=facilitator)
        FacilitatorFactory(email=f"candidate.{n}@a-long-domain.example.org")
    return partner


def sign_in(page: Page, live_server, user) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_no_workspace_page_scrolls_sideways_on_a_phone(page: Page, live_server, partner, make_user):
    sign_in(page, live_server, make_user(role="program_admin"))
    page.set_viewport_size({"width": 390, "height": 800})
    base = f"/manage/partners/{partner.slug}"
    for path in (
        "/manage/partners/",
        f"{base}/",
        f"{base}/managers/",
        f"{base}/facilitators/",
        f"{base}/facilitators/add/",
        f"{base}/districts/",
        f"{base}/events/",
        "/manage/facilitators/",
    ):
        page.goto(live_server.url + path)
        scroll_width, width = page.evaluate(PAGE_WIDTH)
        assert scroll_width <= width, f"{path} is {scroll_width}px wide on a {width}px screen"


def test_partner_list_is_cards_on_a_phone_and_whole_on_a_desktop(
    page: Page, live_server, partner, make_user
):
    sign_in(page, live_server, make_user(role="program_admin"))
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/manage/partners/")
    community = page.locator('.partner-table td[data-label="Community meetup"]').first
    # The last commitment is on screen, captioned by its label.
    box = community.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    caption = community.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert caption == '"Community meetup"'

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/manage/partners/")
    scroller = page.locator(".partner-table-wrap").bounding_box()
    last = page.locator(".partner-table thead th").last.bounding_box()
    assert scroller is not None and last is not None
    assert last["x"] + last["width"] <= scroller["x"] + scroller["width"] + 1
    expect(page.get_by_label("US state")).to_be_visible()
