"""Reads for facilitators: who is accredited for what, and who is on a partner's roster.

`accredited_facilitators` is the one definition of "may lead this course's workshops in this
program year": the workshops app restricts assignment with it, the roster pages count with it.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from core.program_years import next_program_year, program_year_for
from partners.models import Partner
from workshops.models import Course

from .models import Accreditation, AccreditationStatus, RosterMember

LIST_PAGE_SIZE = 25
SEARCH_LIMIT = 20


# --- Program years ------------------------------------------------------------------------


def current_program_year(today: datetime.date | None = None) -> str:
    return program_year_for(today or timezone.localdate())


# --- Who may lead a course ----------------------------------------------------------------


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def accredited_facilitators(course: Course | int, program_year: str) -> QuerySet[User]:
    """Active facilitators accredited for `course` in `program_year`: who may lead its workshops.

    A person whose role is no longer facilitator (or who is deactivated) keeps their history
    but may not be assigned, so the role is part of the rule.
    """
    accredited = Accreditation.objects.filter(
        facilitator=OuterRef("pk"),
        course_id=_pk(course),
        program_year=program_year,
        status=AccreditationStatus.ACCREDITED,
    )
    return User.objects.filter(Exists(accredited), role=Role.FACILITATOR, is_active=True)


def is_accredited(user: User, course: Course | int, program_year: str) -> bool:
    """Whether `user` may lead `course`'s workshops in `program_year` (see above)."""
    if not getattr(user, "pk", None):
        return False
    return accredited_facilitators(course, program_year).filter(pk=user.pk).exists()


def year_accreditations(program_year: str, lookup: str = "accreditations") -> Prefetch:
    """Prefetch a person's accreditations of one year, courses in catalogue order."""
    return Prefetch(
        lookup,
        queryset=Accreditation.objects.filter(program_year=program_year)
        .select_related("course")
        .order_by("course__order", "course__name"),
        to_attr="year_accreditations",
    )


# --- Rosters ------------------------------------------------------------------------------


def roster_for(partner: Partner, program_year: str) -> QuerySet[RosterMember]:
    """A partner's roster; each member's `facilitator.year_accreditations` is that year's."""
    return (
        RosterMember.objects.filter(partner=partner)
        .select_related("facilitator", "added_by")
        .prefetch_related(year_accreditations(program_year, "facilitator__accreditations"))
    )


def roster_coverage(
    partners: Iterable[Partner | int] | QuerySet[Partner], program_year: str
) -> dict[int, dict[int, int]]:
    """{partner_id: {course_id: roster facilitators accredited for the course that year}}.

    Every course a partner offers is a key, with 0 when nobody on the roster may lead it (an
    at-risk commitment); courses the roster covers but the partner does not offer are there
    too. Every partner asked about is a key. Three queries at most, however many partners.
    """
    if isinstance(partners, QuerySet):
        partner_ids = list(partners.order_by().values_list("pk", flat=True))
    else:
        partner_ids = [_pk(p) for p in partners]
    coverage: dict[int, dict[int, int]] = {pk: {} for pk in partner_ids}
    if not partner_ids:
        return coverage
    offered = Partner.courses.through.objects.filter(partner_id__in=partner_ids)
    for partner_id, course_id in offered.values_list("partner_id", "course_id"):
        coverage[partner_id][course_id] = 0
    # One filter() call: the year, status and course conditions hold for the same
    # accreditation row, not for any of the person's rows.
    counted = (
        RosterMember.objects.filter(
            partner_id__in=partner_ids,
            facilitator__role=Role.FACILITATOR,
            facilitator__is_active=True,
            facilitator__accreditations__program_year=program_year,
            facilitator__accreditations__status=AccreditationStatus.ACCREDITED,
        )
        .order_by()
        .values_list("partner_id", "facilitator__accreditations__course_id")
        .annotate(n=Count("facilitator_id", distinct=True))
    )
    for partner_id, course_id, n in counted:
        coverage[partner_id][course_id] = n
    return coverage


@dataclass
class RosterRow:
    member: RosterMember
    cells: list[tuple[Course, Accreditation | None]]  # per offered course; None: no row
    other: list[Accreditation]  # accreditations for courses the partner does not offer


@dataclass
class RosterPage:
    program_year: str
    courses: list[Course]  # the partner's offered courses
    rows: list[RosterRow]
    coverage: dict[int, int]  # course_id -> accredited roster facilitators
    uncovered: list[Course] = field(default_factory=list)

    @property
    def course_lines(self) -> list[tuple[Course, int]]:
        return [(c, self.coverage.get(c.pk, 0)) for c in self.courses]


def roster_page(partner: Partner, program_year: str) -> RosterPage:
    """The roster as a table: members by offered course, and the offered courses left bare."""
    courses = list(partner.courses.order_by("order", "name"))
    members = list(roster_for(partner, program_year))
    offered = {c.pk for c in courses}
    rows = []
    for member in members:
        held = member.facilitator.year_accreditations
        by_course = {a.course_id: a for a in held}
        rows.append(
            RosterRow(
                member=member,
                cells=[(c, by_course.get(c.pk)) for c in courses],
                other=[a for a in held if a.course_id not in offered],
            )
        )
    coverage = roster_coverage([partner.pk], program_year)[partner.pk]
    return RosterPage(
        program_year=program_year,
        courses=courses,
        rows=rows,
        coverage=coverage,
        uncovered=[c for c in courses if not coverage.get(c.pk)],
    )


def roster_candidates(partner: Partner, query: str, today: datetime.date | None = None):
    """Facilitators a partner may add: not on its roster, with a non-lapsed accreditation in
    the current or next program year (the rule of `services.roster_add`), matching `query`
    by name or email. Each has `candidate_accreditations` for those two years.
    """
    current = current_program_year(today)
    years = [current, next_program_year(current)]
    standing = Accreditation.objects.filter(
        facilitator=OuterRef("pk"), program_year__in=years
    ).exclude(status=AccreditationStatus.LAPSED)
    people = (
        User.objects.filter(Exists(standing), role=Role.FACILITATOR, is_active=True)
        .exclude(rosters__partner=partner)
        .prefetch_related(
            Prefetch(
                "accreditations",
                queryset=Accreditation.objects.filter(program_year__in=years)
                .exclude(status=AccreditationStatus.LAPSED)
                .select_related("course")
                .order_by("program_year", "course__order"),
                to_attr="candidate_accreditations",
            )
        )
    )
    query = (query or "").strip()
    if query:
        people = people.filter(name_or_email_q(query))
    return people.order_by("last_name", "first_name", "email")[:SEARCH_LIMIT]


def name_or_email_q(query: str) -> Q:
    condition = Q(email__icontains=query)
    for word in query.split()[:4]:
        condition |= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return condition


# --- The program office's list ------------------------------------------------------------


def can_view_accreditations(user) -> bool:
    """Program admins manage accreditations; regional managers read them (partner coaching)."""
    return user.is_authenticated and (user.is_program_admin or user.is_regional_manager)


def can_change_accreditations(user) -> bool:
    return user.is_authenticated and user.is_program_admin


def facilitators_visible_to(user) -> QuerySet[User]:
    """People on the accreditation list: facilitators, and anyone who was ever accredited."""
    if not can_view_accreditations(user):
        return User.objects.none()
    ever = Accreditation.objects.filter(facilitator=OuterRef("pk"))
    return User.objects.filter(Q(role=Role.FACILITATOR) | Exists(ever))


def accreditation_columns(program_year: str) -> list[Course]:
    """The list's course columns: the active catalogue and any course accredited that year."""
    that_year = Accreditation.objects.for_year(program_year).values("course")
    return list(
        Course.objects.filter(Q(is_active=True) | Q(pk__in=that_year)).order_by("order", "name")
    )


@dataclass
class FacilitatorRow:
    person: User
    cells: list[tuple[Course, Accreditation | None]]


def accreditation_page(
    people: QuerySet[User], program_year: str, courses: list[Course], page_number
) -> tuple[Page, list[FacilitatorRow]]:
    """One page of the list, each person with their accreditation per course that year."""
    people = people.annotate(roster_count=Count("rosters", distinct=True)).prefetch_related(
        year_accreditations(program_year)
    )
    page = Paginator(people.order_by("last_name", "first_name", "email"), LIST_PAGE_SIZE).get_page(
        page_number
    )
    rows = []
    for person in page.object_list:
        by_course = {a.course_id: a for a in person.year_accreditations}
        rows.append(
            FacilitatorRow(person=person, cells=[(c, by_course.get(c.pk)) for c in courses])
        )
    return page, rows


def renew_preview(from_year: str, to_year: str) -> dict[str, int]:
    """What `services.accreditations_renew` would do now: rows to copy and rows already there."""
    accredited = Accreditation.objects.filter(
        program_year=from_year, status=AccreditationStatus.ACCREDITED
    )
    existing = Accreditation.objects.filter(
        program_year=to_year, facilitator=OuterRef("facilitator"), course=OuterRef("course")
    )
    eligible = accredited.filter(facilitator__role=Role.FACILITATOR, facilitator__is_active=True)
    already = eligible.filter(Exists(existing)).count()
    total = accredited.count()
    eligible_count = eligible.count()
    return {
        "to_copy": eligible_count - already,
        "already_there": already,
        "not_facilitators": total - eligible_count,
    }


# --- One facilitator ----------------------------------------------------------------------


def facilitator_accreditations(user: User) -> QuerySet[Accreditation]:
    """A person's accreditations in every year, newest year first, courses in order."""
    return (
        Accreditation.objects.filter(facilitator=user)
        .select_related("course", "updated_by")
        .order_by("-program_year", "course__order", "course__name")
    )


def facilitator_rosters(user: User) -> QuerySet[RosterMember]:
    return (
        RosterMember.objects.filter(facilitator=user)
        .select_related("partner")
        .order_by("partner__name")
    )


@dataclass
class FacilitatorHome:
    """What a facilitator's home page shows: this year's accreditations and their rosters."""

    program_year: str
    accreditations: list[Accreditation]
    partners: list[Partner]


def facilitator_home(user: User, today: datetime.date | None = None) -> FacilitatorHome:
    """For `facilitators/_my_accreditations.html` (pass it as `facilitator_home`)."""
    year = current_program_year(today)
    return FacilitatorHome(
        program_year=year,
        accreditations=list(facilitator_accreditations(user).filter(program_year=year)),
        partners=[m.partner for m in facilitator_rosters(user)],
    )
