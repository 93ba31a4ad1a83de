"""Demo funding awards for the demo partners: the current and previous program years (from
the year each became active).

Accepting a demo application already opens a draft award for its partner; those are kept and
only what is missing is made. Most awards are approved, with awarded amounts near what was
requested and one to three payments below the award; a few stay proposed or draft; last
year's approved awards are mostly closed. Everything comes from the caller's seeded
`random.Random` (same seed, same rows) and is written with bulk_create.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from core.program_years import previous_program_year, program_year_bounds, program_year_for
from partners.models import Partner

from .models import AwardLine, BudgetCategory, Disbursement, FundingAward

# Typical requests per budget line, in dollars: (low, high).
REQUEST_RANGES = {
    BudgetCategory.ONSITE_STAFFER: (4000, 12000),
    BudgetCategory.FACILITATOR_COMPENSATION: (6000, 20000),
    BudgetCategory.FOOD: (1500, 6000),
    BudgetCategory.VENUE: (1000, 5000),
    BudgetCategory.OTHER: (300, 2500),
}
CENT = Decimal("0.01")


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    # Whole tens of dollars, as budgets are written.
    return Decimal(rng.randrange(low // 10, high // 10 + 1) * 10).quantize(CENT)


def _status(rng: random.Random, current: bool) -> str:
    draw = rng.random()
    if current:
        if draw < 0.7:
            return FundingAward.Status.APPROVED
        return FundingAward.Status.PROPOSED if draw < 0.85 else FundingAward.Status.DRAFT
    return FundingAward.Status.CLOSED if draw < 0.8 else FundingAward.Status.APPROVED


@transaction.atomic
def demo_awards(*, rng: random.Random, partners: list, today: datetime.date) -> int:
    """Create missing awards (with lines and payments) for active demo partners for the current
    and previous program years, and fill in the lines of existing drafts that have none; the
    number of rows created."""
    current = program_year_for(today)
    previous = previous_program_year(current)
    active = [p for p in partners if p.status == Partner.Status.ACTIVE]
    if not active:
        return 0
    existing = {
        (award.partner_id, award.program_year): award
        for award in FundingAward.objects.filter(
            partner__in=[p.pk for p in active], program_year__in=[current, previous]
        )
    }
    with_lines = set(
        AwardLine.objects.filter(award__in=[a.pk for a in existing.values()]).values_list(
            "award_id", flat=True
        )
    )
    new_awards: list[FundingAward] = []
    plans: list[tuple[FundingAward, bool]] = []  # (award, lines to make)
    for partner in sorted(active, key=lambda p: p.pk):
        first = program_year_for(partner.active_since) if partner.active_since else previous
        for year in (previous, current):
            if year < first:
                continue  # not the region's partner yet
            award = existing.get((partner.pk, year))
            if award is None:
                award = FundingAward(
                    partner=partner,
                    program_year=year,
                    status=_status(rng, year == current),
                    need_justification=(
                        "Rural districts cannot pay substitutes or facilitator stipends; "
                        "this funding lets teachers attend the summer workshop."
                    ),
                )
                new_awards.append(award)
                plans.append((award, True))
            elif award.pk not in with_lines:
                plans.append((award, True))
    FundingAward.objects.bulk_create(new_awards)

    lines: list[AwardLine] = []
    payments: list[Disbursement] = []
    for award, _make in plans:
        decided = award.status in (FundingAward.Status.APPROVED, FundingAward.Status.CLOSED)
        categories = [c for c in BudgetCategory.values if c != "other" or rng.random() < 0.4]
        total = Decimal("0.00")
        for category in categories:
            requested = _amount(rng, *REQUEST_RANGES[category])
            awarded = None
            if decided or (award.status == FundingAward.Status.PROPOSED and rng.random() < 0.5):
                share = Decimal(str(rng.choice([0.8, 0.9, 0.95, 1, 1, 1])))
                awarded = (requested * share).quantize(Decimal("10"), ROUND_HALF_UP)
                awarded = awarded.quantize(CENT)
                total += awarded
            lines.append(
                AwardLine(award=award, category=category, requested=requested, awarded=awarded)
            )
        if decided and total > 0:
            start, end = program_year_bounds(award.program_year)
            last = min(end, today)
            count = rng.randint(1, 3)
            # Payments in installments of the award, leaving some unpaid when the year is open.
            paid_share = (
                Decimal("1")
                if award.status == FundingAward.Status.CLOSED
                else Decimal(str(rng.choice([0.5, 0.6, 0.75, 0.9])))
            )
            to_pay = (total * paid_share).quantize(CENT, ROUND_HALF_UP)
            each = (to_pay / count).quantize(CENT, ROUND_HALF_UP)
            span = max((last - start).days, 1)
            for number in range(count):
                amount = each if number < count - 1 else to_pay - each * (count - 1)
                if amount <= 0:
                    continue
                payments.append(
                    Disbursement(
                        award=award,
                        paid_on=start + datetime.timedelta(days=span * number // count),
                        amount=amount,
                        reference=f"DEMO-{award.program_year[:4]}-{award.partner_id}-{number + 1}",
                    )
                )
    AwardLine.objects.bulk_create(lines)
    Disbursement.objects.bulk_create(payments)
    return len(new_awards) + len(lines) + len(payments)
