"""Factories for applications: by default a complete draft that application_submit accepts."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from geography.loader import load_geography
from geography.models import State, ZipCode
from geography.tests.factories import RegionFactory
from pages.models import TermSheet
from partners.models import OrganizationType
from partners.tests.factories import PartnerFactory
from workshops.models import Course

from ..models import (
    Application,
    ApplicationProgramManager,
    ApplicationRound,
    BudgetRequestLine,
    Criterion,
    DistrictRelationship,
    Reference,
    RegionReviewer,
    RegionWindow,
    Rubric,
    Status,
)

BUDGET = {
    "onsite_staffer": Decimal("12000.00"),
    "facilitator_compensation": Decimal("4500.50"),
    "food": Decimal("1234.56"),
    "venue": Decimal("0.00"),
    "other": Decimal("99.99"),
}


def hawaii() -> tuple[State, ZipCode]:
    """Hawaii with its real ZIP codes (the smallest state to load), and Honolulu's 96813."""
    if not State.objects.filter(code="HI").exists():
        load_geography(states=["HI"])
    return State.objects.get(code="HI"), ZipCode.objects.get(code="96813")


def current_terms() -> TermSheet:
    terms = TermSheet.objects.current()
    if terms is None:
        terms = TermSheet.objects.create(
            version="2026.1", body="Terms.", status="published", published_at=timezone.now()
        )
    return terms


class ApplicationRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationRound

    name = factory.Sequence(lambda n: f"Round {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))


class RegionWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionWindow

    round = factory.SubFactory(ApplicationRoundFactory)
    region = factory.SubFactory(RegionFactory)
    opens_at = factory.LazyAttribute(lambda o: o.round.opens_at)
    closes_at = factory.LazyAttribute(lambda o: o.round.closes_at)


def open_region(**kwargs):
    """A region with status open and a window around now: open for applications."""
    window = RegionWindowFactory(region=RegionFactory(**kwargs))
    return window.region


class RegionReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionReviewer

    region = factory.SubFactory(RegionFactory)
    user = factory.SubFactory(UserFactory, role="regional_manager")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ("name",)

    name = "Middle school CS"
    grade_band = Course.GradeBand.MIDDLE


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft: every section filled, eligible, for an open region.

    `ApplicationFactory(complete=False)` gives an empty draft (applicant and region only).
    """

    class Meta:
        model = Application
        skip_postgeneration_save = True

    class Params:
        complete = True

    applicant = factory.SubFactory(UserFactory, role="applicant")
    region = factory.LazyFunction(open_region)
    status = Status.DRAFT
    legal_name = factory.Maybe(
        "complete", factory.Sequence(lambda n: f"Island Computing Alliance {n}"), ""
    )
    organization_type = factory.Maybe("complete", OrganizationType.NONPROFIT, "")
    tax_id = factory.Maybe("complete", "12-3456789", "")
    is_us_based = factory.Maybe("complete", True, None)
    street = factory.Maybe("complete", "1 Aloha Tower Dr", "")
    city = factory.Maybe("complete", "Honolulu", "")
    state = factory.Maybe("complete", factory.LazyFunction(lambda: hawaii()[0]), None)
    zip_code = factory.Maybe("complete", factory.LazyFunction(lambda: hawaii()[1]), None)
    website = factory.Maybe("complete", "https://example.org", "")
    teachers_year1 = factory.Maybe("complete", 20, None)
    teachers_year2 = factory.Maybe("complete", 40, None)
    teachers_year3 = factory.Maybe("complete", 60, None)
    workshop_venues = factory.Maybe("complete", "Our training center downtown.", "")
    summits_sept_feb = factory.SelfAttribute("complete")
    teacher_conference = factory.SelfAttribute("complete")
    local_workshops_accredited = factory.SelfAttribute("complete")
    community_building = factory.SelfAttribute("complete")
    independent_funding = factory.SelfAttribute("complete")
    metrics = factory.SelfAttribute("complete")
    need_justification = factory.Maybe("complete", "Rural schools need support.", "")
    current_funding_sources = factory.Maybe("complete", "State grant.", "")
    accepts_terms = factory.SelfAttribute("complete")
    term_sheet = factory.Maybe("complete", factory.LazyFunction(lambda: current_terms()), None)

    @factory.post_generation
    def sections(obj, create, extracted, **kwargs):
        if not create or not obj.legal_name:
            return
        obj.courses.add(CourseFactory())
        ApplicationProgramManager.objects.create(
            application=obj, name="Ana Kahale", email="ana@example.org", fte_share=Decimal("0.30")
        )
        ApplicationProgramManager.objects.create(
            application=obj, name="Ben Kai", email="ben@example.org", fte_share=Decimal("0.25")
        )
        DistrictRelationship.objects.create(
            application=obj, district_name="Hawaii DOE", relationship="PD provider since 2019"
        )
        for category, amount in BUDGET.items():
            BudgetRequestLine.objects.create(application=obj, category=category, amount=amount)
        for n in (1, 2):
            Reference.objects.create(
                application=obj,
                name=f"Reference {n}",
                organization="Hawaii DOE",
                email=f"ref{n}@example.org",
                phone="808-555-0100",
            )


def application_in(status: str, **kwargs) -> Application:
    """A complete application already at `status` (set directly: test set-up, not a move)."""
    application = ApplicationFactory(**kwargs)
    if status == Status.DRAFT:
        return application
    now = timezone.now()
    values = {
        "status": status,
        "term_sheet": current_terms(),
        "terms_accepted_at": now,
        "submitted_at": now,
    }
    if status == Status.ACCEPTED:
        values["partner"] = PartnerFactory(status="onboarding")
    Application.objects.filter(pk=application.pk).update(**values)
    application.refresh_from_db()
    return application


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric

    name = factory.Sequence(lambda n: f"Rubric {n}")
    is_active = True
    scale_max = 5


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    rubric = factory.SubFactory(RubricFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("1")
    order = factory.Sequence(int)
