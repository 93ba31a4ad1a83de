import datetime
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from funding.models import FundingAward
from funding.selectors_spending import (
    award_line_spending,
    award_summary,
    cost_comparison,
    cost_per_teacher,
    sustainability,
)
from funding.tests.factories import (
    DisbursementFactory,
    FundingAwardFactory,
    IndependentFundingFactory,
    SpendingLineFactory,
    SpendingReportFactory,
    approved_award,
)
from funding.tests.factories_spending import attended, submitted_line, workshop_of
from partners.models import Partner
from partners.tests.factories import PartnerFactory
from workshops.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
D = Decimal


# --- Spending per line, totals to the cent --------------------------------------------------


def test_lines_add_up_to_the_cent_and_flag_the_overspent_one():
    award = approved_award(food="100.00", venue="99.99", other="0.30")
    for _ in range(10):
        submitted_line(award, "0.10", category="other")  # ten dimes: 1.00, over by 0.70
    for _ in range(3):
        submitted_line(award, "33.33", category="venue")  # 99.99: exactly the award
    draft = SpendingReportFactory(award=award)
    SpendingLineFactory(report=draft, category="food", amount=D("100.01"))
    DisbursementFactory(award=award, amount=D("50.05"))
    DisbursementFactory(award=award, amount=D("49.95"))

    summary = award_summary(award)
    rows = {row.category: row for row in summary.lines}
    assert [row.category for row in summary.lines] == ["food", "venue", "other"]
    assert (rows["food"].spent, rows["food"].remaining, rows["food"].over) == (
        D("0.00"),
        D("100.00"),
        D("0.00"),
    )
    assert (rows["venue"].spent, rows["venue"].remaining, rows["venue"].is_over) == (
        D("99.99"),
        D("0.00"),
        False,
    )
    assert (rows["other"].spent, rows["other"].over, rows["other"].is_over) == (
        D("1.00"),
        D("0.70"),
        True,
    )
    assert summary.awarded == D("200.29")
    assert summary.spent == D("100.99")
    assert summary.disbursed == D("100.00")
    assert summary.remaining == D("100.00")
    assert [row.category for row in summary.over_lines] == ["other"]
    assert all(
        str(value).count(".") == 1 and len(str(value).split(".")[1]) == 2
        for value in (summary.awarded, summary.spent, summary.disbursed, rows["other"].spent)
    )

    # The draft counts only when asked for ("what if it were submitted").
    with_draft = {row.category: row for row in award_line_spending(award, including=draft)}
    assert with_draft["food"].spent == D("100.01")
    assert with_draft["food"].in_report == D("100.01")
    assert with_draft["food"].over == D("0.01")
    assert with_draft["other"].in_report == D("0.00")


def test_a_line_spent_on_without_an_award_line_shows_nothing_awarded():
    award = approved_award(food="10.00")
    submitted_line(award, "5.00", category="venue")
    rows = {row.category: row for row in award_line_spending(award)}
    assert rows["venue"].awarded is None
    assert rows["venue"].over == D("5.00")


def test_line_spending_takes_two_queries_however_many_lines(django_assert_num_queries):
    award = approved_award(food="1000.00", venue="1000.00", other="10.00")
    for _ in range(6):
        submitted_line(award, "1.00", category="food")
        submitted_line(award, "1.00", category="other")
    with django_assert_num_queries(2):
        award_line_spending(award)
    with django_assert_num_queries(3):
        award_summary(award)


# --- Cost per teacher -----------------------------------------------------------------------


@pytest.fixture
def program():
    """Two partners, two courses, five workshops; see each test for the numbers."""
    a, b = PartnerFactory(name="Alpha"), PartnerFactory(name="Beta")
    c1, c2 = CourseFactory(name="CS Discoveries"), CourseFactory(name="CS Principles")
    w1, w2, w3, w5 = (workshop_of(a, c) for c in (c1, c1, c2, c2))
    w4 = workshop_of(b, c1)
    t1, t2, t3, t4, t5, t6 = (UserFactory(role="teacher") for _ in range(6))
    for workshop, teacher in [
        (w1, t1), (w2, t1), (w1, t2), (w3, t3), (w2, t4), (w4, t5), (w4, t6)
    ]:  # fmt: skip
        attended(workshop, teacher)
    award_a, award_b = approved_award(a, food="5000.00"), approved_award(b, food="5000.00")
    submitted_line(award_a, "100.00", workshop=w1)
    submitted_line(award_a, "20.00", workshop=w2)
    submitted_line(award_a, "30.00", workshop=w2, category="venue")
    submitted_line(award_a, "33.33", workshop=w3)
    submitted_line(award_a, "10.00", workshop=w5)  # nobody attended w5
    submitted_line(award_a, "500.00")  # not tied to a workshop: not in cost per teacher
    SpendingLineFactory(  # a draft does not count
        report=SpendingReportFactory(award=award_a), workshop=w1, amount=D("999.00")
    )
    submitted_line(award_b, "90.00", workshop=w4)
    # Another year's workshop and attendance are left out.
    old = workshop_of(a, c1, starts_on=datetime.date(2025, 9, 1))
    attended(old, t1)
    submitted_line(approved_award(a, program_year="2025-26"), "77.00", workshop=old)
    return {"a": a, "b": b, "c1": c1, "c2": c2, "w": (w1, w2, w3, w4, w5)}


def test_cost_per_teacher_per_workshop_partner_course_and_program(program):
    a, b, c1, c2 = program["a"], program["b"], program["c1"], program["c2"]
    w1, w2, w3, w4, w5 = program["w"]
    costs = cost_per_teacher([a.pk, b.pk], "2026-27")

    per_workshop = {
        row.workshop.pk: (row.spent, row.teachers, row.per_teacher) for row in costs.workshops
    }
    assert per_workshop == {
        w1.pk: (D("100.00"), 2, D("50.00")),
        w2.pk: (D("50.00"), 2, D("25.00")),
        w3.pk: (D("33.33"), 1, D("33.33")),
        w4.pk: (D("90.00"), 2, D("45.00")),
        w5.pk: (D("10.00"), 0, None),
    }
    # Alpha: 193.33 over its 4 distinct teachers (t1 went to two workshops) = 48.3325.
    assert (costs.partners[a.pk].spent, costs.partners[a.pk].teachers) == (D("193.33"), 4)
    assert costs.partners[a.pk].per_teacher == D("48.33")
    assert costs.partner_courses[a.pk, c1.pk].per_teacher == D("50.00")  # 150.00 / 3
    assert costs.partner_courses[a.pk, c2.pk].per_teacher == D("43.33")  # 43.33 / 1
    assert costs.courses[c1.pk].per_teacher == D("48.00")  # 240.00 / 5
    # Everyone: 283.33 / 6 = 47.2216...
    assert (costs.total.spent, costs.total.teachers, costs.total.per_teacher) == (
        D("283.33"),
        6,
        D("47.22"),
    )
    assert [name for _, name, _ in costs.courses_of(a.pk)] == ["CS Discoveries", "CS Principles"]


def test_cost_per_teacher_rounds_half_up_and_is_none_without_teachers():
    partner = PartnerFactory()
    workshop = workshop_of(partner)
    award = approved_award(partner)
    submitted_line(award, "0.05", workshop=workshop)
    costs = cost_per_teacher([partner.pk], "2026-27")
    assert costs.partners[partner.pk].per_teacher is None
    attended(workshop)
    attended(workshop)
    # 0.05 / 2 = 0.025: half up to 0.03 (banker's rounding would say 0.02).
    assert cost_per_teacher([partner.pk], "2026-27").partners[partner.pk].per_teacher == D("0.03")


def test_only_the_partners_asked_for_are_counted(program):
    costs = cost_per_teacher([program["b"].pk], "2026-27")
    assert set(costs.partners) == {program["b"].pk}
    assert costs.total.per_teacher == D("45.00")
    assert cost_per_teacher(None, "2026-27").total.spent == D("283.33")


def test_cost_per_teacher_runs_a_fixed_number_of_queries(program, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        costs = cost_per_teacher(None, "2026-27")
        [row.workshop.course.name for row in costs.workshops]
    extra = PartnerFactory()
    for _ in range(3):
        workshop = workshop_of(extra, CourseFactory())
        attended(workshop)
        submitted_line(_award(extra), "5.00", workshop=workshop)
    with django_assert_max_num_queries(8):
        costs = cost_per_teacher(None, "2026-27")
        [row.workshop.course.name for row in costs.workshops]
    with django_assert_max_num_queries(7):
        cost_comparison(Partner.objects.all(), "2026-27")


def _award(partner):
    award = FundingAward.objects.filter(partner=partner, program_year="2026-27").first()
    return award or approved_award(partner)


def test_the_comparison_lists_partners_by_cost_highest_first(program):
    rows = cost_comparison(Partner.objects.all(), "2026-27")
    assert [(row.partner.name, row.cost.per_teacher) for row in rows] == [
        ("Alpha", D("48.33")),
        ("Beta", D("45.00")),
    ]
    only_beta = cost_comparison(Partner.objects.filter(pk=program["b"].pk), "2026-27")
    assert [row.partner.name for row in only_beta] == ["Beta"]


# --- Sustainability -------------------------------------------------------------------------


def test_sustainability_share_and_trend_per_year(django_assert_num_queries):
    partner = PartnerFactory()
    for year, awarded, independent in [
        ("2022-23", "900.00", "100.00"),  # 10.0
        ("2023-24", "1000.00", None),  # 0.0, down
        ("2024-25", "1000.00", None),  # 0.0, flat
        ("2025-26", "800.00", "200.00"),  # 20.0, up
        ("2026-27", "2000.00", "1000.00"),  # 33.3, up
    ]:
        approved_award(partner, program_year=year, food=awarded)
        if independent:
            IndependentFundingFactory(partner=partner, program_year=year, amount=D(independent))
    # Independent funding in two sources adds up; a proposal is not funding yet.
    IndependentFundingFactory(partner=partner, program_year="2026-27", amount=D("0.01"))
    FundingAwardFactory(
        partner=partner, program_year="2027-28", status="proposed", lines={"food": ("9.00", "9.00")}
    )
    with django_assert_num_queries(2):
        rows = sustainability(partner)
    assert [(r.program_year, r.share, r.trend) for r in rows] == [
        ("2022-23", D("10.0"), None),
        ("2023-24", D("0.0"), "down"),
        ("2024-25", D("0.0"), "flat"),
        ("2025-26", D("20.0"), "up"),
        ("2026-27", D("33.3"), "up"),  # 1000.01 of 3000.01
    ]
    assert (rows[-1].awarded, rows[-1].independent, rows[-1].total) == (
        D("2000.00"),
        D("1000.01"),
        D("3000.01"),
    )
    # One year asked for still has its trend against the year before.
    only = sustainability(partner, ["2026-27"])
    assert [(r.program_year, r.trend) for r in only] == [("2026-27", "up")]


def test_a_year_without_funding_has_no_share_and_gaps_are_shown():
    partner = PartnerFactory()
    approved_award(partner, program_year="2024-25", food="100.00")
    IndependentFundingFactory(partner=partner, program_year="2026-27", amount=D("100.00"))
    rows = sustainability(partner)
    assert [(r.program_year, r.share, r.trend) for r in rows] == [
        ("2024-25", D("0.0"), None),
        ("2025-26", None, None),
        ("2026-27", D("100.0"), None),
    ]
    assert sustainability(PartnerFactory()) == []
