import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.models import (
    DECISIONS,
    TEXT_MAX,
    TRANSITIONS,
    Application,
    BudgetRequestLine,
    Score,
    Status,
)
from applications.tests.factories import (
    ApplicationFactory,
    ApplicationRoundFactory,
    CriterionFactory,
    RubricFactory,
)

pytestmark = pytest.mark.django_db


def test_the_transition_table_covers_every_status_and_ends_in_decisions():
    assert set(TRANSITIONS) == set(Status.values)
    assert all(targets <= set(Status.values) for targets in TRANSITIONS.values())
    for terminal in (Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN):
        assert TRANSITIONS[terminal] == frozenset()
    # Withdrawal is only before a decision.
    assert all(Status.WITHDRAWN not in TRANSITIONS[decision] for decision in DECISIONS)
    assert not any(status in TRANSITIONS[status] for status in Status.values)


def _line(**kwargs):
    return BudgetRequestLine(
        application=ApplicationFactory(complete=False), category="food", **kwargs
    )


@pytest.mark.parametrize("amount", ["-0.01", "10.005", "1.234"])
def test_budget_amount_refuses_negatives_and_three_decimals(amount):
    line = _line(amount=Decimal(amount))
    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert "amount" in error.value.message_dict


def test_budget_amount_accepts_cents_and_zero():
    for amount in ("0", "0.00", "1234567890.12"):
        _line(amount=Decimal(amount)).full_clean()


def test_budget_amount_database_refuses_negatives():
    application = ApplicationFactory(complete=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetRequestLine.objects.create(
            application=application, category="food", amount=Decimal("-1.00")
        )


def test_budget_category_once_per_application():
    application = ApplicationFactory(complete=False)
    BudgetRequestLine.objects.create(application=application, category="food", amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetRequestLine.objects.create(application=application, category="food", amount=2)


@pytest.mark.parametrize(
    ("tax_id", "ok"),
    [("12-3456789", True), ("123456789", False), ("12-345678", False), ("AB-3456789", False)],
)
def test_tax_id_must_be_an_ein(tax_id, ok):
    application = ApplicationFactory.build(complete=False, applicant=None, region=None)
    application.tax_id = tax_id
    with_errors = True
    try:
        application.clean_fields(exclude=["applicant"])
        with_errors = False
    except ValidationError as error:
        assert "tax_id" in error.message_dict
    assert with_errors is not ok


def test_long_texts_are_capped():
    application = ApplicationFactory(complete=False)
    application.need_justification = "x" * TEXT_MAX
    application.full_clean()
    application.need_justification = "x" * (TEXT_MAX + 1)
    with pytest.raises(ValidationError) as error:
        application.full_clean()
    assert "need_justification" in error.value.message_dict
    assert Application._meta.get_field("need_justification").max_length == TEXT_MAX


def test_database_refuses_zero_teachers():
    application = ApplicationFactory(complete=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(teachers_year2=0)


def test_database_refuses_submitted_without_terms_and_accepted_without_partner():
    application = ApplicationFactory(complete=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(status=Status.ACCEPTED)


def test_only_one_rubric_is_active():
    RubricFactory(is_active=True)
    RubricFactory(is_active=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        RubricFactory(is_active=True)


def test_criterion_weight_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionFactory(weight=Decimal("0"))


def test_score_stays_on_its_rubric_and_scale():
    from applications.models import Review
    from applications.tests.factories import application_in

    criterion = CriterionFactory(rubric__scale_max=4)
    application = application_in(Status.IN_REVIEW)
    review = Review.objects.create(
        application=application, reviewer=application.applicant, rubric=criterion.rubric
    )
    Score(review=review, criterion=criterion, value=4).full_clean()
    with pytest.raises(ValidationError, match="0 to 4"):
        Score(review=review, criterion=criterion, value=5).full_clean()
    other = CriterionFactory(rubric__is_active=False)
    with pytest.raises(ValidationError, match="not on the review's rubric"):
        Score(review=review, criterion=other, value=1).full_clean()


def test_round_must_close_after_it_opens():
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationRoundFactory(opens_at=now, closes_at=now - datetime.timedelta(days=1))
