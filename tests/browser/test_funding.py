"""A program manager files a spending report, then adds an independent funding source and sees
the partner's sustainability share change on the funding page (0.0% to 20.0%)."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.program_years import program_year_for
from funding.models import IndependentFunding, SpendingReport
from funding.tests.factories import approved_award
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

from .helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(site):
    partner = PartnerFactory(name="Cascade Computing")
    approved_award(partner, program_year=program_year_for(timezone.localdate()), food="800.00")
    return ProgramManagerFactory(
        partner=partner, user__first_name="Rosa", user__last_name="Quintero"
    ).user


def test_a_manager_files_spending_and_sees_the_sustainability_share_rise(page: Page, site, manager):
    year = program_year_for(timezone.localdate())
    errors: list = []
    page.on("pageerror", lambda error: errors.append(error))
    sign_in(page, site, manager)
    page.goto(site.url + "/manage/partners/cascade-computing/funding/")
    expect(page).to_have_title(re.compile(f"Funding {year} · Cascade Computing"))
    share = page.locator(f'[data-share="{year}"]')
    expect(share).to_have_text("0.0%")

    # File a report: open it, add a line, submit it after the confirmation.
    page.get_by_role("link", name="File a spending report").click()
    page.get_by_role("button", name="Open the report").click()
    expect(page.get_by_role("status")).to_contain_text("The report is open")
    page.get_by_label("Budget line:", exact=True).select_option(label="Food")
    page.get_by_label("Description:", exact=True).fill("Lunch for 24 teachers")
    page.get_by_label("Amount:", exact=True).fill("312.40")
    page.get_by_role("button", name="Add the line").click()
    expect(page.get_by_role("status")).to_contain_text("The line is added")
    expect(page.get_by_role("row", name=re.compile("Lunch for 24 teachers"))).to_contain_text(
        "$312.40"
    )
    page.get_by_role("link", name="Submit the report").click()
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_role("status")).to_contain_text("submitted to the program office")
    report = SpendingReport.objects.get()
    assert report.status == "submitted"
    assert report.lines.get().amount == Decimal("312.40")

    # Back on the funding page: spent shows, the share is still 0.0%.
    page.get_by_role("link", name="Back to funding").click()
    expect(page.get_by_role("row", name=re.compile("^Food"))).to_contain_text("$312.40")
    expect(share).to_have_text("0.0%")

    # An independent source of $200 beside the $800 award: 20.0%.
    page.get_by_role("link", name="Add an independent funding source").click()
    page.get_by_label("Kind of source:", exact=True).select_option(label="Foundation")
    page.get_by_label("From:", exact=True).fill("Evergreen Community Foundation")
    page.get_by_label("Amount:", exact=True).fill("200")
    page.get_by_role("button", name="Add the source").click()
    expect(page.get_by_role("status")).to_contain_text("Evergreen Community Foundation")
    expect(page.locator(f'[data-share="{year}"]')).to_have_text("20.0%")
    assert IndependentFunding.objects.get().program_year == year
    # The chart drew (Chart.js sizes its canvas) and no script failed on the way.
    assert page.locator("#sustainability-chart").evaluate("c => c.width > 0")
    assert errors == []
