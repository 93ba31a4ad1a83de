import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funding.models import AwardLine, FundingAward, program_year_for
from partners.tests.factories import PartnerFactory


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2026, 7, 1), "2026-27"),
        (datetime.date(2026, 6, 30), "2025-26"),
        (datetime.date(2027, 1, 15), "2026-27"),
        (datetime.date(1999, 12, 31), "1999-00"),
    ],
)
def test_program_year_runs_july_to_june(day, year):
    assert program_year_for(day) == year


@pytest.fixture
def award(db):
    return FundingAward.objects.create(partner=PartnerFactory(), program_year="2026-27")


def test_one_award_per_partner_per_year(award):
    FundingAward.objects.create(partner=award.partner, program_year="2027-28")
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingAward.objects.create(partner=award.partner, program_year="2026-27")


@pytest.mark.parametrize("year", ["2026-28", "2026/27", "26-27"])
def test_program_year_format_and_sequence(award, year):
    award.program_year = year
    with pytest.raises(ValidationError) as error:
        award.full_clean()
    assert "program_year" in error.value.message_dict


def test_lines_refuse_negative_amounts_in_the_database(award):
    with pytest.raises(IntegrityError), transaction.atomic():
        AwardLine.objects.create(award=award, category="food", requested=Decimal("-0.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        AwardLine.objects.create(
            award=award, category="food", requested=Decimal("1"), awarded=Decimal("-1")
        )


def test_line_validation_refuses_negatives_and_three_decimals(award):
    for requested in (Decimal("-1"), Decimal("1.001")):
        with pytest.raises(ValidationError) as error:
            AwardLine(award=award, category="food", requested=requested).full_clean()
        assert "requested" in error.value.message_dict


def test_one_line_per_category_and_totals_in_decimal(award):
    AwardLine.objects.create(award=award, category="food", requested=Decimal("0.10"))
    AwardLine.objects.create(award=award, category="venue", requested=Decimal("0.20"))
    assert award.total_requested() == Decimal("0.30")  # 0.1 + 0.2 in float is not 0.3
    with pytest.raises(IntegrityError), transaction.atomic():
        AwardLine.objects.create(award=award, category="food", requested=Decimal("1"))
