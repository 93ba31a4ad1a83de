"""A teacher looks up their school's ZIP and reaches their Regional Partner."""

import re

import pytest
from playwright.sync_api import Page, expect

from geography.loader import load_geography
from geography.models import RegionState, State
from geography.services import regions_reindex
from geography.tests.factories import RegionFactory
from partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.browser


def test_teacher_finds_their_partner_by_zip(page: Page, site):
    load_geography(states=["WA"])
    partner = PartnerFactory(name="Evergreen Computing Collaborative")
    region = RegionFactory(name="Washington", status="served", partner=partner)
    RegionState.objects.create(region=region, state=State.objects.get(code="WA"))
    regions_reindex()

    page.goto(site.url + "/educate/regional-partner/")
    page.get_by_role("link", name="Find your partner").first.click()
    field = page.get_by_label("Your school's ZIP code")
    field.fill("9810")
    field.press("Enter")
    expect(page.get_by_text("is not a ZIP code")).to_be_visible()
    expect(page.get_by_label("Your school's ZIP code")).to_have_value("9810")

    page.get_by_label("Your school's ZIP code").fill(" 98101-1234 ")
    page.get_by_role("button", name="Find my partner").click()
    expect(page.get_by_role("heading", name="98101: Seattle, Washington")).to_be_visible()
    page.get_by_role("link", name="Evergreen Computing Collaborative").first.click()
    expect(page).to_have_url(re.compile(r"/partners/evergreen-computing-collaborative/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Evergreen Computing Collaborative")
