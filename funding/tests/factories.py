"""Factories for the funding app (awards, disbursements, spending, independent funding).

`FundingAwardFactory(lines={"food": ("100.00", "90.00"), ...})` makes the award's lines as
category -> (requested, awarded-or-None); without `lines` it has none. Amounts may be given as
strings or Decimals. Every factory writes rows directly (no services, no audit actor).
"""

import datetime
from decimal import Decimal

import factory

from accounts.tests.factories import UserFactory
from funding.models import (
    AwardLine,
    BudgetCategory,
    Disbursement,
    FundingAward,
    FundingSourceKind,
    IndependentFunding,
    SpendingLine,
    SpendingReport,
)
from partners.tests.factories import PartnerFactory

PROGRAM_YEAR = "2026-27"


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


class FundingAwardFactory(factory.django.DjangoModelFactory):
    """An award of a new partner for 2026-27, status draft; `lines=` adds budget lines."""

    class Meta:
        model = FundingAward
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    program_year = PROGRAM_YEAR
    status = FundingAward.Status.DRAFT
    need_justification = "Rural districts cannot pay for substitutes."

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for category, amounts in extracted.items():
            requested, awarded = amounts
            AwardLine.objects.create(
                award=obj,
                category=category,
                requested=_money(requested),
                awarded=_money(awarded),
            )


def approved_award(partner=None, *, program_year: str = PROGRAM_YEAR, **amounts):
    """An approved award with one line per keyword, category=awarded (requested = awarded).

    `approved_award(partner, food="100.00", venue="50.00")`; default: food 1000.00.
    """
    amounts = amounts or {"food": "1000.00"}
    kwargs = {"partner": partner} if partner is not None else {}
    return FundingAwardFactory(
        **kwargs,
        program_year=program_year,
        status=FundingAward.Status.APPROVED,
        lines={category: (value, value) for category, value in amounts.items()},
    )


class AwardLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardLine

    award = factory.SubFactory(FundingAwardFactory)
    category = BudgetCategory.FOOD
    requested = Decimal("1000.00")
    awarded = None


class DisbursementFactory(factory.django.DjangoModelFactory):
    """A payment against an approved award (the factory does not check the ceiling)."""

    class Meta:
        model = Disbursement

    award = factory.SubFactory(FundingAwardFactory, status=FundingAward.Status.APPROVED)
    paid_on = datetime.date(2026, 9, 1)
    amount = Decimal("100.00")
    reference = factory.Sequence(lambda n: f"CHK-{1000 + n}")
    note = ""
    created_by = factory.SubFactory(UserFactory, role="program_admin")


class IndependentFundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndependentFunding

    partner = factory.SubFactory(PartnerFactory)
    program_year = PROGRAM_YEAR
    kind = FundingSourceKind.DISTRICT_FEES
    source = factory.Sequence(lambda n: f"School District {n}")
    amount = Decimal("500.00")
    note = ""
    created_by = None


class SpendingReportFactory(factory.django.DjangoModelFactory):
    """A draft report over the fall of 2026 on an approved award; status=submitted to count."""

    class Meta:
        model = SpendingReport

    award = factory.SubFactory(FundingAwardFactory, status=FundingAward.Status.APPROVED)
    period_start = datetime.date(2026, 7, 1)
    period_end = datetime.date(2026, 12, 31)
    status = SpendingReport.Status.DRAFT
    note = ""
    created_by = None
    submitted_at = factory.LazyAttribute(
        lambda o: (
            datetime.datetime(2027, 1, 5, 12, 0, tzinfo=datetime.UTC)
            if o.status == SpendingReport.Status.SUBMITTED
            else None
        )
    )


class SpendingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpendingLine

    report = factory.SubFactory(SpendingReportFactory)
    category = BudgetCategory.FOOD
    workshop = None
    spent_on = datetime.date(2026, 8, 10)
    description = factory.Sequence(lambda n: f"Lunch for teachers, day {n}")
    amount = Decimal("50.00")
