"""Reads for applications: scope, eligibility, completeness, review summaries, timelines."""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, F, Prefetch, QuerySet, TextField, Value, When
from django.utils import timezone

from accounts.models import User
from geography.models import Region
from pages.models import TermSheet
from partners.models import MIN_PROGRAM_MANAGER_FTE, OrganizationType

from .models import (
    COMMITMENTS,
    Application,
    ApplicationEvent,
    RegionWindow,
    Review,
    ReviewerAssignment,
    Score,
)

CENT = Decimal("0.01")
PARTNERED = frozenset({Region.Status.SERVED, Region.Status.ONBOARDING})


@dataclass(frozen=True)
class Problem:
    """Something that stands between an application and submission, told plainly."""

    field: str
    message: str


# --- Scope ---------------------------------------------------------------------------------


def regions_reviewed_by(user: User) -> QuerySet[Region]:
    """The regions whose applications a user reviews: all for admins, assigned for RMs."""
    if not user.is_authenticated or not user.is_active:
        return Region.objects.none()
    if user.is_program_admin:
        return Region.objects.all()
    if user.is_regional_manager:
        return Region.objects.filter(application_reviewers__user=user).distinct()
    return Region.objects.none()


def applications_visible_to(user: User) -> QuerySet[Application]:
    """The applications a user may see.

    Program admins: all. Regional managers: those for regions they review (a RegionReviewer
    row). Anyone else signed in: their own, and nothing for someone who has none.
    """
    qs = Application.objects.select_related("region", "applicant")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_program_admin:
        return qs.all()
    if user.is_regional_manager:
        return qs.filter(region__application_reviewers__user=user).distinct()
    return qs.filter(applicant=user)


def applications_reviewable_by(user: User) -> QuerySet[Application]:
    """Applications a user may review or move through review: admins and in-scope RMs only."""
    if not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    if user.is_program_admin or user.is_regional_manager:
        return applications_visible_to(user)
    return Application.objects.none()


def can_review(user: User, application: Application) -> bool:
    return applications_reviewable_by(user).filter(pk=application.pk).exists()


# --- Eligibility and completeness ----------------------------------------------------------


def region_is_open_for_applications(region: Region, *, at=None) -> bool:
    """Open means status `open` and a window of some round around `at` (default: now)."""
    return (
        region.status == Region.Status.OPEN
        and RegionWindow.objects.current(at).filter(region=region).exists()
    )


def application_eligibility(application: Application, *, at=None) -> list[Problem]:
    """The reasons this organization cannot apply for this region, in plain words.

    Only answers given so far are judged, so a half-filled draft is told early; missing
    answers are application_completeness's business.
    """
    problems: list[Problem] = []
    if application.is_us_based is False:
        problems.append(
            Problem(
                "is_us_based",
                "The Regional Partner Program works only with organizations based in the "
                "United States.",
            )
        )
    if application.organization_type == OrganizationType.OTHER:
        problems.append(
            Problem(
                "organization_type",
                "Regional Partners are regional education units, nonprofits or universities; "
                "other kinds of organization are not eligible.",
            )
        )
    if application.pk:
        managers = list(application.program_managers.all())
        total = sum((pm.fte_share for pm in managers), Decimal("0"))
        if managers and total < MIN_PROGRAM_MANAGER_FTE:
            problems.append(
                Problem(
                    "program_managers",
                    f"Program managers must add up to at least {MIN_PROGRAM_MANAGER_FTE} of a "
                    f"full-time position; yours add up to {total:.2f}.",
                )
            )
    region = application.region
    if region is not None:
        if region.status in PARTNERED:
            problems.append(
                Problem(
                    "region",
                    f"{region.name} already has a Regional Partner. You can join the waitlist "
                    "for this region and we will contact you if it opens again.",
                )
            )
        elif not region_is_open_for_applications(region, at=at):
            upcoming = (
                RegionWindow.objects.filter(region=region, opens_at__gt=at or timezone.now())
                .order_by("opens_at")
                .first()
            )
            when = (
                f" The next window opens on {timezone.localtime(upcoming.opens_at):%B %d, %Y}."
                if upcoming and region.status == Region.Status.OPEN
                else ""
            )
            problems.append(
                Problem("region", f"{region.name} is not taking applications right now.{when}")
            )
    return problems


REQUIRED_FIELDS = {
    "region": "Choose the region you are applying for.",
    "legal_name": "Give your organization's legal name.",
    "organization_type": "Say what kind of organization you are.",
    "tax_id": "Give your organization's tax id (EIN).",
    "street": "Give your street address.",
    "city": "Give your city.",
    "state": "Choose your state.",
    "zip_code": "Give your ZIP code.",
    "website": "Give your website.",
    "teachers_year1": "Say how many teachers you plan to reach in year 1.",
    "teachers_year2": "Say how many teachers you plan to reach in year 2.",
    "teachers_year3": "Say how many teachers you plan to reach in year 3.",
    "workshop_venues": "Describe where you would hold workshops.",
    "need_justification": "Explain why you need the funding you request.",
    "current_funding_sources": "Describe your current funding sources.",
}


def application_completeness(application: Application) -> list[Problem]:
    """The sections still missing before the application can be submitted."""
    problems = [
        Problem(name, message)
        for name, message in REQUIRED_FIELDS.items()
        if getattr(application, name) in (None, "")
    ]
    if application.is_us_based is None:
        problems.append(Problem("is_us_based", "Say whether your organization is US-based."))
    if (
        application.state_id
        and application.zip_code_id
        and application.zip_code.state_id != application.state_id
    ):
        problems.append(Problem("zip_code", "The ZIP code is not in the state you chose."))
    if not application.program_managers.exists():
        problems.append(Problem("program_managers", "Name at least one program manager."))
    if not application.courses.exists():
        problems.append(Problem("courses", "Choose the courses you plan to offer."))
    for name in COMMITMENTS:
        if not getattr(application, name):
            label = Application._meta.get_field(name).verbose_name
            problems.append(Problem(name, f"The program asks every partner to commit: {label}."))
    if not application.budget_lines.exists():
        problems.append(Problem("budget_lines", "Add your budget request."))
    references = application.references.count()
    if references != 2:
        problems.append(
            Problem("references", f"Give exactly two references (you gave {references}).")
        )
    current = TermSheet.objects.current()
    if current is None:
        problems.append(
            Problem("accepts_terms", "No term sheet is published yet; please try again later.")
        )
    elif not application.accepts_terms:
        problems.append(Problem("accepts_terms", "Accept the current term sheet."))
    elif application.term_sheet_id != current.pk:
        problems.append(
            Problem(
                "accepts_terms",
                f"A new term sheet (version {current.version}) was published after you "
                "accepted the terms: read it and accept it again.",
            )
        )
    return problems


def application_submit_problems(application: Application) -> list[Problem]:
    """Everything application_submit would refuse: completeness, then eligibility."""
    return application_completeness(application) + application_eligibility(application)


# --- Review --------------------------------------------------------------------------------


def weighted_total(weighted_values: Iterable[tuple[Decimal, int]]) -> Decimal | None:
    """sum(weight * value) / sum(weight), rounded half-up to cents; None if nothing scored."""
    pairs = list(weighted_values)
    weights = sum((weight for weight, _ in pairs), Decimal("0"))
    if not weights:
        return None
    total = sum((weight * value for weight, value in pairs), Decimal("0"))
    return (total / weights).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class ReviewSummary:
    """The reviews of one application, summed up for the decision.

    `totals` are each review's weighted total (see `weighted_total`); reviews with nothing
    scored are left out of `count`, `mean` and `median`.
    """

    count: int
    mean: Decimal | None
    median: Decimal | None
    totals: list[Decimal] = field(default_factory=list)
    pending_reviewers: list[User] = field(default_factory=list)


def review_summaries(applications) -> dict[int, ReviewSummary]:
    """`review_summary` of many applications in three queries, not three each."""
    ids = [application.pk for application in applications]
    reviews = Review.objects.filter(application__in=ids).prefetch_related(
        Prefetch("scores", queryset=Score.objects.select_related("criterion"))
    )
    assignments = ReviewerAssignment.objects.filter(application__in=ids).select_related("reviewer")
    totals: dict[int, list[Decimal]] = {pk: [] for pk in ids}
    reviewed_by: dict[int, set[int]] = {pk: set() for pk in ids}
    for review in reviews:
        reviewed_by[review.application_id].add(review.reviewer_id)
        total = weighted_total((s.criterion.weight, s.value) for s in review.scores.all())
        if total is not None:
            totals[review.application_id].append(total)
    pending: dict[int, list] = {pk: [] for pk in ids}
    for assignment in assignments:
        if assignment.reviewer_id not in reviewed_by[assignment.application_id]:
            pending[assignment.application_id].append(assignment.reviewer)
    summaries = {}
    for pk in ids:
        values = totals[pk]
        if not values:
            summaries[pk] = ReviewSummary(
                count=0, mean=None, median=None, pending_reviewers=pending[pk]
            )
            continue
        mean = (sum(values, Decimal("0")) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)
        median = Decimal(statistics.median(values)).quantize(CENT, rounding=ROUND_HALF_UP)
        summaries[pk] = ReviewSummary(
            count=len(values),
            mean=mean,
            median=median,
            totals=values,
            pending_reviewers=pending[pk],
        )
    return summaries


def review_summary(application: Application) -> ReviewSummary:
    """Mean and median of the reviewers' weighted totals, their count, and who has not
    reviewed yet among the assigned reviewers."""
    return review_summaries([application])[application.pk]


# --- Timelines -----------------------------------------------------------------------------


def application_timeline(application: Application) -> QuerySet[ApplicationEvent]:
    """The full timeline, internal notes included: for the program office only."""
    return application.events.select_related("actor").order_by("at", "pk")


def application_timeline_for_applicant(application: Application) -> QuerySet:
    """The timeline as the applicant sees it: each move, with internal notes blanked.

    A values queryset of at/from_status/to_status/note, so neither the actor nor an internal
    note can leak through a template or serializer.
    """
    return (
        application.events.order_by("at", "pk")
        .annotate(
            public_note=Case(
                When(is_internal=True, then=Value("")), default=F("note"), output_field=TextField()
            )
        )
        .values("at", "from_status", "to_status", "public_note")
    )
