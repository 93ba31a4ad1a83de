"""A facilitator marks attendance on a phone: two teachers present, saved to the database."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from workshops.models import Attendance, WorkshopState
from workshops.tests.factories_attendance import (
    EnrollmentFactory,
    WorkshopFactory,
    assign_facilitator,
)

from .helpers import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def workshop(site):
    # The session was two days ago: the checklist stays open for a week after a session, so
    # the test does not depend on the hour it runs at.
    workshop = WorkshopFactory(
        title="CS Discoveries: summer intensive",
        starts_on=timezone.localdate() - datetime.timedelta(days=2),
        state=WorkshopState.IN_PROGRESS,
        sessions=1,
    )
    for first, last in (("Maya", "Alvarez"), ("Noah", "Bennett"), ("Priya", "Chandra")):
        EnrollmentFactory(workshop=workshop, teacher=UserFactory(first_name=first, last_name=last))
    return workshop


def test_a_facilitator_marks_two_teachers_present_on_a_phone(new_context, site, workshop):
    facilitator = assign_facilitator(
        workshop, UserFactory(role="facilitator", first_name="Rosa", last_name="Imani")
    )
    phone = new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = phone.new_page()
    sign_in(page, site, facilitator)

    page.goto(site.url + "/workshops/facilitating/")
    page.get_by_role("link", name=re.compile("^Attendance")).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Attendance: CS Discoveries: summer intensive"
    )
    session = workshop.sessions.get()
    expect(page.locator("[data-session-code]")).to_have_text(session.attendance_code)
    # It fits the phone: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    maya = page.get_by_role("checkbox", name=re.compile("Maya Alvarez"))
    priya = page.get_by_role("checkbox", name=re.compile("Priya Chandra"))
    # Big tap targets: the whole row is the label.
    row = page.locator("label", has=maya).bounding_box()
    assert row["height"] >= 44 and row["width"] >= PHONE["width"] * 0.7
    page.locator("label", has=maya).tap()
    page.locator("label", has=priya).tap()
    expect(maya).to_be_checked()
    expect(priya).to_be_checked()
    page.get_by_role("button", name="Save attendance").tap()

    expect(page.locator(".message-success")).to_contain_text("2 present")
    expect(page.get_by_role("checkbox", name=re.compile("Maya Alvarez"))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("Noah Bennett"))).not_to_be_checked()
    marked = Attendance.objects.filter(session=session).select_related("enrollment__teacher")
    assert sorted(a.enrollment.teacher.first_name for a in marked) == ["Maya", "Priya"]
    assert {a.marked_by_id for a in marked} == {facilitator.pk}
