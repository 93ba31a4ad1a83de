"""What several browser tests share: signing in through the form, and the program dashboard's
partners with a year of figures."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD
from core.program_years import program_year_bounds, program_year_for
from geography.models import Region, RegionState, State
from partners.tests.factories import PartnerFactory
from workshops.models import WorkshopState
from workshops.tests.factories_attendance import (
    AttendanceFactory,
    TeachingReportFactory,
    workshop_with_teachers,
)

YEAR = program_year_for(timezone.localdate())


def sign_in(page: Page, site, user) -> None:
    """Signs `user` in through the sign-in form (with the factories' password)."""
    page.goto(site.url + "/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def dashboard_partner(
    name: str, code: str, fips: str, state_name: str, *, attended: int, students: int
):
    """A partner serving one state, with this program year's `attended` teachers (one ended
    workshop) and a teaching report of `students` students."""
    partner = PartnerFactory(name=name)
    workshop, enrollments = workshop_with_teachers(
        teachers=attended,
        sessions=1,
        starts_on=program_year_bounds(YEAR)[0] + datetime.timedelta(days=20),
        partner=partner,
        state=WorkshopState.ENDED,
    )
    for enrollment in enrollments:
        AttendanceFactory(enrollment=enrollment, session=workshop.sessions.get())
    TeachingReportFactory(
        teacher=enrollments[0].teacher,
        program_year=YEAR,
        workshop=workshop,
        course=workshop.course,
        students=students,
        female_students=students // 2,
        urm_students=students // 3,
    )
    state, _ = State.objects.get_or_create(code=code, defaults={"fips": fips, "name": state_name})
    region = Region.objects.create(name=f"{state_name} region", status="served", partner=partner)
    RegionState.objects.create(region=region, state=state)
    return partner


def dashboard_rows(page: Page) -> list[str]:
    """The partners of the program dashboard's table, in the order shown (their slugs)."""
    return page.locator(".program-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.partner)"
    )
