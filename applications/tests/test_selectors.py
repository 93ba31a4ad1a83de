import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from applications.models import ApplicationProgramManager, Status
from applications.selectors import (
    application_completeness,
    application_eligibility,
    application_timeline,
    application_timeline_for_applicant,
    applications_visible_to,
    review_summary,
)
from applications.services import application_transition, application_withdraw
from applications.tests.factories import (
    ApplicationFactory,
    RegionReviewerFactory,
    RegionWindowFactory,
    application_in,
)
from geography.tests.factories import RegionFactory
from partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _fields(problems):
    return [problem.field for problem in problems]


# --- Scope ------------------------------------------------------------------------------


def test_visibility_by_role(make_user, program_admin):
    mine = ApplicationFactory(complete=False)
    theirs = ApplicationFactory(complete=False)
    coach = RegionReviewerFactory(region=theirs.region).user
    idle_coach = make_user(role="regional_manager")
    RegionReviewerFactory(user=coach, region=RegionFactory())  # a second region, no applications

    assert list(applications_visible_to(mine.applicant)) == [mine]
    assert set(applications_visible_to(program_admin)) == {mine, theirs}
    assert list(applications_visible_to(coach)) == [theirs]
    assert not applications_visible_to(idle_coach).exists()
    assert not applications_visible_to(make_user(role="teacher")).exists()
    assert not applications_visible_to(AnonymousUser()).exists()
    mine.applicant.is_active = False
    assert not applications_visible_to(mine.applicant).exists()


# --- Eligibility ------------------------------------------------------------------------


def test_a_complete_application_is_eligible_and_complete():
    application = ApplicationFactory()
    assert application_eligibility(application) == []
    assert application_completeness(application) == []


def test_outside_the_us_is_ineligible():
    application = ApplicationFactory(is_us_based=False)
    (problem,) = application_eligibility(application)
    assert problem.field == "is_us_based"
    assert "United States" in problem.message


def test_other_organization_types_are_ineligible():
    application = ApplicationFactory(organization_type="other")
    assert _fields(application_eligibility(application)) == ["organization_type"]
    for kind in ("reu", "nonprofit", "university"):
        application.organization_type = kind
        assert application_eligibility(application) == []


@pytest.mark.parametrize(("extra", "eligible"), [("0.15", False), ("0.20", True), ("0.45", True)])
def test_program_manager_fte_must_reach_half(extra, eligible):
    application = ApplicationFactory(complete=False)  # no managers yet: not judged
    assert application_eligibility(application) == []
    ApplicationProgramManager.objects.create(
        application=application, name="A", email="a@x.org", fte_share=Decimal("0.30")
    )
    ApplicationProgramManager.objects.create(
        application=application, name="B", email="b@x.org", fte_share=Decimal(extra)
    )
    problems = application_eligibility(application)
    assert (problems == []) is eligible
    if not eligible:
        assert _fields(problems) == ["program_managers"]
        assert "0.45" in problems[0].message


@pytest.mark.parametrize("status", ["served", "onboarding"])
def test_a_region_with_a_partner_offers_its_waitlist(status):
    region = RegionFactory(status=status, partner=PartnerFactory())
    RegionWindowFactory(region=region)
    (problem,) = application_eligibility(ApplicationFactory(complete=False, region=region))
    assert problem.field == "region"
    assert "waitlist" in problem.message


def test_a_region_must_be_open_with_a_current_window():
    now = timezone.now()
    closed = RegionFactory(status="closed")
    RegionWindowFactory(region=closed)
    no_window = RegionFactory()
    past = RegionFactory()
    RegionWindowFactory(
        region=past,
        round__opens_at=now - datetime.timedelta(days=60),
        round__closes_at=now - datetime.timedelta(days=1),
    )
    future = RegionFactory()
    RegionWindowFactory(
        region=future,
        round__opens_at=datetime.datetime(2099, 3, 1, 12, tzinfo=datetime.UTC),
        round__closes_at=datetime.datetime(2099, 4, 1, 12, tzinfo=datetime.UTC),
    )
    for region in (closed, no_window, past, future):
        (problem,) = application_eligibility(ApplicationFactory(complete=False, region=region))
        assert problem.field == "region"
        assert "not taking applications right now" in problem.message
    (problem,) = application_eligibility(ApplicationFactory(complete=False, region=future))
    assert "next window opens on March 01, 2099" in problem.message


def test_completeness_of_an_empty_draft():
    problems = application_completeness(ApplicationFactory(complete=False, region=None))
    fields = set(_fields(problems))
    assert {"region", "legal_name", "website", "teachers_year3", "workshop_venues"} <= fields
    assert {"summits_sept_feb", "metrics", "references", "accepts_terms"} <= fields


# --- Timelines and reviews --------------------------------------------------------------


def test_applicant_timeline_hides_internal_notes(program_admin):
    application = application_in(Status.SUBMITTED)
    application_transition(
        application=application,
        user=program_admin,
        to_status="in_review",
        note="Budget looks padded.",
    )
    application_withdraw(application=application, user=application.applicant, note="Other plans.")
    public = list(application_timeline_for_applicant(application))
    assert [(e["from_status"], e["to_status"], e["public_note"]) for e in public] == [
        ("submitted", "in_review", ""),
        ("in_review", "withdrawn", "Other plans."),
    ]
    assert "Budget looks padded." not in str(public)
    assert all("actor" not in row and "note" not in row for row in public)
    assert [e.note for e in application_timeline(application)] == [
        "Budget looks padded.",
        "Other plans.",
    ]


def test_review_summary_without_reviews(program_admin):
    application = application_in(Status.SUBMITTED)
    summary = review_summary(application)
    assert (summary.count, summary.mean, summary.median) == (0, None, None)
    assert summary.pending_reviewers == []
