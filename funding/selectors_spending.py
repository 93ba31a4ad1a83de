"""Reads for spending, cost per teacher and sustainability.

Sums happen in the database (`Sum` with `Coalesce` to a Decimal); only division happens here,
rounded half up to the cent. Callers pass partners already in the user's scope
(`Partner.objects.visible_to`); every function runs a fixed number of queries, however many
lines, workshops or years there are.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from core.program_years import previous_program_year, program_year_label, program_year_start
from partners.models import Partner
from workshops.models import Attendance, Course, Workshop

from .models import (
    AwardLine,
    BudgetCategory,
    Disbursement,
    FundingAward,
    IndependentFunding,
    SpendingLine,
    SpendingReport,
)
from .selectors_awards import share_trend, sustainability_share

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
SUBMITTED = SpendingReport.Status.SUBMITTED
# Awards whose amounts are funding the partner really has (a draft or proposal is not yet).
FUNDED = (FundingAward.Status.APPROVED, FundingAward.Status.CLOSED)
CATEGORY_ORDER = {value: index for index, value in enumerate(BudgetCategory.values)}


def _sum(expression: str, **kwargs):
    return Coalesce(Sum(expression, **kwargs), Value(ZERO), output_field=MONEY)


def _cents(value: Decimal | None) -> Decimal:
    # SQLite hands sums back with more places than two: always two, rounded half up.
    return (value or ZERO).quantize(CENT, ROUND_HALF_UP)


# --- Spending per budget line ---------------------------------------------------------------


@dataclass(frozen=True)
class LineSpending:
    """One budget line of an award: awarded, spent (submitted reports), what is left, and by
    how much it is over. `in_report` is the part of a given report (see `including`)."""

    category: str
    awarded: Decimal | None
    spent: Decimal
    in_report: Decimal = ZERO

    @property
    def label(self) -> str:
        return BudgetCategory(self.category).label

    @property
    def remaining(self) -> Decimal:
        return max((self.awarded or ZERO) - self.spent, ZERO)

    @property
    def over(self) -> Decimal:
        """How much the spending goes past the awarded amount (nothing awarded counts as 0)."""
        return max(self.spent - (self.awarded or ZERO), ZERO)

    @property
    def is_over(self) -> bool:
        return self.over > 0


def award_line_spending(
    award: FundingAward, *, including: SpendingReport | None = None
) -> list[LineSpending]:
    """Per budget line of `award`: awarded, spent on submitted reports and what remains.

    With `including`, that report (a draft) counts as if it were submitted, and its own part
    is in `in_report`: what submitting it would do. Lines spent on without an award line show
    with nothing awarded. Two queries.
    """
    awarded = dict(AwardLine.objects.filter(award=award).values_list("category", "awarded"))
    counted = Q(report__status=SUBMITTED)
    mine = Q(pk__in=[])
    if including is not None:
        mine = Q(report=including)
        counted |= mine
    rows = (
        SpendingLine.objects.filter(report__award=award)
        .values("category")
        .annotate(spent=_sum("amount", filter=counted), in_report=_sum("amount", filter=mine))
        .order_by()
    )
    spent = {row["category"]: (_cents(row["spent"]), _cents(row["in_report"])) for row in rows}
    categories = sorted(set(awarded) | set(spent), key=lambda c: CATEGORY_ORDER.get(c, 99))
    return [
        LineSpending(
            category=category,
            awarded=awarded.get(category),
            spent=spent.get(category, (ZERO, ZERO))[0],
            in_report=spent.get(category, (ZERO, ZERO))[1],
        )
        for category in categories
    ]


@dataclass(frozen=True)
class AwardSummary:
    award: FundingAward
    lines: list[LineSpending]
    disbursed: Decimal

    @property
    def awarded(self) -> Decimal:
        return sum((line.awarded or ZERO for line in self.lines), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((line.spent for line in self.lines), ZERO)

    @property
    def remaining(self) -> Decimal:
        return sum((line.remaining for line in self.lines), ZERO)

    @property
    def over(self) -> Decimal:
        return sum((line.over for line in self.lines), ZERO)

    @property
    def over_lines(self) -> list[LineSpending]:
        return [line for line in self.lines if line.is_over]


def award_summary(award: FundingAward) -> AwardSummary:
    """The award's lines (awarded, spent, remaining, over) and what was disbursed. 3 queries."""
    disbursed = _cents(
        Disbursement.objects.filter(award=award).aggregate(total=_sum("amount"))["total"]
    )
    return AwardSummary(award=award, lines=award_line_spending(award), disbursed=disbursed)


def partner_award(partner: Partner, program_year: str) -> FundingAward | None:
    return FundingAward.objects.filter(partner=partner, program_year=program_year).first()


def spending_reports_for(partner: Partner, program_year: str | None = None) -> QuerySet:
    """The partner's spending reports (newest period first) with their total and line count."""
    reports = SpendingReport.objects.filter(award__partner=partner)
    if program_year:
        reports = reports.filter(award__program_year=program_year)
    return (
        reports.select_related("award", "created_by")
        .annotate(total=_sum("lines__amount"), line_count=Count("lines"))
        .order_by("-period_end", "-pk")
    )


def report_lines(report: SpendingReport) -> QuerySet:
    """A report's lines with their workshop and receipts, in date order (two queries)."""
    return (
        report.lines.select_related("workshop__course", "workshop__kind")
        .prefetch_related("receipts")
        .order_by("spent_on", "pk")
    )


def independent_funding_for(partner: Partner, program_year: str | None = None) -> QuerySet:
    funding = IndependentFunding.objects.filter(partner=partner)
    if program_year:
        funding = funding.filter(program_year=program_year)
    return funding.order_by("-program_year", "kind", "source", "pk")


# --- Cost per teacher -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cost:
    """Spending tied to workshops over the distinct teachers who attended them."""

    spent: Decimal = ZERO
    teachers: int = 0

    @property
    def per_teacher(self) -> Decimal | None:
        if not self.teachers:
            return None
        return _cents(self.spent / self.teachers)


@dataclass(frozen=True)
class WorkshopCost(Cost):
    workshop: Workshop | None = None

    @property
    def partner_id(self) -> int:
        return self.workshop.partner_id

    @property
    def course_id(self) -> int:
        return self.workshop.course_id


@dataclass
class CostPerTeacher:
    program_year: str
    total: Cost
    partners: dict[int, Cost] = field(default_factory=dict)
    partner_courses: dict[tuple[int, int], Cost] = field(default_factory=dict)
    courses: dict[int, Cost] = field(default_factory=dict)
    course_names: dict[int, str] = field(default_factory=dict)
    workshops: list[WorkshopCost] = field(default_factory=list)

    def courses_of(self, partner_id: int) -> list[tuple[int, str, Cost]]:
        """(course id, name, cost) of one partner, in course-name order."""
        rows = [
            (course_id, self.course_names.get(course_id, ""), cost)
            for (pid, course_id), cost in self.partner_courses.items()
            if pid == partner_id
        ]
        return sorted(rows, key=lambda row: row[1])


def cost_per_teacher(
    partner_ids: Iterable[int] | None, program_year: str, *, workshops: bool = True
) -> CostPerTeacher:
    """Cost per teacher in a program year, for the workshops of `partner_ids` (None: all).

    Spending is what submitted reports tie to a workshop of the year; teachers are distinct
    teachers who attended at least one session (`workshops.models.Attendance`). Per
    workshop, per partner, per partner and course, per course and in total; a teacher at
    two workshops counts once in each larger group. Cost is None when no teacher attended.
    With `workshops=False` the per-workshop rows are left out (the program-wide figures).
    Eight queries at most (six without the workshops), whatever their number.
    """
    ids = None if partner_ids is None else list(partner_ids)
    spending = SpendingLine.objects.filter(
        report__status=SUBMITTED, workshop__program_year=program_year
    )
    attendance = Attendance.objects.filter(session__workshop__program_year=program_year)
    if ids is not None:
        spending = spending.filter(workshop__partner_id__in=ids)
        attendance = attendance.filter(session__workshop__partner_id__in=ids)

    spent_rows = list(
        spending.values("workshop_id", "workshop__partner_id", "workshop__course_id")
        .annotate(spent=_sum("amount"))
        .order_by()
    )
    teacher = "enrollment__teacher_id"

    def distinct_teachers(*group: str) -> dict:
        rows = attendance.values(*group).annotate(n=Count(teacher, distinct=True)).order_by()
        if len(group) == 1:
            return {row[group[0]]: row["n"] for row in rows}
        return {tuple(row[g] for g in group): row["n"] for row in rows}

    partner_key, course_key = "session__workshop__partner_id", "session__workshop__course_id"
    by_partner = distinct_teachers(partner_key)
    by_partner_course = distinct_teachers(partner_key, course_key)
    by_course = distinct_teachers(course_key)
    total_teachers = attendance.aggregate(n=Count(teacher, distinct=True))["n"]

    spent_partner: dict[int, Decimal] = {}
    spent_partner_course: dict[tuple[int, int], Decimal] = {}
    spent_course: dict[int, Decimal] = {}
    spent_workshop: dict[int, Decimal] = {}
    for row in spent_rows:
        pid, cid = row["workshop__partner_id"], row["workshop__course_id"]
        amount = _cents(row["spent"])
        spent_workshop[row["workshop_id"]] = amount
        spent_partner[pid] = spent_partner.get(pid, ZERO) + amount
        spent_partner_course[pid, cid] = spent_partner_course.get((pid, cid), ZERO) + amount
        spent_course[cid] = spent_course.get(cid, ZERO) + amount

    result = CostPerTeacher(
        program_year=program_year,
        total=Cost(spent=sum(spent_workshop.values(), ZERO), teachers=total_teachers),
        partners={
            pid: Cost(spent=spent_partner.get(pid, ZERO), teachers=by_partner.get(pid, 0))
            for pid in set(spent_partner) | set(by_partner)
        },
        partner_courses={
            key: Cost(
                spent=spent_partner_course.get(key, ZERO), teachers=by_partner_course.get(key, 0)
            )
            for key in set(spent_partner_course) | set(by_partner_course)
        },
        courses={
            cid: Cost(spent=spent_course.get(cid, ZERO), teachers=by_course.get(cid, 0))
            for cid in set(spent_course) | set(by_course)
        },
    )
    result.course_names = dict(
        Course.objects.filter(pk__in=list(result.courses)).values_list("pk", "name")
    )
    if workshops:
        by_workshop = distinct_teachers("session__workshop_id")
        shown = (
            Workshop.objects.filter(pk__in=set(spent_workshop) | set(by_workshop))
            .select_related("course", "kind", "partner")
            .order_by("course__order", "course__name", "pk")
        )
        result.workshops = [
            WorkshopCost(
                spent=spent_workshop.get(w.pk, ZERO),
                teachers=by_workshop.get(w.pk, 0),
                workshop=w,
            )
            for w in shown
        ]
    return result


@dataclass(frozen=True)
class PartnerCost:
    partner: Partner
    cost: Cost


def cost_comparison(partners: QuerySet, program_year: str) -> list[PartnerCost]:
    """Cost per teacher of each partner in `partners` (already scoped), highest first; those
    with neither spending nor attendance are left out. Seven queries."""
    partners = list(partners.order_by("name"))
    costs = cost_per_teacher([p.pk for p in partners], program_year, workshops=False).partners
    rows = [PartnerCost(partner=p, cost=costs[p.pk]) for p in partners if p.pk in costs]
    return sorted(
        rows,
        key=lambda r: (r.cost.per_teacher is None, -(r.cost.per_teacher or 0), r.partner.name),
    )


# --- Sustainability -------------------------------------------------------------------------


@dataclass(frozen=True)
class YearShare:
    """One program year: the award (approved or closed), independent funding, and the share
    of independent funding in all funding, with its trend against the year before."""

    program_year: str
    awarded: Decimal
    independent: Decimal
    share: Decimal | None
    trend: str | None  # "up", "down", "flat"; None for the first year or without a share

    @property
    def total(self) -> Decimal:
        return self.awarded + self.independent


def sustainability(partner: Partner, years: Iterable[str] | None = None) -> list[YearShare]:
    """Per program year, oldest first: awarded, independent, share and trend vs the prior year.

    `years` (None: every year from the first with funding to the last, gaps included). Two
    queries.
    """
    awarded = {
        year: _cents(total)
        for year, total in AwardLine.objects.filter(
            award__partner=partner, award__status__in=FUNDED
        )
        .values("award__program_year")
        .annotate(total=_sum("awarded"))
        .order_by()
        .values_list("award__program_year", "total")
    }
    independent = {
        year: _cents(total)
        for year, total in IndependentFunding.objects.filter(partner=partner)
        .values("program_year")
        .annotate(total=_sum("amount"))
        .order_by()
        .values_list("program_year", "total")
    }
    if years is None:
        known = sorted(set(awarded) | set(independent))
        years = (
            [
                program_year_label(y)
                for y in range(program_year_start(known[0]), program_year_start(known[-1]) + 1)
            ]
            if known
            else []
        )

    def share(year: str) -> Decimal | None:
        return sustainability_share(awarded.get(year, ZERO), independent.get(year, ZERO))

    rows = []
    for year in sorted(set(years), key=program_year_start):
        now, before = share(year), share(previous_program_year(year))
        trend = share_trend(now, before)
        rows.append(
            YearShare(
                program_year=year,
                awarded=awarded.get(year, ZERO),
                independent=independent.get(year, ZERO),
                share=now,
                trend=trend,
            )
        )
    return rows
