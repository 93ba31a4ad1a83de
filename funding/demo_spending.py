"""Demo data: spending reports on the demo partners' approved (and closed) awards, and their
independent funding, a rising share of their funding year on year (never before the partner
became active, nor in a year whose award is not approved yet).

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


# A partner's independent share of its funding in its first year, its yearly rise, and cap.
SHARE = (0.05, 0.4)
SHARE_GROWTH = (0.02, 0.1)
SHARE_CAP = 0.6


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

    awarded: dict[tuple[int, str], Decimal] = {}
    for award in awards:
        key = (award.partner_id, award.program_year)
        awarded[key] = awarded.get(key, Decimal(0)) + sum(a for _, a in lines.get(award.pk, []))
    funding = _independent(rng, ordered, today, awarded)
    IndependentFunding.objects.bulk_create(funding, batch_size=500)
    return len(reports) + len(spending) + len(funding)


def _independent(
    rng: random.Random,
    partners: list[Partner],
    today: datetime.date,
    awarded: dict[tuple[int, str], Decimal],
) -> list[IndependentFunding]:
    """Active partners raise money of their own beside the award, a larger share of
    their funding each year (between `SHARE` at first and `SHARE_CAP`), over the last three
    program years, from the year they became the region's partner, and in the years whose
    award has been approved (the share is of awarded + independent)."""
    current = int(program_year_for(today)[:4])
    years = [program_year_label(start) for start in range(current - 2, current + 1)]
    kinds = list(SOURCES)
    rows = []
    for partner in partners:
        if partner.status != Partner.Status.ACTIVE:
            continue
        share = rng.uniform(*SHARE)
        sources = rng.sample(kinds, rng.randint(1, 3))
        first = program_year_for(partner.active_since) if partner.active_since else years[0]
        for year in years:
            grant = awarded.get((partner.pk, year), Decimal(0))
            if year >= first and grant > 0:
                # independent / (grant + independent) = share, in whole $250s.
                amount = grant * Decimal(share / (1 - share))
                amount = max(Decimal(250), (amount / 250).quantize(Decimal(1), ROUND_HALF_UP) * 250)
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
            share = min(SHARE_CAP, share + rng.uniform(*SHARE_GROWTH))
    return rows


def demo_spending_delete() -> int:
    """Delete the demo partners' spending reports (with their lines): spending lines protect
    the workshops they name, so this runs before the demo workshops are deleted."""
    count, _ = SpendingReport.objects.filter(award__partner__is_demo=True).delete()
    return count
