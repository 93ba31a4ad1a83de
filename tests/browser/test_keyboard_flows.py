"""The four main flows, done with the keyboard alone: after `page.goto`, only Tab, Shift+Tab,
Enter, Space, the arrow keys and typing (no `.click()`, no `.fill()`).

(a) an applicant signs in, starts an application, fills every section and submits it;
(b) a teacher finds a workshop near their school's ZIP and enrolls;
(c) a program admin opens a submitted application, scores it and records a decision;
(d) a program admin sorts the program dashboard's table and opens a partner's dashboard.

Along the way the focused element always shows where it is (an outline or a box shadow), and
the skip link takes the focus to the main content.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.tests.factories import PASSWORD, UserFactory
from applications.models import Application, Review, Status
from applications.tests.factories import (
    CourseFactory,
    CriterionFactory,
    RubricFactory,
    application_in,
    current_terms,
    hawaii,
    open_region,
)
from districts.tests.factories import district_with_schools, served_region
from geography.models import RegionState
from partners.tests.factories import PartnerFactory
from workshops.models import Enrollment
from workshops.tests.factories import WorkshopFactory

from .helpers import YEAR, dashboard_partner, dashboard_rows

pytestmark = pytest.mark.browser

# --- Keyboard helpers -------------------------------------------------------------------------

# A short description of the focused element, for the path printed when a target is missed.
_DESCRIBE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return '(body)';
  const label = (el.labels && el.labels[0] && el.labels[0].textContent)
    || el.getAttribute('aria-label') || el.textContent || el.value || '';
  const id = el.id ? '#' + el.id : '';
  return `${el.tagName.toLowerCase()}${id} "${label.trim().replace(/\\s+/g, ' ').slice(0, 40)}"`;
}"""

# Focus is visible when the focused element draws an outline or a box shadow.
_FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
          shadow: style.boxShadow !== 'none', style: style.outline + ' | ' + style.boxShadow};
}"""

_CSS_START = re.compile(r"^[#.\[]|^[a-z]+[#.\[:]")


def _target(page: Page, target) -> Locator:
    """A locator for `target`: a Locator, a CSS selector, or an accessible name (a field's
    label, a link's or a button's name; a compiled pattern matches part of it)."""
    if isinstance(target, Locator):
        return target
    if isinstance(target, str) and _CSS_START.match(target):
        return page.locator(target)
    if isinstance(target, str):  # the whole name; Django's labels may end with a colon
        target = re.compile(rf"^\s*{re.escape(target)}:?\s*$")
    return (
        page.get_by_label(target)
        .or_(page.get_by_role("link", name=target))
        .or_(page.get_by_role("button", name=target))
    )


def _is_focused(locator: Locator) -> bool:
    return locator.evaluate_all("els => els.includes(document.activeElement)")


def tab_to(page: Page, target, max_presses: int = 60, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab with `backwards`) until `target` has the focus; fail with the path
    of the elements focused on the way if it is not reached in `max_presses`."""
    locator = _target(page, target)
    key = "Shift+Tab" if backwards else "Tab"
    path = []
    for _ in range(max_presses):
        if _is_focused(locator):
            assert_focus_visible(page)
            return
        page.keyboard.press(key)
        path.append(page.evaluate(_DESCRIBE))
    if _is_focused(locator):
        assert_focus_visible(page)
        return
    raise AssertionError(
        f"{target!r} not reached with {max_presses} presses of {key} on {page.url}; focus went:\n  "
        + "\n  ".join(path)
    )


def assert_focus_visible(page: Page) -> None:
    style = page.evaluate(_FOCUS_STYLE)
    assert style is not None, f"nothing has the focus on {page.url}"
    assert style["outline"] or style["shadow"], (
        f"the focused {page.evaluate(_DESCRIBE)} shows no focus ({style['style']}) on {page.url}"
    )


def type_in(page: Page, target, text: str) -> None:
    """Tab to a field, select what it holds, and type `text` over it."""
    tab_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page: Page, group_first, option, max_presses: int = 10) -> None:
    """A radio group: Tab into it (at `group_first`), then arrow down to `option` (arrows
    check as they move; Space checks the option Tab landed on)."""
    tab_to(page, group_first)
    wanted = _target(page, option)
    for _ in range(max_presses):
        if _is_focused(wanted):
            break
        page.keyboard.press("ArrowDown")
    if not wanted.is_checked():
        page.keyboard.press("Space")
    expect(wanted).to_be_checked()


def check(page: Page, target) -> None:
    """A checkbox: Tab to it and press Space (once: it must end up checked)."""
    tab_to(page, target)
    page.keyboard.press("Space")
    expect(_target(page, target)).to_be_checked()


def press(page: Page, target, key: str = "Enter", max_presses: int = 60) -> None:
    tab_to(page, target, max_presses)
    page.keyboard.press(key)


def skip_to_main(page: Page) -> None:
    """The first Tab on a page reaches the skip link, shown; Enter moves the focus to <main>."""
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def sign_in(page: Page, url: str, email: str) -> None:
    """Signs in with the keyboard (the email field has the focus when the page opens)."""
    page.goto(url + "/accounts/login/")
    type_in(page, "Email address", email)
    type_in(page, re.compile(r"^Password:?$"), PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile("/accounts/login/"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


# --- (a) The application ----------------------------------------------------------------------


def save_and_continue(page: Page, heading: str) -> None:
    press(page, "Save & continue")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def test_an_applicant_applies_with_the_keyboard_alone(page: Page, site):
    state, honolulu = hawaii()
    region = open_region(name="Hawaii")
    RegionState.objects.create(region=region, state=state)
    CourseFactory(name="CS Discoveries")
    current_terms()
    applicant = UserFactory(role="applicant", email="lead@aloha-cs.example.org")

    sign_in(page, site.url, applicant.email)
    page.goto(f"{site.url}/educate/regional-partner/apply/?region={region.slug}")
    skip_to_main(page)
    press(page, "Start your application")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your organization")

    type_in(page, "Legal name", "Aloha Computing Alliance")
    choose(page, "Regional education unit", "Nonprofit")
    type_in(page, "Tax id (EIN)", "91-1234567")
    choose(page, "Yes", "Yes")
    type_in(page, "Street address", "1 Aloha Tower Dr")
    type_in(page, "City", "Honolulu")
    type_in(page, "ZIP code", honolulu.code)
    type_in(page, "Website", "aloha-cs.example.org")
    save_and_continue(page, "Region")

    expect(page.get_by_label("Hawaii")).to_be_checked()
    save_and_continue(page, "People and districts")

    type_in(page, page.get_by_label("Name").first, "Lena Okafor")
    type_in(page, page.get_by_label("Email address").first, "lena@aloha-cs.example.org")
    type_in(page, page.get_by_label("Share of a full-time position (FTE)").first, "0.5")
    type_in(page, page.get_by_label("School district").first, "Hawaii DOE")
    type_in(page, page.get_by_label("Your relationship").first, "PD provider since 2019")
    save_and_continue(page, "Plans")

    check(page, "CS Discoveries")
    type_in(page, "Teachers to reach in year 1", "20")
    type_in(page, "Teachers to reach in year 2", "35")
    type_in(page, "Teachers to reach in year 3", "50")
    type_in(page, "Workshop venues", "Our training center downtown.")
    save_and_continue(page, "Commitments")

    boxes = page.locator(".commitments input[type=checkbox]")
    for n in range(boxes.count()):
        check(page, boxes.nth(n))
    save_and_continue(page, "Need and budget")

    type_in(page, "Onsite staffer ($)", "12000")
    type_in(page, "Facilitator compensation ($)", "4500")
    type_in(page, "Food ($)", "1200")
    type_in(page, "Venue ($)", "0")
    type_in(page, "Why you need the funding", "Schools on every island.")
    type_in(page, "Your current funding sources", "A state grant.")
    save_and_continue(page, "References")

    for n, name in enumerate(["Maria Chen", "David Park"]):
        type_in(page, page.get_by_label("Name").nth(n), name)
        type_in(page, page.get_by_label("Organization").nth(n), "Hawaii DOE")
        type_in(page, page.get_by_label("Email address").nth(n), f"ref{n}@doe.example.org")
        type_in(page, page.get_by_label("Phone number").nth(n), "808-555-0100")
    save_and_continue(page, "Terms")

    check(page, re.compile("I have read and accept the term sheet"))
    save_and_continue(page, "Review and submit")

    expect(page.get_by_text("Everything is in place.")).to_be_visible()
    press(page, "Submit application")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your application")
    application = Application.objects.get(applicant=applicant)
    assert application.status == Status.SUBMITTED
    assert application.legal_name == "Aloha Computing Alliance"
    assert application.budget_lines.count() == 4
    assert application.references.count() == 2


# --- (b) Enrolling in a workshop --------------------------------------------------------------


def test_a_teacher_finds_a_workshop_and_enrolls_with_the_keyboard_alone(page: Page, site):
    _state, honolulu = hawaii()
    partner = PartnerFactory(name="Aloha Computing")
    served_region(partner, states=["HI"], name="Hawaii")
    district_with_schools(honolulu.code, name="Honolulu District", nces_id="1500030")
    workshop = WorkshopFactory(
        partner=partner,
        title="Honolulu summer intensive",
        venue="McKinley High School",
        city="Honolulu",
        zip_code=honolulu,
        is_online=False,
        online_url="",
        time_zone="Pacific/Honolulu",
    )
    teacher = UserFactory(role="teacher", first_name="Ada", last_name="Reyes")

    sign_in(page, site.url, teacher.email)
    page.goto(site.url + "/workshops/")
    skip_to_main(page)
    type_in(page, "Near ZIP code", honolulu.code)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"zip={honolulu.code}"))
    press(page, "Honolulu summer intensive")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Honolulu summer intensive")

    school = page.get_by_label(re.compile("School")).first  # the school list: Tab, then Space
    choose(page, school, school)
    press(page, "Enroll")
    expect(page.get_by_text("You are enrolled in this workshop")).to_be_visible()
    enrollment = Enrollment.objects.get(teacher=teacher, workshop=workshop)
    assert enrollment.status == "enrolled" and enrollment.school is not None


# --- (c) Reviewing and deciding ---------------------------------------------------------------


def test_an_admin_reviews_and_decides_with_the_keyboard_alone(page: Page, site):
    state, _honolulu = hawaii()
    region = open_region(name="Hawaii")
    RegionState.objects.create(region=region, state=state)
    rubric = RubricFactory(name="2026 rubric", scale_max=5)
    CriterionFactory(rubric=rubric, name="Reach", weight=Decimal("2"))
    CriterionFactory(rubric=rubric, name="Capacity", weight=Decimal("1"))
    application = application_in(
        Status.SUBMITTED, region=region, legal_name="Aloha Computing Alliance"
    )
    admin = UserFactory(role="program_admin", first_name="Avery", last_name="Lindqvist")

    sign_in(page, site.url, admin.email)
    page.goto(site.url + "/manage/applications/")
    skip_to_main(page)
    press(page, "Aloha Computing Alliance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aloha Computing Alliance")

    type_in(page, page.get_by_role("spinbutton", name=re.compile("^Reach")), "4")
    type_in(page, page.get_by_role("spinbutton", name=re.compile("^Capacity")), "3")
    expect(page.locator("[data-running-total]")).to_have_text("3.67")
    type_in(page, "Internal comment", "Strong district ties.")
    press(page, "Save my review")
    expect(page.locator(".message-success")).to_contain_text("Your review is saved")

    type_in(page, page.get_by_role("textbox", name=re.compile("^Note")), "Reviewing now.")
    press(page, "Move to in review")
    expect(page.locator("[data-application-status]")).to_have_text("In review")

    press(page, "Accept…")
    expect(page.get_by_label("Accepted")).to_be_checked()
    type_in(page, "Reason", "Best plan for the region.")
    press(page, "Send the decision and the email")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aloha Computing Alliance: accepted")

    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    review = Review.objects.get(application=application, reviewer=admin)
    assert review.comment_internal == "Strong district ties."


# --- (d) The program dashboard ----------------------------------------------------------------


def test_an_admin_sorts_the_dashboard_and_opens_a_partner_with_the_keyboard_alone(page: Page, site):
    dashboard_partner("Cascade Computing", "WA", "53", "Washington", attended=5, students=40)
    dashboard_partner("Desert Code", "AZ", "04", "Arizona", attended=2, students=300)
    admin = UserFactory(role="program_admin")

    sign_in(page, site.url, admin.email)
    page.goto(site.url + "/manage/metrics/")
    skip_to_main(page)
    assert dashboard_rows(page) == ["cascade-computing", "desert-code"]
    header = page.locator(".program-table thead th").filter(has_text="Students reached")
    press(page, header.get_by_role("link"), max_presses=120)
    expect(header).to_have_attribute("aria-sort", "descending")
    assert dashboard_rows(page) == ["desert-code", "cascade-computing"]

    # The map's regions are links too: from the page top, on to the table's partner link.
    press(page, page.locator(".program-table tbody").get_by_role("link", name="Desert Code"))
    expect(page).to_have_title(re.compile(f"Metrics {YEAR} · Desert Code"))
    expect(page.locator("#metric-students_reached")).to_contain_text("300")
