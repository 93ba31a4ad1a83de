"""Fictional, deterministic partner applications for the demo, so the application pages
have something to show.

Called by `partners.demo.demo_seed` once the demo users, regions and schools exist: one
application round, open now, with a window for every open demo region; the demo regional
managers as the regions' reviewers (regional-manager@demo.test reviews at least three); the
active rubric (created when none is active); and about APPLICATIONS_PER_SCALE applications
per scale step from the demo applicants, in every status but accepted. Accepting one changes
its region and creates a partner: that is left for people to try.

The applications are built with the real services (create, save, submit, transition,
assign, review, decide), so they pass the same rules and their timelines are the real ones;
the timelines are then spread over the past weeks, as if the round had been running. The
services' emails are suppressed while seeding (`mail_suppressed`).

Applications have no `is_demo` flag: demo applications are those of demo applicants. The
round is marked by its name ("Demo round <year>"). The rubric is program configuration that
cannot be told apart from one an admin made, so a reset keeps it and the next seed reuses it.
"""

import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Role, User
from districts.models import District
from funding.models import BudgetCategory, FundingAward
from geography.models import Region, ZipCode
from pages.models import TermSheet
from partners.models import OrganizationType, Partner
from workshops.models import Course

from .models import (
    Application,
    ApplicationEvent,
    ApplicationRound,
    Criterion,
    RegionReviewer,
    RegionWindow,
    Review,
    ReviewerAssignment,
    Rubric,
    Status,
)
from .services import (
    application_create,
    application_save,
    application_submit,
    application_transition,
    review_save,
    reviewer_assign,
)

FIXED_APPLICANT = "applicant@demo.test"
FIXED_REVIEWER = "regional-manager@demo.test"
ROUND_PREFIX = "Demo round "
RUBRIC_NAME = "Partner selection rubric"
FIXED_REVIEWER_REGIONS = 3
DUMMY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

# The statuses of one scale step's applications, in the order they are made. The first
# draft is applicant@demo.test's, half filled.
STATUS_MIX = (
    Status.DRAFT,
    Status.DRAFT,
    Status.SUBMITTED,
    Status.SUBMITTED,
    Status.IN_REVIEW,
    Status.IN_REVIEW,
    Status.IN_REVIEW,
    Status.INTERVIEW,
    Status.REFERENCE_CHECK,
    Status.WAITLISTED,
    Status.DECLINED,
    Status.WITHDRAWN,
)
APPLICATIONS_PER_SCALE = len(STATUS_MIX)
# The moves after submission that lead to each status (the actor is chosen per move).
PATHS = {
    Status.DRAFT: (),
    Status.SUBMITTED: (),
    Status.IN_REVIEW: (Status.IN_REVIEW,),
    Status.INTERVIEW: (Status.IN_REVIEW, Status.INTERVIEW),
    Status.REFERENCE_CHECK: (Status.IN_REVIEW, Status.INTERVIEW, Status.REFERENCE_CHECK),
    Status.WAITLISTED: (Status.IN_REVIEW, Status.WAITLISTED),
    Status.DECLINED: (Status.IN_REVIEW, Status.DECLINED),
    Status.WITHDRAWN: (Status.IN_REVIEW, Status.WITHDRAWN),
}
# How good the application is (the reviewers' scores gather around it, on a 0-5 scale).
QUALITY = {
    Status.SUBMITTED: (2.5, 4.5),
    Status.IN_REVIEW: (2.0, 4.5),
    Status.INTERVIEW: (3.6, 4.6),
    Status.REFERENCE_CHECK: (3.8, 4.8),
    Status.WAITLISTED: (3.0, 3.8),
    Status.DECLINED: (1.2, 2.6),
    Status.WITHDRAWN: (2.5, 4.0),
}

CRITERIA = (
    (
        "Relationships with school districts",
        "2.00",
        "Existing, working relationships with districts in the region: who they are, what the "
        "organization already does with them, and whether district leaders will send teachers.",
    ),
    (
        "Capacity and staffing",
        "1.50",
        "Program managers with enough time (at least half a full-time position between them), "
        "a plan for recruiting facilitators, and experience running professional learning.",
    ),
    (
        "Plan for teachers",
        "1.50",
        "Realistic teacher numbers for three years, the courses offered, and workshop venues "
        "teachers across the region can reach.",
    ),
    (
        "Need",
        "1.00",
        "How much the region's schools need support to start or grow computer science, and "
        "whether the budget request follows from that need.",
    ),
    (
        "Sustainability",
        "1.00",
        "Funding and partnerships that keep the program going as program support tapers off.",
    ),
)

ORG_TYPES = (
    (OrganizationType.NONPROFIT, 45),
    (OrganizationType.REGIONAL_EDUCATION_UNIT, 35),
    (OrganizationType.UNIVERSITY, 20),
)
ORG_NAMES = {
    OrganizationType.NONPROFIT: (
        "{c} Computing Collaborative",
        "Code {c}",
        "{c} CS Alliance",
        "{c} STEM Partnership",
        "{c} Tech Education Network",
    ),
    OrganizationType.REGIONAL_EDUCATION_UNIT: (
        "{c} Regional Education Service Center",
        "{c} Area Education Cooperative",
        "{c} Educational Service Agency",
    ),
    OrganizationType.UNIVERSITY: (
        "{c} College Center for Computing Education",
        "University of {c} K-12 Computing Outreach",
        "{c} State University CS Teacher Institute",
    ),
}
STREETS = (
    "Main Street", "College Avenue", "Commerce Drive", "Education Way", "Park Road",
    "Library Lane", "Innovation Boulevard", "River Street", "Oak Avenue", "Center Street",
)  # fmt: skip
PM_FIRST = (
    "Alma", "Bruno", "Celia", "Dev", "Edith", "Fernando", "Gloria", "Hugo", "Ines", "Jonah",
    "Keiko", "Luis", "Marisol", "Nils", "Odette", "Pavel", "Renata", "Silas", "Tova", "Umar",
)  # fmt: skip
PM_LAST = (
    "Arroyo", "Bjornsen", "Castaneda", "Dubois", "Eastman", "Fonseca", "Gallagher", "Hayashi",
    "Ingram", "Jovanovic", "Kowalski", "Lindqvist", "Moreau", "Novak", "Oyelaran", "Prescott",
    "Quiroga", "Rasmussen", "Sato", "Tremblay",
)  # fmt: skip
RELATIONSHIPS = (
    "Summer CS workshops for its teachers since {y}",
    "Co-designed its middle school CS pathway in {y}",
    "Runs its after-school coding clubs at three schools",
    "Coaches its new CS teachers through their first year",
    "Hosts its district leaders' CS planning meetings",
)
VENUES = (
    "Our training center in {c}, plus two partner high schools elsewhere in {r} so no "
    "teacher drives more than an hour.",
    "Classrooms at {c} public schools in the summer, and the district offices of our partner "
    "districts during the school year.",
    "A rotating set of district professional-development rooms across {r}, with online "
    "follow-ups for the most rural schools.",
)
NEEDS = (
    "Fewer than a third of the high schools in {r} offer any computer science course, and "
    "most of the teachers who would teach it have never been trained.",
    "Rural districts in {r} have no one to train their teachers; the nearest professional "
    "learning is a long drive away. The budget pays for a staffer and local facilitators.",
    "Districts in {r} want to start CS in the middle grades but lack teachers with any "
    "computing background; we would train cohorts of teachers from each district together.",
)
FUNDING = (
    "A state computer science education grant (through next June) and two local foundations.",
    "Our general budget, district fees for professional development, and a corporate sponsor.",
    "University outreach funds and a federal teacher-quality subgrant.",
)
NOTES = {
    Status.IN_REVIEW: ("Eligible and complete; assigned for review.", "Ready for review."),
    Status.INTERVIEW: (
        "Strong district letters; interview to discuss staffing.",
        "Interview scheduled with both program managers.",
    ),
    Status.REFERENCE_CHECK: (
        "Good interview; calling both references.",
        "Interview went well: reference check.",
    ),
    Status.WAITLISTED: (
        "A solid plan, but a stronger application for this region is further along.",
        "Capacity is thin for now; we would take them up if the region stays open.",
    ),
    Status.DECLINED: (
        "No working district relationships yet, and the teacher numbers are not credible.",
        "The program managers add up to too little time for a region this size.",
    ),
    Status.WITHDRAWN: (
        "We have lost our main funder for next year and cannot commit to the program now.",
        "Our board decided to focus on our existing programs this year.",
    ),
}
COMMENTS = (
    "Clear plan and good district ties; staffing is the open question.",
    "Teacher numbers look ambitious for year one.",
    "Strong need case. Budget is reasonable.",
    "Would like to hear more about sustainability after year two.",
    "Good fit for the region; references should confirm the district work.",
    "",
)

Progress = Callable[[int], None]


@dataclass
class DemoApplications:
    applications: Counter = field(default_factory=Counter)
    reviews: int = 0
    notes: list[str] = field(default_factory=list)


# -- email -------------------------------------------------------------------------------------


@contextmanager
def mail_suppressed() -> Iterator[None]:
    """Send no email from the block: the services email applicants as the demo is built.

    The services send after commit (`transaction.on_commit(message.send)`), and a message
    looks up settings.EMAIL_BACKEND only when it is sent. So:

    - Inside the block settings.EMAIL_BACKEND is the dummy backend: what is sent in it goes
      nowhere, including the after-commit emails of a transaction that commits in it, which
      is why `demo_seed` opens its transaction inside this block. (Not
      `django.test.override_settings`: this is runtime code. Its only caller is a management
      command, so changing the setting for the process, and back, is fine.)
    - When the block ends inside a caller's transaction, whose commit comes later, the emails
      queued in the block are taken off the connection's after-commit list (Django's own
      `run_on_commit`, which its test tools read too); other after-commit work stays.
    """
    connection = transaction.get_connection()
    queued_before = len(connection.run_on_commit)
    previous = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = DUMMY_BACKEND
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = previous
        if connection.in_atomic_block:
            connection.run_on_commit[queued_before:] = [
                callback
                for callback in connection.run_on_commit[queued_before:]
                if not isinstance(getattr(callback[1], "__self__", None), EmailMessage)
            ]


# -- deletion ----------------------------------------------------------------------------------


def demo_applications_blockers() -> list[str]:
    """What would stop the demo users and regions from being deleted (both are PROTECTed),
    in plain words: rows that are not demo rows, which the demo never deletes."""
    problems = []
    foreign = Application.objects.filter(region__is_demo=True).exclude(applicant__is_demo=True)
    if count := foreign.count():
        problems.append(f"{count} application(s) for demo regions by people who are not demo users")
    reviews = Review.objects.filter(reviewer__is_demo=True).exclude(
        application__applicant__is_demo=True
    )
    if count := reviews.count():
        problems.append(f"{count} review(s) by demo users of applications that are not demo ones")
    return problems


def demo_applications_delete() -> int:
    """Delete the demo applications (with their timelines, reviews and sections) and the demo
    rounds (with their windows). Run before the demo users and regions are deleted: an
    application PROTECTs its applicant and region.

    A partner created by accepting a demo application is demo data too: its funding awards
    (which PROTECT it) go now, and it is flagged `is_demo` so it goes with the demo partners,
    after the demo regions that point at it.
    """
    demo = Application.objects.filter(applicant__is_demo=True)
    deleted = 0
    onboarded = Partner.objects.filter(application__in=demo, is_demo=False)
    if onboarded.exists():
        count, _ = FundingAward.objects.filter(partner__in=onboarded).delete()
        deleted += count
        onboarded.update(is_demo=True)
    count, _ = demo.delete()
    deleted += count
    count, _ = ApplicationRound.objects.filter(name__startswith=ROUND_PREFIX).delete()
    return deleted + count


# -- seeding -----------------------------------------------------------------------------------


@dataclass
class _Context:
    rng: random.Random
    now: datetime
    admin: User
    admins: list[User]
    rubric: Rubric
    criteria: list[Criterion]
    courses: list[Course]
    terms: TermSheet | None
    reviewers: dict[int, list[User]]  # region pk -> its reviewers, the fixed RM first
    names: set[str] = field(default_factory=set)


def demo_applications(
    *, rng: random.Random, scale: int, progress: Progress | None = None
) -> DemoApplications:
    """Create the demo round, reviewers, rubric and applications (see the module docstring).

    Call with emails suppressed (`mail_suppressed`). Deterministic for a given `rng` state
    and database, except for the timestamps.
    """
    tick = progress or (lambda n: None)
    report = DemoApplications()
    regions = list(Region.objects.filter(is_demo=True, status=Region.Status.OPEN).order_by("name"))
    demo_users = User.objects.filter(is_demo=True, is_active=True).order_by("email")
    admins = list(demo_users.filter(role=Role.PROGRAM_ADMIN))
    managers = list(demo_users.filter(role=Role.REGIONAL_MANAGER))
    applicants = list(demo_users.filter(role=Role.APPLICANT))
    if not (regions and admins and managers and applicants):
        report.notes.append("No open demo region (or no demo reviewers): no demo applications.")
        return report

    now = timezone.now()
    _round_open(now, regions)
    reviewers = _reviewers_assign(regions, managers, rng)
    rubric = _rubric()
    if rubric.name != RUBRIC_NAME:
        report.notes.append(f"Demo reviews use the active rubric, {rubric.name}.")
    terms = TermSheet.objects.current()
    if terms is None:
        report.notes.append("No published term sheet: the demo applications stay drafts.")
    admin = next((u for u in admins if u.email.endswith("@demo.test")), admins[0])
    ctx = _Context(
        rng=rng,
        now=now,
        admin=admin,
        admins=admins,
        rubric=rubric,
        criteria=list(rubric.criteria.order_by("order", "pk")),
        courses=list(Course.objects.filter(is_active=True).order_by("order", "pk")),
        terms=terms,
        reviewers=reviewers,
    )

    fixed = next((u for u in applicants if u.email == FIXED_APPLICANT), applicants[0])
    others = [u for u in applicants if u != fixed] or [fixed]
    rng.shuffle(others)
    order = list(regions)
    rng.shuffle(order)
    statuses = [s for _ in range(scale) for s in STATUS_MIX]
    for number, status in enumerate(statuses):
        applicant = fixed if number == 0 else others[(number - 1) % len(others)]
        region = order[number % len(order)]
        if terms is None:
            status = Status.DRAFT
        application = _application(ctx, applicant, region, status, half=number == 0)
        _backdate(ctx, application, days_ago=rng.uniform(2, 12) if number == 0 else None)
        tick(1)
    return _report_counts(report)


def _round_open(now: datetime, regions: list[Region]) -> ApplicationRound:
    opens, closes = now - timedelta(days=60), now + timedelta(days=60)
    round_ = ApplicationRound.objects.create(
        name=f"{ROUND_PREFIX}{timezone.localdate(now).year}", opens_at=opens, closes_at=closes
    )
    RegionWindow.objects.bulk_create(
        RegionWindow(round=round_, region=region, opens_at=opens, closes_at=closes)
        for region in regions
    )
    return round_


def _reviewers_assign(
    regions: list[Region], managers: list[User], rng: random.Random
) -> dict[int, list[User]]:
    """Each open region gets a regional manager in turn; the fixed one also reviews three."""
    fixed = next((u for u in managers if u.email == FIXED_REVIEWER), managers[0])
    others = [u for u in managers if u != fixed] or [fixed]
    reviewers: dict[int, list[User]] = {}
    for number, region in enumerate(regions):
        reviewers[region.pk] = [others[number % len(others)]]
    for region in rng.sample(regions, min(FIXED_REVIEWER_REGIONS, len(regions))):
        if fixed not in reviewers[region.pk]:
            reviewers[region.pk].insert(0, fixed)
    RegionReviewer.objects.bulk_create(
        RegionReviewer(region_id=pk, user=user) for pk, users in reviewers.items() for user in users
    )
    return reviewers


def _rubric() -> Rubric:
    """The active rubric (only one may be active), or the demo one, created or re-activated,
    when none is."""
    active = Rubric.objects.filter(is_active=True).first()
    if active:
        return active
    rubric, created = Rubric.objects.get_or_create(name=RUBRIC_NAME)
    rubric.is_active = True
    rubric.save(update_fields=["is_active"])
    if created:
        Criterion.objects.bulk_create(
            Criterion(rubric=rubric, name=name, weight=Decimal(weight), description=text, order=i)
            for i, (name, weight, text) in enumerate(CRITERIA)
        )
    return rubric


def _application(
    ctx: _Context, applicant: User, region: Region, status: str, *, half: bool
) -> Application:
    rng = ctx.rng
    application = application_create(user=applicant, region=region)
    data = _answers(ctx, applicant, region)
    if half:
        # Organization, region and people: the first sections, as someone halfway through.
        keep = {"region", "legal_name", "organization_type", "tax_id", "is_us_based", "street"}
        keep |= {"city", "zip_code", "website", "program_managers", "district_relationships"}
        data = {k: v for k, v in data.items() if k in keep}
    elif status == Status.DRAFT:
        data = {k: v for k, v in data.items() if k not in ("references", "accepts_terms")}
    application_save(application=application, user=applicant, data=data)
    if status == Status.DRAFT:
        return application

    application_submit(application=application, user=applicant)
    region_reviewers = ctx.reviewers[region.pk]
    reviewer_assign(application=application, reviewer=region_reviewers[0], user=ctx.admin)
    low, high = QUALITY[status]
    quality = rng.uniform(low, high)
    for move in PATHS[status]:
        if move == Status.WITHDRAWN:
            actor = applicant
        elif move in (Status.WAITLISTED, Status.DECLINED):
            actor = ctx.admin
        else:
            actor = region_reviewers[0]
        note = rng.choice(NOTES[move])
        application_transition(application=application, user=actor, to_status=move, note=note)
        if move == Status.IN_REVIEW and status != Status.WITHDRAWN:
            _reviews(ctx, application, region_reviewers, quality)
    return application


def _reviews(
    ctx: _Context, application: Application, region_reviewers: list[User], quality: float
) -> None:
    """One to three reviews: the region's first reviewer, then others or program admins."""
    rng = ctx.rng
    pool = region_reviewers + ctx.admins
    count = rng.randint(1, min(3, len(pool)))
    chosen = pool[:1] + rng.sample(pool[1:], count - 1)
    top = ctx.rubric.scale_max
    for reviewer in chosen:
        if reviewer not in region_reviewers[:1]:
            reviewer_assign(application=application, reviewer=reviewer, user=ctx.admin)
        scores = {
            c.pk: max(0, min(top, round((quality + rng.gauss(0, 0.7)) * top / 5)))
            for c in ctx.criteria
        }
        review_save(
            application=application, reviewer=reviewer, scores=scores, comment=rng.choice(COMMENTS)
        )
    if rng.random() < 0.4:  # someone asked who has not reviewed yet
        waiting = [u for u in pool if u not in chosen]
        if waiting:
            reviewer_assign(application=application, reviewer=waiting[0], user=ctx.admin)


def _answers(ctx: _Context, applicant: User, region: Region) -> dict:
    """A complete, eligible set of answers for application_save."""
    rng = ctx.rng
    zips = list(
        ZipCode.objects.filter(region=region, kind=ZipCode.Kind.STANDARD)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    home = ZipCode.objects.select_related("state").get(pk=rng.choice(zips)) if zips else None
    city = home.city.title() if home else region.name
    types, weights = zip(*ORG_TYPES, strict=True)
    org_type = rng.choices(types, weights)[0]
    name = rng.choice(ORG_NAMES[org_type]).format(c=city)
    if name in ctx.names:
        name = f"{name} of {region.name}"
    n = 2
    while name in ctx.names:
        name, n = f"{name} {n}", n + 1
    ctx.names.add(name)
    host = slugify(name)[:50].strip("-")

    first, last = rng.choice(PM_FIRST), rng.choice(PM_LAST)
    managers = [
        {
            "name": applicant.get_full_name() or applicant.email,
            "email": applicant.email,
            "fte_share": rng.choice((Decimal("0.50"), Decimal("0.60"), Decimal("1.00"))),
        }
    ]
    if rng.random() < 0.6:
        managers.append(
            {
                "name": f"{first} {last}",
                "email": f"{first}.{last}@{host}.example.org".lower(),
                "fte_share": rng.choice((Decimal("0.25"), Decimal("0.40"), Decimal("0.50"))),
            }
        )
    districts = list(
        District.objects.filter(is_demo=True, zip_code__region=region)
        .order_by("nces_id")
        .values_list("name", flat=True)
    )
    chosen = rng.sample(districts, min(len(districts), rng.randint(1, 3)))
    references = []
    for number in range(2):
        first, last = rng.choice(PM_FIRST), rng.choice(PM_LAST)
        org = chosen[number] if number < len(chosen) else f"{region.name} Department of Education"
        references.append(
            {
                "name": f"{first} {last}",
                "organization": org,
                "email": f"{first}.{last}@{slugify(org)[:40].strip('-')}.example.org".lower(),
                "phone": f"(555) 555-01{rng.randint(0, 99):02d}",
            }
        )
    year1 = rng.randint(12, 40)
    year2 = year1 + rng.randint(5, 25)
    course_count = rng.randint(min(2, len(ctx.courses)), len(ctx.courses)) if ctx.courses else 0
    data = {
        "region": region,
        "legal_name": name,
        "organization_type": org_type,
        "tax_id": f"{rng.randint(10, 99)}-{rng.randint(0, 9_999_999):07d}",
        "is_us_based": True,
        "street": f"{rng.randint(1, 40) * 25} {rng.choice(STREETS)}",
        "city": city,
        "zip_code": home,
        "website": f"https://{host}.example.org",
        "teachers_year1": year1,
        "teachers_year2": year2,
        "teachers_year3": year2 + rng.randint(5, 30),
        "workshop_venues": rng.choice(VENUES).format(c=city, r=region.name),
        "need_justification": rng.choice(NEEDS).format(r=region.name),
        "current_funding_sources": rng.choice(FUNDING),
        "accepts_terms": ctx.terms is not None,
        "summits_sept_feb": True,
        "teacher_conference": True,
        "local_workshops_accredited": True,
        "community_building": True,
        "independent_funding": True,
        "metrics": True,
        "courses": ctx.courses[:course_count],
        "budget": {
            BudgetCategory.ONSITE_STAFFER: Decimal(rng.randint(16, 40) * 500),
            BudgetCategory.FACILITATOR_COMPENSATION: Decimal(rng.randint(12, 36) * 250),
            BudgetCategory.FOOD: Decimal(rng.randint(10, 40) * 100),
            BudgetCategory.VENUE: Decimal(rng.randint(0, 12) * 250),
            BudgetCategory.OTHER: Decimal(rng.randint(0, 30) * 50),
        },
        "program_managers": managers,
        "district_relationships": [
            {
                "district_name": district,
                "relationship": rng.choice(RELATIONSHIPS).format(y=rng.randint(2015, 2024)),
            }
            for district in chosen
        ],
        "references": references,
    }
    if home is None:
        del data["zip_code"]
    return data


def _backdate(ctx: _Context, application: Application, *, days_ago: float | None) -> None:
    """Spread the timeline over the past weeks: the services stamped everything `now`."""
    rng = ctx.rng
    events = list(application.events.order_by("at", "pk"))
    start = ctx.now - timedelta(days=days_ago if days_ago is not None else rng.uniform(8, 55))
    gaps = [timedelta(days=rng.uniform(0.5, 6), hours=rng.uniform(0, 8)) for _ in events[1:]]
    room = ctx.now - timedelta(hours=6) - start
    total = sum(gaps, timedelta())
    if total > room:
        gaps = [gap * (room / total) for gap in gaps]
    at = start
    stamps = [at]
    for gap in gaps:
        at += gap
        stamps.append(at)
    for event, stamp in zip(events, stamps, strict=True):
        event.at = stamp
    ApplicationEvent.objects.bulk_update(events, ["at"])

    when = {event.to_status: event.at for event in events}
    last = stamps[-1]
    if application.status == Status.DRAFT:
        last = min(ctx.now - timedelta(hours=2), start + timedelta(days=rng.uniform(0.1, 2)))
    values = {"created_at": start, "updated_at": last}
    if Status.SUBMITTED in when:
        values.update(submitted_at=when[Status.SUBMITTED], terms_accepted_at=when[Status.SUBMITTED])
    decided = [when[s] for s in (Status.WAITLISTED, Status.DECLINED) if s in when]
    if decided:
        values["decided_at"] = decided[0]
    Application.objects.filter(pk=application.pk).update(**values)
    # Assignments when review began, reviews some time after (before the next move).
    began = when.get(Status.IN_REVIEW, when.get(Status.SUBMITTED, start))
    ReviewerAssignment.objects.filter(application=application).update(created_at=began)
    following = [stamp for stamp in stamps if stamp > began]
    end = following[0] if following else ctx.now - timedelta(hours=1)
    for review in Review.objects.filter(application=application).order_by("pk"):
        stamp = began + (end - began) * rng.uniform(0.2, 0.9)
        Review.objects.filter(pk=review.pk).update(created_at=stamp, updated_at=stamp)


# -- report ------------------------------------------------------------------------------------


def demo_application_counts() -> dict[str, int]:
    """The demo applications by status, in the order of the statuses."""
    counts = dict(
        Application.objects.filter(applicant__is_demo=True)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {status: counts[status] for status in Status.values if status in counts}


def _report_counts(report: DemoApplications) -> DemoApplications:
    report.applications = Counter(demo_application_counts())
    report.reviews = Review.objects.filter(application__applicant__is_demo=True).count()
    return report
