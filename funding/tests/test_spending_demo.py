import datetime
import random
from decimal import Decimal

import pytest
from django.db.models import Sum

from funding.demo_awards import demo_awards
from funding.demo_spending import OVER_NOTE, demo_spending, demo_spending_delete
from funding.models import AwardLine, IndependentFunding, Receipt, SpendingLine, SpendingReport
from funding.selectors_awards import COUNTED, sustainability_share
from funding.selectors_spending import award_line_spending, sustainability
from partners.models import Partner
from partners.tests.factories import PartnerFactory
from workshops.tests.factories import WorkshopFactory

TODAY = datetime.date(2027, 3, 15)


def seed(seed: int = 7) -> int:
    partners = [PartnerFactory(is_demo=True) for _ in range(6)]
    # Became active this program year: no award nor funding of its own the year before.
    partners[-1].active_since = datetime.date(2026, 9, 1)
    partners[-1].save()
    for partner in partners:
        WorkshopFactory(partner=partner, starts_on=datetime.date(2026, 8, 3))
    demo_awards(rng=random.Random(seed), partners=partners, today=TODAY)
    return demo_spending(rng=random.Random(seed), partners=partners, today=TODAY)


def snapshot():
    return sorted(
        (line.report.award.partner.name, line.category, line.spent_on, line.amount)
        for line in SpendingLine.objects.select_related("report__award__partner")
    )


@pytest.mark.django_db
def test_demo_spending_is_believable_and_deterministic():
    rows = seed()
    reports = SpendingReport.objects.all()
    assert (
        rows == reports.count() + SpendingLine.objects.count() + IndependentFunding.objects.count()
    )
    assert reports.exists() and not reports.exclude(status="submitted").exists()
    assert not Receipt.objects.exists()
    assert SpendingLine.objects.filter(workshop__isnull=False).exists()
    assert not SpendingLine.objects.filter(amount__lte=0).exists()
    for report in reports:
        assert report.period_end < TODAY
        assert not report.lines.filter(spent_on__lt=report.period_start).exists()
        assert not report.lines.filter(spent_on__gt=report.period_end).exists()

    # Exactly one partner went over exactly one line, and its report says why.
    over = [
        (award, row)
        for award in {r.award for r in reports}
        for row in award_line_spending(award)
        if row.is_over
    ]
    assert len(over) == 1
    award, row = over[0]
    assert row.category == "venue"
    assert award.spending_reports.filter(note=OVER_NOTE).exists()

    # Active partners raise money of their own beside an approved award, a share of their
    # funding that varies between partners and rises (never 100%: no funding without an
    # approved award, nor before the partner was active).
    raising = Partner.objects.filter(independent_funding__isnull=False).distinct()
    assert raising.count() >= 3
    shares = []
    for partner in raising:
        years = set(partner.independent_funding.values_list("program_year", flat=True))
        counted = set(
            partner.funding_awards.filter(status__in=COUNTED).values_list("program_year", flat=True)
        )
        assert years <= counted
        mine = [
            sustainability_share(
                AwardLine.objects.filter(award__partner=partner, award__program_year=year)
                .filter(award__status__in=COUNTED)
                .aggregate(s=Sum("awarded"))["s"],
                partner.independent_funding.filter(program_year=year).aggregate(s=Sum("amount"))[
                    "s"
                ],
            )
            for year in sorted(years)
        ]
        assert all(Decimal(4) <= share <= Decimal(61) for share in mine), mine
        assert mine == sorted(mine)
        shares += mine
        last = max(years)
        assert sustainability(partner)[-1].independent == sum(
            f.amount for f in partner.independent_funding.filter(program_year=last)
        )
    assert len(set(shares)) > 2
    late = Partner.objects.get(active_since=datetime.date(2026, 9, 1))
    assert not late.funding_awards.filter(program_year="2025-26").exists()
    assert not late.independent_funding.filter(program_year="2025-26").exists()

    # Deleted and made again with the same seed: the same rows.
    first = snapshot()
    written = reports.count() + SpendingLine.objects.count()
    assert demo_spending_delete() == written
    assert not SpendingReport.objects.exists()
    IndependentFunding.objects.all().delete()
    partners = list(Partner.objects.filter(is_demo=True))
    again = demo_spending(rng=random.Random(7), partners=partners, today=TODAY)
    assert (again, snapshot()) == (rows, first)
