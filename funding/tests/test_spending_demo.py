import datetime
import random

import pytest

from funding.demo_awards import demo_awards
from funding.demo_spending import OVER_NOTE, demo_spending, demo_spending_delete
from funding.models import IndependentFunding, Receipt, SpendingLine, SpendingReport
from funding.selectors_spending import award_line_spending, sustainability
from partners.models import Partner
from partners.tests.factories import PartnerFactory
from workshops.tests.factories import WorkshopFactory

TODAY = datetime.date(2027, 3, 15)


def seed(seed: int = 7) -> int:
    partners = [PartnerFactory(is_demo=True) for _ in range(6)]
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

    # Most partners raise money of their own, more every year.
    raising = Partner.objects.filter(independent_funding__isnull=False).distinct()
    assert raising.count() >= 3
    for partner in raising:
        totals = [
            sum(f.amount for f in partner.independent_funding.filter(program_year=year))
            for year in ("2024-25", "2025-26", "2026-27")
        ]
        assert totals[0] < totals[1] < totals[2]
        assert sustainability(partner)[-1].independent == totals[2]

    # Deleted and made again with the same seed: the same rows.
    first = snapshot()
    written = reports.count() + SpendingLine.objects.count()
    assert demo_spending_delete() == written
    assert not SpendingReport.objects.exists()
    IndependentFunding.objects.all().delete()
    partners = list(Partner.objects.filter(is_demo=True))
    again = demo_spending(rng=random.Random(7), partners=partners, today=TODAY)
    assert (again, snapshot()) == (rows, first)
