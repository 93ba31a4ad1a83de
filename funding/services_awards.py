"""Writes for funding awards and their disbursements.

Who may do what:
- program admins create awards, set awarded amounts (draft or proposed), approve, return to
  draft, close, and record or delete disbursements;
- a partner's program managers (and admins) edit requested amounts and the need
  justification while the award is a draft, and propose it;
- regional managers read only.

Every write runs inside `core.audit.audited`, so django-auditlog names the actor and keeps
old and new values; reasons (returning to draft, deleting a disbursement) travel on the log
entry's `additional_data`. Line errors are keyed `<category>_requested` / `<category>_awarded`
(the form field names), so views and the API show them next to the right amount.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from core.audit import audited
from core.program_years import validate_program_year
from core.templatetags.money import usd
from partners.models import Partner

from .models import AwardLine, BudgetCategory, Disbursement, FundingAward

ZERO = Decimal("0.00")
REASON_MAX = 1000

Status = FundingAward.Status


# --- Who may ---------------------------------------------------------------------------------


def can_manage_award(user: User, award: FundingAward) -> bool:
    """Program managers of the award's partner and program admins (requested side)."""
    return Partner.objects.editable_by(user).filter(pk=award.partner_id).exists()


def _require_admin(user: User, what: str) -> None:
    if not user.is_program_admin:
        raise PermissionDenied(f"Only program admins can {what}.")


def _require_manager(user: User, award: FundingAward) -> None:
    if not can_manage_award(user, award):
        raise PermissionDenied("Only the partner's program managers and program admins can.")


def _locked(award: FundingAward) -> FundingAward:
    """The award row, locked for the rest of the transaction, with its current status.

    Two requests acting on one award at once then take turns: the second sees the first's
    status (and disbursements) instead of a stale copy.
    """
    return FundingAward.objects.select_for_update().select_related("partner").get(pk=award.pk)


def _with_reason(instance, reason: str):
    # django-auditlog asks the instance for `get_additional_data`: the reason travels on the
    # log entry of this very save or delete, so the history can show it next to the change.
    instance.get_additional_data = lambda: {"reason": reason}
    return instance


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason: it is kept in the award's history."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    return reason


# --- Awards ----------------------------------------------------------------------------------


@transaction.atomic
def award_create(*, partner: Partner, program_year: str, user: User) -> FundingAward:
    """Open a draft award for a partner and program year (program admins; one per year)."""
    _require_admin(user, "open funding awards")
    try:
        validate_program_year(program_year)
    except ValidationError as error:
        raise ValidationError({"program_year": error.messages}) from None
    if FundingAward.objects.filter(partner=partner, program_year=program_year).exists():
        raise ValidationError(
            {"program_year": f"{partner.name} already has an award for {program_year}."}
        )
    award = FundingAward(partner=partner, program_year=program_year, status=Status.DRAFT)
    award.full_clean()
    try:
        # A savepoint: a concurrent create of the same partner-year loses cleanly.
        with transaction.atomic(), audited(user, label="award-create"):
            award.save()
    except IntegrityError:
        raise ValidationError(
            {"program_year": f"{partner.name} already has an award for {program_year}."}
        ) from None
    return award


def _money(value, key: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({key: "Enter an amount in dollars and cents."}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({key: "Enter an amount of zero or more."})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({key: "Use at most two decimal places (cents)."})
    if amount >= Decimal("1e10"):
        raise ValidationError({key: "That amount is too large."})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def award_lines_update(
    *,
    award: FundingAward,
    user: User,
    lines: dict[str, dict],
    need_justification: str | None = None,
) -> FundingAward:
    """Change budget lines and, optionally, the need justification.

    `lines` maps a category to `{"requested": amount, "awarded": amount}`; leave a key out to
    keep that amount. A blank requested amount removes the line (draft only). Requested
    amounts and the justification change only in a draft, by the partner's program managers
    or admins; awarded amounts only by admins, in a draft or proposed award. `None` for
    `need_justification` keeps it.
    """
    award = _locked(award)
    _require_manager(user, award)
    errors: dict[str, list[str]] = {}
    existing = {line.category: line for line in award.lines.all()}
    plan: list[tuple[str, Decimal | None, bool, Decimal | None, bool]] = []
    for category, amounts in lines.items():
        if category not in BudgetCategory.values:
            raise ValidationError(f"There is no budget line {category!r}.")
        amounts = amounts or {}
        req_key, awd_key = f"{category}_requested", f"{category}_awarded"
        has_req, has_awd = "requested" in amounts, "awarded" in amounts
        try:
            requested = _money(amounts.get("requested"), req_key) if has_req else None
            awarded = _money(amounts.get("awarded"), awd_key) if has_awd else None
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
            continue
        line = existing.get(category)
        if has_req and (requested != (line.requested if line else None)):
            if award.status != Status.DRAFT:
                errors.setdefault(req_key, []).append(
                    "Requested amounts can change only while the award is a draft."
                )
        else:
            has_req = False
        if has_awd and (awarded != (line.awarded if line else None)):
            if not user.is_program_admin:
                raise PermissionDenied("Only program admins set awarded amounts.")
            if award.status not in (Status.DRAFT, Status.PROPOSED):
                errors.setdefault(awd_key, []).append(
                    "Awarded amounts can change only while the award is a draft or proposed."
                )
            elif line is None and not (has_req and requested is not None):
                errors.setdefault(awd_key, []).append(
                    "This line has no requested amount: add one first (while a draft)."
                )
            elif has_req and requested is None and awarded is not None:
                errors.setdefault(awd_key, []).append(
                    "A line without a requested amount cannot have an awarded one."
                )
        else:
            has_awd = False
        plan.append((category, requested, has_req, awarded, has_awd))
    justify = need_justification is not None and need_justification != award.need_justification
    if justify and award.status != Status.DRAFT:
        errors.setdefault("need_justification", []).append(
            "The justification can change only while the award is a draft."
        )
    if errors:
        raise ValidationError(errors)

    with audited(user, label="award-lines"):
        if justify:
            award.need_justification = need_justification
            award.full_clean()
            award.save(update_fields=["need_justification", "updated_at"])
        for category, requested, has_req, awarded, has_awd in plan:
            if not (has_req or has_awd):
                continue
            line = existing.get(category)
            if has_req and requested is None:
                if line is not None:
                    line.delete()
                continue
            if line is None:
                line = AwardLine(award=award, category=category)
            if has_req:
                line.requested = requested
            if has_awd:
                line.awarded = awarded
            line.full_clean()
            line.save()
    return award


def _move(award: FundingAward, *, user: User, to: str, label: str, reason: str = "") -> None:
    award.status = to
    award.full_clean()
    if reason:
        _with_reason(award, reason)
    with audited(user, label=label):
        award.save(update_fields=["status", "updated_at"])


@transaction.atomic
def award_propose(*, award: FundingAward, user: User) -> FundingAward:
    """Draft -> proposed, by the partner's program managers or admins; needs a request."""
    award = _locked(award)
    _require_manager(user, award)
    if award.status != Status.DRAFT:
        raise ValidationError(f"Only a draft can be proposed; this award is {award.status}.")
    if not award.lines.exists():
        raise ValidationError("Add at least one budget line with a requested amount first.")
    _move(award, user=user, to=Status.PROPOSED, label="award-propose")
    return award


@transaction.atomic
def award_approve(*, award: FundingAward, user: User) -> FundingAward:
    """Proposed -> approved, by program admins; every line needs an awarded amount."""
    _require_admin(user, "approve awards")
    award = _locked(award)
    if award.status != Status.PROPOSED:
        raise ValidationError(f"Only a proposed award can be approved; this one is {award.status}.")
    lines = list(award.lines.all())
    if not lines:
        raise ValidationError("An award without budget lines cannot be approved.")
    missing = [line for line in lines if line.awarded is None]
    if missing:
        raise ValidationError(
            {
                f"{line.category}_awarded": f"Set the awarded amount for "
                f"{line.get_category_display().lower()} (zero if nothing) before approving."
                for line in missing
            }
        )
    _move(award, user=user, to=Status.APPROVED, label="award-approve")
    return award


@transaction.atomic
def award_return_to_draft(*, award: FundingAward, user: User, reason: str) -> FundingAward:
    """Proposed (or approved without disbursements) -> draft, by program admins, with a reason."""
    _require_admin(user, "return awards to draft")
    reason = _clean_reason(reason)
    award = _locked(award)
    if award.status not in (Status.PROPOSED, Status.APPROVED):
        raise ValidationError(
            f"Only a proposed or approved award can go back to draft; this one is {award.status}."
        )
    if award.disbursements.exists():
        raise ValidationError(
            "Money has been paid against this award: delete the disbursements first."
        )
    _move(award, user=user, to=Status.DRAFT, label="award-return", reason=reason)
    return award


@transaction.atomic
def award_close(*, award: FundingAward, user: User) -> FundingAward:
    """Approved -> closed (the year is done), by program admins."""
    _require_admin(user, "close awards")
    award = _locked(award)
    if award.status != Status.APPROVED:
        raise ValidationError(f"Only an approved award can be closed; this one is {award.status}.")
    _move(award, user=user, to=Status.CLOSED, label="award-close")
    return award


# --- Disbursements ---------------------------------------------------------------------------


def _money_total(queryset, field: str) -> Decimal:
    total = queryset.aggregate(
        total=Coalesce(Sum(field), ZERO, output_field=DecimalField(max_digits=14, decimal_places=2))
    )["total"]
    return total.quantize(Decimal("0.01"))


@transaction.atomic
def disbursement_create(
    *,
    award: FundingAward,
    user: User,
    paid_on: datetime.date,
    amount: Decimal,
    reference: str = "",
    note: str = "",
) -> Disbursement:
    """Record a payment against an approved award (program admins).

    The sum of disbursements never exceeds the award's total awarded: the award row is locked
    first, so two payments recorded at the same moment are summed one after the other.
    """
    _require_admin(user, "record disbursements")
    amount = _money(amount, "amount")
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Enter an amount above zero."})
    award = _locked(award)
    if award.status != Status.APPROVED:
        raise ValidationError("Payments go only against an approved award.")
    awarded = _money_total(AwardLine.objects.filter(award=award), "awarded")
    paid = _money_total(Disbursement.objects.filter(award=award), "amount")
    remaining = awarded - paid
    if amount > remaining:
        raise ValidationError(
            {
                "amount": f"That is more than the award has left: {usd(remaining)} remains "
                f"of {usd(awarded)} awarded."
            }
        )
    disbursement = Disbursement(
        award=award,
        paid_on=paid_on,
        amount=amount,
        reference=(reference or "").strip(),
        note=(note or "").strip(),
        created_by=user,
    )
    disbursement.full_clean()
    with audited(user, label="disbursement-create"):
        disbursement.save()
    return disbursement


@transaction.atomic
def disbursement_delete(*, disbursement: Disbursement, user: User, reason: str) -> None:
    """Delete a payment recorded in error (program admins, with a reason kept in history)."""
    _require_admin(user, "delete disbursements")
    reason = _clean_reason(reason)
    award = _locked(disbursement.award)
    if award.status == Status.CLOSED:
        raise ValidationError("The award is closed: its payments are final.")
    disbursement = Disbursement.objects.filter(pk=disbursement.pk, award=award).first()
    if disbursement is None:
        # Deleted by someone else a moment ago (a double submit, two admins at once).
        raise ValidationError("This payment has already been deleted.")
    with audited(user, label="disbursement-delete"):
        _with_reason(disbursement, reason).delete()
