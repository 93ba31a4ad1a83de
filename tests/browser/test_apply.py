"""An organization signs up, fills its application over two visits, and submits it."""

import re

import pytest
from playwright.sync_api import Page, expect

from applications.models import Application
from applications.tests.factories import CourseFactory, RegionWindowFactory
from geography.loader import load_geography
from geography.models import RegionState, State
from geography.services import regions_reindex
from geography.tests.factories import RegionFactory

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-password-42"
EMAIL = "lead@evergreen-cs.example.org"


@pytest.fixture
def washington(site):
    """Washington, open for applications now (status open and a window around now)."""
    load_geography(states=["WA"])
    region = RegionFactory(name="Washington", status="open")
    RegionState.objects.create(region=region, state=State.objects.get(code="WA"))
    regions_reindex()
    RegionWindowFactory(region=region)
    CourseFactory(name="CS Discoveries")
    return region


def save_and_continue(page: Page, next_heading: str):
    page.get_by_role("button", name="Save & continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(next_heading)


def sign_in(page: Page, url: str):
    page.goto(url + "/accounts/login/")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_applicant_signs_up_fills_in_two_visits_and_submits(page: Page, site, washington):
    # Signs up from the landing page, which keeps the region chosen on the map.
    page.goto(site.url + "/educate/regional-partner/apply/?region=washington")
    page.get_by_role("link", name="Start your application").click()
    expect(page.get_by_label("applying for my organization")).to_be_checked()
    page.get_by_label("First name").fill("Lena")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/apply/\?region=washington$"))
    expect(page.get_by_text("You are applying for Washington.")).to_be_visible()
    page.get_by_role("button", name="Start your application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your organization")

    # Organization: a mistake first, told beside its field, with what was typed kept.
    page.get_by_label("Legal name").fill("Evergreen CS Collaborative")
    page.get_by_label("Nonprofit").check()
    page.get_by_label("Tax id (EIN)").fill("12-34")
    page.get_by_label("Yes").check()
    page.get_by_label("Street address").fill("400 Pine St")
    page.get_by_label("City").fill("Seattle")
    page.get_by_label("ZIP code").fill("98101")
    page.get_by_label("Website").fill("evergreen-cs.example.org")
    page.get_by_role("button", name="Save & continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing on this page is saved yet")
    expect(page.locator(".field.has-error")).to_contain_text("Enter the EIN as two digits")
    expect(page.get_by_label("Legal name")).to_have_value("Evergreen CS Collaborative")
    page.get_by_label("Tax id (EIN)").fill("91-1234567")
    save_and_continue(page, "Region")

    # Region: already chosen from the landing page.
    expect(page.get_by_label("Washington")).to_be_checked()
    save_and_continue(page, "People and districts")

    # People: a short FTE is told at once, as a notice.
    page.get_by_label("Name").first.fill("Lena Okafor")
    page.get_by_label("Email address").first.fill("lena@evergreen-cs.example.org")
    page.get_by_label("Share of a full-time position (FTE)").first.fill("0.25")
    page.get_by_role("button", name="Add another program manager").click()
    page.get_by_label("Name").nth(1).fill("Sam Reyes")
    page.get_by_label("Email address").nth(1).fill("sam@evergreen-cs.example.org")
    page.get_by_label("Share of a full-time position (FTE)").nth(1).fill("0.25")
    page.get_by_label("School district").first.fill("Seattle Public Schools")
    page.get_by_label("Your relationship").first.fill("PD provider since 2019")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("People and districts: saved.")).to_be_visible()
    expect(page.get_by_role("region", name="Before you go further")).to_have_count(0)

    # Leaves: signs out, comes back another day, and continues where they were.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site.url)
    page.get_by_role("link", name="regions open for applications").click()
    page.get_by_role("link", name="Continue your application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plans")
    progress = page.get_by_role("navigation", name="Your application")
    people = progress.get_by_role("listitem").filter(has_text="People and districts")
    expect(people).to_contain_text("Complete")
    progress.get_by_role("link", name="Your organization").click()
    expect(page.get_by_label("Legal name")).to_have_value("Evergreen CS Collaborative")
    expect(page.get_by_label("Tax id (EIN)")).to_have_value("91-1234567")
    expect(page.get_by_label(re.compile(r"^State:?$"))).to_have_value(
        str(State.objects.get(code="WA").pk)
    )
    progress.get_by_role("link", name="People and districts").click()
    expect(page.get_by_label("Name").nth(1)).to_have_value("Sam Reyes")

    # Plans, with a live character counter on the long text.
    progress.get_by_role("link", name="Plans").click()
    page.get_by_label("CS Discoveries").check()
    page.get_by_label("Teachers to reach in year 1").fill("20")
    page.get_by_label("Teachers to reach in year 2").fill("35")
    page.get_by_label("Teachers to reach in year 3").fill("50")
    venues = page.get_by_label("Workshop venues")
    expect(venues).to_have_attribute("maxlength", "3000")
    venues.fill("Our training center downtown.")
    expect(page.locator("#id_workshop_venues_count")).to_have_text("2971 characters left")
    live = page.locator("#id_workshop_venues_count_live")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_have_text("2971 characters left")
    save_and_continue(page, "Commitments")

    for box in page.locator(".commitments input[type=checkbox]").all():
        box.check()
    save_and_continue(page, "Need and budget")

    # Need: a negative amount and a fraction of a cent are refused beside their fields.
    page.get_by_label("Onsite staffer ($)").fill("12000")
    page.get_by_label("Facilitator compensation ($)").fill("-4500")
    page.get_by_label("Food ($)").fill("1234.567")
    page.get_by_label("Venue ($)").fill("0")
    page.get_by_label("Why you need the funding").fill("Rural districts east of the mountains.")
    page.get_by_label("Your current funding sources").fill("A state grant.")
    page.get_by_role("button", name="Save & continue").click()
    expect(page.get_by_text("a budget line cannot be negative").first).to_be_visible()
    expect(page.get_by_text("Use at most two decimal places").first).to_be_visible()
    expect(page.get_by_label("Food ($)")).to_have_value("1234.567")
    page.get_by_label("Facilitator compensation ($)").fill("4500")
    page.get_by_label("Food ($)").fill("1234.56")
    save_and_continue(page, "References")

    for n, name in enumerate(["Maria Chen", "David Park"]):
        page.get_by_label("Name").nth(n).fill(name)
        page.get_by_label("Organization").nth(n).fill("Seattle Public Schools")
        page.get_by_label("Email address").nth(n).fill(f"ref{n}@sps.example.org")
        page.get_by_label("Phone number").nth(n).fill("206-555-0100")
    save_and_continue(page, "Terms")

    expect(page.get_by_role("link", name="Read the term sheet, version 2026.1")).to_be_visible()
    page.get_by_label(re.compile("I have read and accept the term sheet")).check()
    save_and_continue(page, "Review and submit")

    expect(page.get_by_text("Everything is in place.")).to_be_visible()
    expect(page.get_by_text("$17,734.56")).to_be_visible()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your application")
    expect(page.locator(".facts")).to_contain_text("Submitted")
    expect(page.locator(".timeline")).to_contain_text("Draft → Submitted")
    application = Application.objects.get(applicant__email=EMAIL)
    assert application.status == "submitted"
    assert application.budget_lines.count() == 4
    assert application.term_sheet.version == "2026.1"

    # Submitted: the sections show the answers, no longer a form.
    page.get_by_role("link", name="See your answers").click()
    expect(page.get_by_text("can no longer be changed")).to_be_visible()
    expect(page.get_by_text("Evergreen CS Collaborative").first).to_be_visible()
    expect(page.get_by_role("button", name="Save & continue")).to_have_count(0)
