"""A program admin on a phone (390 px) opens the audit trail and filters it by a person."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from core.audit import audited
from partners.tests.factories import PartnerFactory

from .helpers import sign_in

pytestmark = pytest.mark.browser


def test_an_admin_filters_the_trail_by_a_person_on_a_phone(page: Page, site):
    admin = UserFactory(role="program_admin", first_name="Avery", last_name="Lindqvist")
    colleague = UserFactory(
        role="program_admin", first_name="Jordan", last_name="Baptiste", email="jordan@office.test"
    )
    with audited(admin, label="test"):
        PartnerFactory(name="Evergreen Computing")
    with audited(colleague, label="test"):
        summit = PartnerFactory(name="Summit Learning")
    with audited(colleague, label="test"):
        summit.name = "Summit CS Hub"
        summit.save()

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, site, admin)

    page.goto(site.url + "/manage/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    table = page.get_by_role("table", name=re.compile("change"))
    expect(table).to_contain_text("Evergreen Computing")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Typed into the labelled search field, without any script.
    page.get_by_label("Person (name or email)").fill("baptiste")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_label("Person (name or email)")).to_have_value("baptiste")
    expect(table).to_contain_text("Summit CS Hub")
    expect(table).not_to_contain_text("Evergreen Computing")
    expect(
        table.get_by_role("cell", name=re.compile("Name: Summit Learning → Summit CS Hub"))
    ).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A person's name in the trail filters by them.
    page.goto(site.url + "/manage/audit/")
    table.get_by_role("link", name="Avery Lindqvist").first.click()
    expect(page).to_have_url(re.compile(rf"actor={admin.pk}"))
    expect(page.get_by_text("Changes by Avery Lindqvist")).to_be_visible()
    expect(table).to_contain_text("Evergreen Computing")
    expect(table).not_to_contain_text("Summit")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
