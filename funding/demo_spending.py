"""Demo data: spending reports on the demo partners' approved (and closed) awards, and their
independent funding, rising year on year.

Runs after `demo_awards`. Submitted reports cover the half-years of each approved award that
have ended by `today` (July-December, January-June), one line or two per budget line, some
tied to the partner's demo workshops of the year. One partner went over one line, and said
why. No receipt files: the demo writes nothing to disk. Same seed, same rows.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from core.program_years import program_year_bounds, program_year_for, program_year_label
from partners.models import Partner
from workshops.models import Workshop

from .models import (
    AwardLine,
    BudgetCategory,
    FundingAward,
    FundingSourceKind,
    IndependentFunding,
    SpendingLine,
    SpendingReport,
)

CENT = Decimal("0.01")
DESCRIPTIONS = {
    BudgetCategory.ONSITE_STAFFER: ("Onsite staffer, workshop days", "Staffer hours, check-in"),
    BudgetCategory.FACILITATOR_COMPENSATION: ("Facilitator stipends", "Facilitator prep hours"),
    BudgetCategory.FOOD: ("Lunch for teachers", "Coffee and breakfast", "Snacks, afternoon"),
    BudgetCategory.VENUE: ("Room rental", "Projector and Wi-Fi at the venue"),
    BudgetCategory.OTHER: ("Printing of workbooks", "Name badges and supplies"),
}
# Spending tied to a workshop (the rest is the partner's general costs).
WORKSHOP_CATEGORIES = {
    BudgetCategory.FACILITATOR_COMPENSATION,
    BudgetCategory.FOOD,
    BudgetCategory.VENUE,
}
OVER_NOTE = (
    "The venue we booked closed for repairs two weeks before the summer workshop; the only "
    "room left nearby cost more. Agreed with our regional manager on the phone."
)
SOURCES = {
    FundingSourceKind.DISTRICT_FEES: ("Participating district fees", "County school district"),
    FundingSourceKind.STATE_GRANT: ("State CS education grant", "Department of Education"),
    FundingSourceKind.FOUNDATION: ("Community foundation", "Family foundation"),
    FundingSourceKind.CORPORATE: ("Regional tech employer", "Local bank"),
    FundingSourceKind.OTHER: ("University partnership", "Event sponsorships"),
}


def _money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def _halves(program_year: str, today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The half-years of a program year that have ended by `today`."""
    first, last = program_year_bounds(program_year)
    middle = datetime.date(first.year, 12, 31)
    halves = [(first, middle), (middle + datetime.timedelta(days=1), last)]
    return [(start, end) for start, end in halves if end < today]


def demo_spending(*, rng: random.Random, partners: list[Partner], today: datetime.date) -> int:
    """Create submitted spending reports for the demo partners' approved awards and their
    independent funding; the number of rows created."""
    ordered = sorted(partners, key=lambda p: p.pk)
    ids = [p.pk for p in ordered]
    awards = list(
        # Closed awards were approved while their reports came in.
        FundingAward.objects.filter(
            partner_id__in=ids,
            status__in=[FundingAward.Status.APPROVED, FundingAward.Status.CLOSED],
        ).order_by("partner_id", "program_year")
    )
    lines: dict[int, list[tuple[str, Decimal]]] = {}
    for award_id, category, awarded in (
        AwardLine.objects.filter(award__in=awards, awarded__gt=0)
        .order_by("award_id", "category")
        .values_list("award_id", "category", "awarded")
    ):
        lines.setdefault(award_id, []).append((category, awarded))
    workshops: dict[tuple[int, str], list[int]] = {}
    for pk, partner_id, year in (
        Workshop.objects.filter(partner_id__in=ids)
        .order_by("pk")
        .values_list("pk", "partner_id", "program_year")
    ):
        workshops.setdefault((partner_id, year), []).append(pk)

    now = timezone.now()
    reports: list[SpendingReport] = []
    planned: list[list[SpendingLine]] = []
    over_done = False
    for award in awards:
        halves = _halves(award.program_year, today)
        if not halves or not lines.get(award.pk):
            continue
        # The first award with a venue line and both halves over goes over on the venue.
        over_here = (
            not over_done
            and len(halves) == 2
            and any(c == BudgetCategory.VENUE for c, _ in lines[award.pk])
        )
        over_done = over_done or over_here
        for half, (start, end) in enumerate(halves):
            submitted = datetime.datetime.combine(
                min(end + datetime.timedelta(days=rng.randint(5, 25)), today),
                datetime.time(15, 0),
                tzinfo=datetime.UTC,
            )
            report = SpendingReport(
                award=award,
                period_start=start,
                period_end=end,
                status=SpendingReport.Status.SUBMITTED,
                note=OVER_NOTE if over_here and half == 1 else "",
                created_by=None,
                submitted_at=min(submitted, now),
            )
            report_lines = []
            for category, awarded in lines[award.pk]:
                share = rng.uniform(0.35, 0.48)
                if over_here and half == 1 and category == BudgetCategory.VENUE:
                    share = 0.5 + rng.uniform(0.15, 0.3)  # past the award over the two halves
                amount = _money(awarded * Decimal(str(share)))
                parts = 1 if amount < 400 else rng.randint(1, 2)
                pieces = [_money(amount / parts)] * parts
                pieces[-1] = amount - sum(pieces[:-1])
                choices = workshops.get((award.partner_id, award.program_year), [])
                for piece in pieces:
                    workshop_id = None
                    if category in WORKSHOP_CATEGORIES and choices and rng.random() < 0.75:
                        workshop_id = rng.choice(choices)
                    report_lines.append(
                        SpendingLine(
                            category=category,
                            workshop_id=workshop_id,
                            spent_on=start
                            + datetime.timedelta(days=rng.randint(0, (end - start).days)),
                            description=rng.choice(DESCRIPTIONS[BudgetCategory(category)]),
                            amount=piece,
                        )
                    )
            reports.append(report)
            planned.append(report_lines)
    SpendingReport.objects.bulk_create(reports, batch_size=500)
    spending = []
    for report, report_lines in zip(reports, planned, strict=True):
        for line in report_lines:
            line.report = report
            spending.append(line)
    SpendingLine.objects.bulk_create(spending, batch_size=500)

    funding = _independent(rng, ordered, today)
    IndependentFunding.objects.bulk_create(funding, batch_size=500)
    return len(reports) + len(spending) + len(funding)


def _independent(
    rng: random.Random, partners: list[Partner], today: datetime.date
) -> list[IndependentFunding]:
    """Most partners raise money of their own, a little more each year (the last three)."""
    current = int(program_year_for(today)[:4])
    years = [program_year_label(start) for start in range(current - 2, current + 1)]
    kinds = list(SOURCES)
    rows = []
    for partner in partners:
        if partner.status != Partner.Status.ACTIVE or rng.random() < 0.2:
            continue
        amount = Decimal(rng.randrange(1500, 6000, 250))
        sources = rng.sample(kinds, rng.randint(1, 3))
        for year in years:
            for number, kind in enumerate(sources):
                rows.append(
                    IndependentFunding(
                        partner=partner,
                        program_year=year,
                        kind=kind,
                        source=SOURCES[kind][number % len(SOURCES[kind])],
                        amount=_money(amount / len(sources)),
                        note="",
                    )
                )
            amount = _money(amount * Decimal(str(rng.uniform(1.2, 1.6))))
    return rows


def demo_spending_delete() -> int:
    """Delete the demo partners' spending reports (with their lines): spending lines protect
    the workshops they name, so this runs before the demo workshops are deleted."""
    count, _ = SpendingReport.objects.filter(award__partner__is_demo=True).delete()
    return count
