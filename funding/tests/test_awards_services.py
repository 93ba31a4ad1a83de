import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from funding import services_awards as services
from funding.models import Disbursement, FundingAward
from funding.selectors_awards import award_history, award_totals
from funding.tests.factories import DisbursementFactory, FundingAwardFactory, approved_award
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

PAID_ON = datetime.date(2026, 9, 1)


@pytest.fixture
def manager(db):
    return ProgramManagerFactory()


@pytest.fixture
def draft(manager):
    return FundingAwardFactory(partner=manager.partner, lines={"food": ("100.00", None)})


def test_admin_creates_one_award_per_partner_year(program_admin):
    partner = PartnerFactory()
    award = services.award_create(partner=partner, program_year="2026-27", user=program_admin)
    assert award.status == FundingAward.Status.DRAFT
    with pytest.raises(ValidationError) as error:
        services.award_create(partner=partner, program_year="2026-27", user=program_admin)
    assert "already has an award for 2026-27" in error.value.message_dict["program_year"][0]
    with pytest.raises(ValidationError) as error:
        services.award_create(partner=partner, program_year="2026-28", user=program_admin)
    assert "program_year" in error.value.message_dict


def test_only_admins_create_awards(manager, regional_manager):
    for user in (manager.user, regional_manager):
        with pytest.raises(PermissionDenied):
            services.award_create(partner=manager.partner, program_year="2026-27", user=user)


def test_program_manager_edits_requested_while_draft_only(draft, manager):
    services.award_lines_update(
        award=draft,
        user=manager.user,
        lines={"food": {"requested": "120.50"}, "venue": {"requested": Decimal("80")}},
        need_justification="Teachers travel far.",
    )
    draft.refresh_from_db()
    assert draft.need_justification == "Teachers travel far."
    assert {line.category: line.requested for line in draft.lines.all()} == {
        "food": Decimal("120.50"),
        "venue": Decimal("80.00"),
    }
    with pytest.raises(PermissionDenied):
        services.award_lines_update(award=draft, user=manager.user, lines={"food": {"awarded": 1}})
    services.award_propose(award=draft, user=manager.user)
    with pytest.raises(ValidationError) as error:
        services.award_lines_update(
            award=draft, user=manager.user, lines={"food": {"requested": "1.00"}}
        )
    assert "food_requested" in error.value.message_dict


def test_blank_requested_removes_the_line(draft, manager):
    services.award_lines_update(award=draft, user=manager.user, lines={"food": {"requested": None}})
    assert not draft.lines.exists()


@pytest.mark.parametrize("amount", ["-1", "1.001", "abc"])
def test_bad_amounts_are_field_errors(draft, manager, amount):
    with pytest.raises(ValidationError) as error:
        services.award_lines_update(
            award=draft, user=manager.user, lines={"food": {"requested": amount}}
        )
    assert "food_requested" in error.value.message_dict


def test_other_partners_manager_and_regional_manager_cannot_edit(draft, regional_manager):
    for user in (ProgramManagerFactory().user, regional_manager):
        with pytest.raises(PermissionDenied):
            services.award_lines_update(
                award=draft, user=user, lines={"food": {"requested": "1.00"}}
            )
        with pytest.raises(PermissionDenied):
            services.award_propose(award=draft, user=user)


def test_approval_needs_admin_proposed_and_every_awarded_amount(draft, manager, program_admin):
    with pytest.raises(ValidationError):
        services.award_approve(award=draft, user=program_admin)  # still a draft
    services.award_lines_update(
        award=draft, user=manager.user, lines={"venue": {"requested": "50.00"}}
    )
    services.award_propose(award=draft, user=manager.user)
    with pytest.raises(PermissionDenied):
        services.award_approve(award=draft, user=manager.user)
    services.award_lines_update(award=draft, user=program_admin, lines={"food": {"awarded": "90"}})
    with pytest.raises(ValidationError) as error:
        services.award_approve(award=draft, user=program_admin)
    assert list(error.value.message_dict) == ["venue_awarded"]
    services.award_lines_update(award=draft, user=program_admin, lines={"venue": {"awarded": "0"}})
    services.award_approve(award=draft, user=program_admin)
    draft.refresh_from_db()
    assert draft.status == FundingAward.Status.APPROVED
    with pytest.raises(ValidationError) as error:
        services.award_lines_update(
            award=draft, user=program_admin, lines={"food": {"awarded": "100"}}
        )
    assert "food_awarded" in error.value.message_dict
    services.award_close(award=draft, user=program_admin)
    draft.refresh_from_db()
    assert draft.status == FundingAward.Status.CLOSED


def test_return_to_draft_needs_a_reason_and_no_payments(program_admin):
    award = approved_award()
    with pytest.raises(ValidationError) as error:
        services.award_return_to_draft(award=award, user=program_admin, reason="  ")
    assert "reason" in error.value.message_dict
    payment = DisbursementFactory(award=award)
    with pytest.raises(ValidationError):
        services.award_return_to_draft(award=award, user=program_admin, reason="Wrong year")
    services.disbursement_delete(disbursement=payment, user=program_admin, reason="Duplicate")
    services.award_return_to_draft(award=award, user=program_admin, reason="Wrong year")
    award.refresh_from_db()
    assert award.status == FundingAward.Status.DRAFT


def test_totals_to_the_cent(program_admin):
    award = FundingAwardFactory(
        status=FundingAward.Status.APPROVED,
        lines={"food": ("0.10", "0.10"), "venue": ("0.20", "0.20"), "other": ("0.30", "0.30")},
    )
    totals = award_totals(award)
    assert totals.requested == Decimal("0.60")
    assert str(totals.awarded) == "0.60"
    services.disbursement_create(
        award=award, user=program_admin, paid_on=PAID_ON, amount=Decimal("0.35")
    )
    totals = award_totals(award)
    assert (totals.disbursed, totals.remaining) == (Decimal("0.35"), Decimal("0.25"))


def test_disbursement_ceiling_states_what_remains(program_admin):
    award = approved_award(food="1000.00")
    services.disbursement_create(
        award=award, user=program_admin, paid_on=PAID_ON, amount=Decimal("999.99")
    )
    with pytest.raises(ValidationError) as error:
        services.disbursement_create(
            award=award, user=program_admin, paid_on=PAID_ON, amount=Decimal("0.02")
        )
    assert "$0.01 remains" in error.value.message_dict["amount"][0]
    services.disbursement_create(
        award=award, user=program_admin, paid_on=PAID_ON, amount=Decimal("0.01")
    )
    assert award_totals(award).remaining == Decimal("0.00")


def test_disbursements_only_by_admins_on_approved_awards(program_admin, manager):
    award = approved_award(manager.partner)
    with pytest.raises(PermissionDenied):
        services.disbursement_create(
            award=award, user=manager.user, paid_on=PAID_ON, amount=Decimal("1")
        )
    proposed = FundingAwardFactory(
        status=FundingAward.Status.PROPOSED, lines={"food": ("10", "10")}
    )
    with pytest.raises(ValidationError):
        services.disbursement_create(
            award=proposed, user=program_admin, paid_on=PAID_ON, amount=Decimal("1")
        )
    with pytest.raises(ValidationError) as error:
        services.disbursement_create(
            award=award, user=program_admin, paid_on=PAID_ON, amount=Decimal("0")
        )
    assert "amount" in error.value.message_dict


def test_deleting_a_deleted_payment_is_a_clear_error(program_admin):
    payment = DisbursementFactory(award=approved_award())
    stale = Disbursement.objects.get(pk=payment.pk)
    services.disbursement_delete(disbursement=payment, user=program_admin, reason="Typo")
    with pytest.raises(ValidationError):
        services.disbursement_delete(disbursement=stale, user=program_admin, reason="Typo")


def test_history_names_who_and_old_and_new_amounts(draft, manager, program_admin):
    services.award_lines_update(
        award=draft, user=manager.user, lines={"food": {"requested": "120.00"}}
    )
    services.award_propose(award=draft, user=manager.user)
    services.award_lines_update(
        award=draft, user=program_admin, lines={"food": {"awarded": "110.00"}}
    )
    services.award_return_to_draft(award=draft, user=program_admin, reason="Check the venue")
    history = award_history(draft)
    items = [
        (change.actor, item.label, item.old, item.new, item.note)
        for change in history
        for item in change.items
    ]
    admin, pm = str(program_admin), str(manager.user)
    assert (admin, "Status", "Proposed", "Draft", "Check the venue") in items
    assert (admin, "Food, awarded", "—", "$110.00", "") in items
    assert (pm, "Status", "Draft", "Proposed", "") in items
    assert (pm, "Food, requested", "$100.00", "$120.00", "") in items
    assert history[0].when >= history[-1].when


def test_history_shows_payments_and_their_deletion(program_admin):
    award = approved_award(food="500.00")
    payment = services.disbursement_create(
        award=award, user=program_admin, paid_on=PAID_ON, amount=Decimal("200.00"), reference="C-7"
    )
    services.disbursement_delete(disbursement=payment, user=program_admin, reason="Wrong award")
    items = [item for change in award_history(award) for item in change.items]
    assert items[0].label == "Payment deleted" and items[0].old == "$200.00"
    assert "Wrong award" in items[0].note
    assert items[1].label == "Payment recorded" and items[1].new == "$200.00"
    assert "C-7" in items[1].note


@pytest.mark.django_db(transaction=True)
def test_two_disbursements_at_the_same_moment_never_exceed_the_award(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database: row locks need PostgreSQL to race.")
    import time

    from accounts.tests.factories import UserFactory

    summed = services._money_total

    def slow_sum(queryset, field):
        # Widen the window between reading the sum and writing the payment: without the
        # row lock both requests would read 0.00 paid here and both pay 600.00.
        total = summed(queryset, field)
        time.sleep(0.3)
        return total

    monkeypatch.setattr(services, "_money_total", slow_sum)

    admin = UserFactory(role="program_admin")
    award = approved_award(food="1000.00")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay():
        try:
            barrier.wait(timeout=10)
            services.disbursement_create(
                award=award, user=admin, paid_on=PAID_ON, amount=Decimal("600.00")
            )
            outcomes.append("paid")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["paid", "refused"]
    assert award_totals(award).disbursed == Decimal("600.00")


def _demo_snapshot():
    from funding.models import AwardLine

    return (
        sorted(FundingAward.objects.values_list("program_year", "status")),
        sorted(AwardLine.objects.values_list("category", "requested", "awarded")),
        sorted(Disbursement.objects.values_list("paid_on", "amount")),
    )


def test_demo_awards_fill_what_is_missing_deterministically_below_the_ceiling(db):
    import random

    from funding.demo_awards import demo_awards
    from partners.models import Partner

    today = datetime.date(2027, 2, 1)
    partners = [PartnerFactory() for _ in range(6)] + [
        PartnerFactory(status=Partner.Status.ONBOARDING)
    ]
    existing = FundingAwardFactory(partner=partners[0], lines={"food": ("500", None)})
    rows = demo_awards(rng=random.Random(7), partners=partners, today=today)
    assert rows > 0
    existing.refresh_from_db()
    assert existing.status == FundingAward.Status.DRAFT  # the application's draft stays
    assert existing.lines.count() == 1
    assert not FundingAward.objects.filter(partner=partners[-1]).exists()
    assert FundingAward.objects.count() == 12
    for award in FundingAward.objects.all():
        totals = award_totals(award)
        assert totals.disbursed <= totals.awarded
        if award.disbursements.exists():
            assert award.status in ("approved", "closed")
    first = _demo_snapshot()
    assert demo_awards(rng=random.Random(7), partners=partners, today=today) == 0
    Disbursement.objects.all().delete()
    FundingAward.objects.exclude(pk=existing.pk).delete()
    demo_awards(rng=random.Random(7), partners=partners, today=today)
    assert _demo_snapshot() == first
