"""A program manager adds a district partnership with a commitment and registers for a summit.

The workspace overview follows: this year's district commitments turn met, and the summit
shows among the upcoming events as registered.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.program_years import program_year_for
from districts.models import DistrictCommitment, DistrictPartnership
from districts.tests.factories import district_with_schools, served_region
from events.models import EventRegistration
from events.tests.factories import EventFactory, in_days
from geography.loader import load_geography
from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from workshops.models import Course

from .helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(site):
    load_geography(states=["WA"])
    partner = PartnerFactory(name="Cascade Computing", active_since=datetime.date(2024, 7, 1))
    partner.courses.add(
        Course.objects.create(name="CS Discoveries", grade_band=Course.GradeBand.MIDDLE)
    )
    served_region(partner, states=["WA"], name="Washington")
    district_with_schools("98901", "98902", name="Yakima School District", nces_id="5399901")
    district_with_schools("98101", name="Seattle Public Schools", nces_id="5307710")
    EventFactory(name="Partner Summit", starts_on=in_days(30))
    return ProgramManagerFactory(
        partner=partner, user__first_name="Rosa", user__last_name="Quintero"
    ).user


def test_a_manager_adds_a_district_commitment_and_registers_for_a_summit(page: Page, site, manager):
    sign_in(page, site, manager)
    page.get_by_role("link", name="My partner workspace").click()
    expect(page).to_have_title(re.compile("Overview · Cascade Computing"))

    # Add the partnership, with a first commitment.
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Districts").click()
    page.get_by_role("link", name=re.compile("Add a district")).first.click()
    page.get_by_label("Find a district in your regions").fill("Yakima")
    page.get_by_role("button", name="Search").click()
    page.get_by_label(re.compile("Yakima School District")).check()
    page.get_by_label("Contact name").fill("Dana Whitfield")
    page.get_by_label("Contact email").fill("dana.whitfield@example.org")
    this_year = program_year_for(timezone.localdate())
    page.get_by_label("Program year").select_option(this_year)
    page.get_by_label("Course").select_option(label="CS Discoveries")
    page.get_by_label("Teachers committed").fill("12")
    page.get_by_role("button", name="Add the partnership").click()
    expect(page.get_by_role("status")).to_contain_text("Yakima School District")

    partnership = DistrictPartnership.objects.get()
    assert partnership.district.name == "Yakima School District"
    assert partnership.contact_name == "Dana Whitfield"
    commitment = DistrictCommitment.objects.get()
    assert (commitment.course.name, commitment.teachers) == ("CS Discoveries", 12)

    # Register for the summit from the events page of the workspace.
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Events").click()
    page.get_by_role("link", name="Partner Summit").first.click()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("registered")
    registration = EventRegistration.objects.get()
    assert (registration.user, registration.partner.name) == (manager, "Cascade Computing")

    # The overview shows the commitments that changed.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My partner workspace"
    ).click()
    districts = page.get_by_role("row", name=re.compile("District", re.I)).first
    expect(districts).to_contain_text("Met")
    expect(districts).to_contain_text("12 teachers")
    summit = page.get_by_role("row", name=re.compile("^Partner Summit"))
    expect(summit).to_contain_text("Registered")
