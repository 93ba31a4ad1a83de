from decimal import Decimal

import pytest

from funding.models import FundingAward, SpendingReport
from funding.selectors_awards import (
    award_totals,
    awards_visible_to,
    funding_overview,
    sustainability_share,
    with_totals,
)
from funding.tests.factories import (
    DisbursementFactory,
    FundingAwardFactory,
    IndependentFundingFactory,
    SpendingLineFactory,
    SpendingReportFactory,
    approved_award,
)
from partners.models import Partner
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

YEAR = "2026-27"


@pytest.mark.parametrize(
    ("awarded", "independent", "share"),
    [
        ("200", "100", "33.3"),  # 33.333... rounds down
        ("100", "200", "66.7"),  # 66.666... rounds up
        ("7", "1", "12.5"),
        ("0.00", "5", "100.0"),
        ("5", "0", "0.0"),
    ],
)
def test_sustainability_share_rounds_half_up_to_one_place(awarded, independent, share):
    result = sustainability_share(Decimal(awarded), Decimal(independent))
    assert isinstance(result, Decimal)
    assert str(result) == share


def test_sustainability_share_is_none_without_funding():
    assert sustainability_share(Decimal("0"), Decimal("0")) is None
    assert sustainability_share(None, None) is None


def test_award_totals_add_three_lines_to_the_cent(db):
    award = FundingAwardFactory(
        lines={"food": ("0.10", "0.10"), "venue": ("0.20", "0.20"), "other": ("0.30", "0.30")}
    )
    totals = award_totals(award)
    assert str(totals.requested) == "0.60"
    assert str(totals.awarded) == "0.60"
    listed = with_totals(FundingAward.objects.filter(pk=award.pk)).get()
    assert listed.requested_total == Decimal("0.60")


def test_awards_in_scope(db, program_admin, regional_manager):
    mine = ProgramManagerFactory()
    theirs = FundingAwardFactory(partner=PartnerFactory(regional_manager=regional_manager))
    own = FundingAwardFactory(partner=mine.partner)
    assert set(awards_visible_to(program_admin)) == {theirs, own}
    assert set(awards_visible_to(regional_manager)) == {theirs}
    assert set(awards_visible_to(mine.user)) == {own}
    assert not awards_visible_to(ProgramManagerFactory().user).exists()


@pytest.fixture
def two_partners(db):
    first = PartnerFactory(name="Alpha Computing")
    second = PartnerFactory(name="Beta Computing", status=Partner.Status.ONBOARDING)
    PartnerFactory(name="Gone Computing", status=Partner.Status.INACTIVE)
    award = approved_award(first, food="1000.10", venue="0.20")
    DisbursementFactory(award=award, amount=Decimal("300.05"))
    DisbursementFactory(award=award, amount=Decimal("0.30"))
    submitted = SpendingReportFactory(award=award, status=SpendingReport.Status.SUBMITTED)
    SpendingLineFactory(report=submitted, amount=Decimal("10.01"))
    SpendingLineFactory(report=submitted, amount=Decimal("0.02"))
    SpendingLineFactory(report=SpendingReportFactory(award=award), amount=Decimal("99"))  # draft
    IndependentFundingFactory(partner=first, amount=Decimal("500.15"))
    IndependentFundingFactory(partner=first, amount=Decimal("1"), program_year="2025-26")
    # A proposed award: its figures are not money promised yet.
    FundingAwardFactory(
        partner=second, status=FundingAward.Status.PROPOSED, lines={"food": ("40.00", "40.00")}
    )
    IndependentFundingFactory(partner=second, amount=Decimal("60.00"))
    return first, second


def test_overview_rows_and_totals_to_the_cent(two_partners, program_admin):
    first, second = two_partners
    overview = funding_overview(user=program_admin, program_year=YEAR)
    assert [row.partner for row in overview.rows] == [first, second]
    alpha, beta = overview.rows
    assert alpha.awarded == Decimal("1000.30")
    assert alpha.disbursed == Decimal("300.35")
    assert alpha.spent == Decimal("10.03")
    assert alpha.independent == Decimal("500.15")
    assert alpha.share == Decimal("33.3")  # 500.15 / 1500.45
    assert (beta.requested, beta.awarded, beta.award_status) == (
        Decimal("40.00"),
        Decimal("0.00"),
        "proposed",
    )
    assert beta.share == Decimal("100.0")
    assert overview.awarded == Decimal("1000.30")
    assert overview.independent == Decimal("560.15")
    assert overview.requested == Decimal("1040.30")
    assert overview.share == Decimal("35.9")  # 560.15 / 1560.45 = 35.896


def test_overview_scope_for_regional_managers(two_partners, regional_manager):
    first, _second = two_partners
    first.regional_manager = regional_manager
    first.save()
    overview = funding_overview(user=regional_manager, program_year=YEAR)
    assert [row.partner for row in overview.rows] == [first]


def test_overview_takes_one_query_however_many_partners(
    two_partners, program_admin, django_assert_num_queries
):
    for _ in range(5):
        approved_award(PartnerFactory())
    with django_assert_num_queries(1):
        overview = funding_overview(user=program_admin, program_year=YEAR)
    assert len(overview.rows) == 7


@pytest.mark.django_db
def test_the_overview_shows_the_share_against_the_year_before(program_admin):
    from core.program_years import program_year_label, program_year_start
    from funding.selectors_awards import funding_overview
    from funding.tests.factories import IndependentFundingFactory, approved_award
    from partners.tests.factories import PartnerFactory

    partner = PartnerFactory()
    year = "2026-27"
    before = program_year_label(program_year_start(year) - 1)
    approved_award(partner, program_year=before, food="900.00")
    IndependentFundingFactory(partner=partner, program_year=before, amount="100.00")
    approved_award(partner, program_year=year, food="800.00")
    IndependentFundingFactory(partner=partner, program_year=year, amount="200.00")

    row = next(r for r in funding_overview(user=program_admin, program_year=year).rows)
    assert (row.previous_share, row.share, row.trend) == (Decimal("10.0"), Decimal("20.0"), "up")
