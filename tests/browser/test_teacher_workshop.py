"""A teacher finds a workshop near their school's ZIP, enrolls, and after the workshop
downloads a certificate that the public verification page confirms."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from districts.tests.factories import district_with_schools, served_region
from geography.loader import load_geography
from geography.models import ZipCode
from partners.tests.factories import PartnerFactory
from workshops.models import Attendance, Enrollment, WorkshopSession
from workshops.tests.factories import WorkshopFactory

from .helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def workshops(site):
    load_geography(states=["WA"])
    partner = PartnerFactory(name="Cascade Computing")
    served_region(partner, states=["WA"], name="Washington")
    district_with_schools("98901", name="Yakima School District", nces_id="5399901")
    in_person = {"is_online": False, "online_url": "", "time_zone": "America/Los_Angeles"}
    near = WorkshopFactory(
        partner=partner,
        title="Yakima summer intensive",
        venue="Davis High School",
        city="Yakima",
        zip_code=ZipCode.objects.get(code="98902"),
        **in_person,
    )
    WorkshopFactory(
        partner=partner,
        title="Spokane summer intensive",
        venue="Lewis and Clark High School",
        city="Spokane",
        zip_code=ZipCode.objects.get(code="99201"),
        **in_person,
    )
    return near


def test_a_teacher_enrolls_near_their_school_and_downloads_a_certificate(
    page: Page, site, workshops
):
    teacher = UserFactory(role="teacher", first_name="Ada", last_name="Reyes")
    sign_in(page, site, teacher)

    # Find: Yakima is near 98901, Spokane (about 175 miles) is not.
    page.goto(site.url + "/workshops/")
    page.get_by_label("Near ZIP code").fill("98901")
    page.get_by_label("Within").select_option("25")
    page.get_by_role("button", name=re.compile("Filter|Search|Find|Show")).first.click()
    expect(page.get_by_role("link", name="Yakima summer intensive")).to_be_visible()
    expect(page.get_by_role("link", name="Spokane summer intensive")).to_have_count(0)

    # Enroll, from a school on the list.
    page.get_by_role("link", name="Yakima summer intensive").click()
    expect(page.get_by_text("9:00 AM", exact=False).first).to_be_visible()
    page.get_by_label(re.compile("Yakima School District|School")).first.check()
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_text("You are enrolled in this workshop")).to_be_visible()
    enrollment = Enrollment.objects.get(teacher=teacher)
    assert enrollment.status == "enrolled" and enrollment.school is not None

    # The workshop happens (moved into the past) and the facilitator marks attendance.
    session = WorkshopSession.objects.get(workshop=workshops)
    session.date = timezone.localdate() - datetime.timedelta(days=2)
    session.save()
    Attendance.objects.create(session=session, enrollment=enrollment, method="checklist")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My workshops").click()
    link = page.get_by_role("link", name=re.compile("Certificate"))
    with page.expect_download() as download_info:
        link.first.click(modifiers=["Alt"])  # Alt-click: save the PDF rather than show it
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.goto(site.url + f"/workshops/certificates/{enrollment.certificate_code}/")
    expect(page.get_by_text("Genuine", exact=False)).to_be_visible()
    expect(page.get_by_text("Ada Reyes", exact=False).first).to_be_visible()
