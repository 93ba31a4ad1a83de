"""Reads for funding awards: scope, totals, the program office's overview and award history.

Money is summed in the database (`Sum` under `Coalesce` with a two-place `DecimalField`), so
totals are exact Decimals; the one division (the sustainability share) rounds half up.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from core.audit import (
    HistoryChange,
    HistoryItem,
    choice_label,
    history_changes,
    logged_blank,
)
from core.program_years import previous_program_year
from core.templatetags.money import usd
from partners.models import Partner

from .models import (
    AwardLine,
    BudgetCategory,
    Disbursement,
    FundingAward,
    IndependentFunding,
    SpendingLine,
    SpendingReport,
)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
COUNTED = (FundingAward.Status.APPROVED, FundingAward.Status.CLOSED)
OVERVIEW_PARTNER_STATUSES = (Partner.Status.ACTIVE, Partner.Status.ONBOARDING)


def cents(value: Decimal | None) -> Decimal:
    """A database sum as an exact two-place Decimal (SQLite hands back more places)."""
    return (value or ZERO).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def sustainability_share(awarded: Decimal | None, independent: Decimal | None) -> Decimal | None:
    """The sustainability share: independent / (awarded + independent), as a percentage.

    THE one definition in the project (the partner workspace's spending selectors import it):
    a Decimal with one decimal place, rounded half up (e.g. 33.3 for 100 of 300), or None when
    both amounts are zero (no funding at all: no share to speak of).
    """
    awarded = awarded or ZERO
    independent = independent or ZERO
    total = awarded + independent
    if total == 0:
        return None
    return (independent * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _sum(queryset: QuerySet, group: str, field_name: str) -> Coalesce:
    """A correlated subquery: the sum of `field_name` over `queryset` grouped by `group`."""
    total = (
        queryset.order_by()
        .values(group)
        .annotate(total=Sum(field_name, output_field=MONEY))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), ZERO, output_field=MONEY)


# --- Scope -----------------------------------------------------------------------------------


def awards_visible_to(user: User) -> QuerySet[FundingAward]:
    """Awards of the partners the user sees: admins all, RMs theirs, PMs their partner's."""
    return FundingAward.objects.filter(partner__in=Partner.objects.visible_to(user))


def can_see_overview(user: User) -> bool:
    """The overview page is the program office's: program admins and regional managers."""
    return user.is_authenticated and (user.is_program_admin or user.is_regional_manager)


# --- Totals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardTotals:
    requested: Decimal
    awarded: Decimal
    disbursed: Decimal

    @property
    def remaining(self) -> Decimal:
        """What may still be paid: awarded less disbursed."""
        return self.awarded - self.disbursed


def award_totals(award: FundingAward) -> AwardTotals:
    """Requested, awarded, disbursed (and remaining) of one award, summed in the database."""
    lines = AwardLine.objects.filter(award=award).aggregate(
        requested=Coalesce(Sum("requested"), ZERO, output_field=MONEY),
        awarded=Coalesce(Sum("awarded"), ZERO, output_field=MONEY),
    )
    paid = Disbursement.objects.filter(award=award).aggregate(
        total=Coalesce(Sum("amount"), ZERO, output_field=MONEY)
    )
    return AwardTotals(cents(lines["requested"]), cents(lines["awarded"]), cents(paid["total"]))


def with_totals(awards: QuerySet[FundingAward]) -> QuerySet[FundingAward]:
    """Annotate `requested_total`, `awarded_total`, `disbursed_total` (one query for a list)."""
    return awards.annotate(
        requested_total=_sum(AwardLine.objects.filter(award=OuterRef("pk")), "award", "requested"),
        awarded_total=_sum(AwardLine.objects.filter(award=OuterRef("pk")), "award", "awarded"),
        disbursed_total=_sum(Disbursement.objects.filter(award=OuterRef("pk")), "award", "amount"),
    )


def award_for_page(user: User, pk) -> FundingAward | None:
    """One award in the user's scope with its partner, lines and disbursements; else None."""
    return (
        awards_visible_to(user)
        .select_related("partner", "partner__regional_manager", "created_from")
        .prefetch_related("lines", "disbursements__created_by")
        .filter(pk=pk)
        .first()
    )


# --- The overview ----------------------------------------------------------------------------


class _ShareAgainstLastYear:
    """The sustainability share of `awarded` and `independent`, and its trend against
    `previous_awarded` and `previous_independent`: for a partner's row and for the totals."""

    @property
    def share(self) -> Decimal | None:
        return sustainability_share(self.awarded, self.independent)

    @property
    def previous_share(self) -> Decimal | None:
        return sustainability_share(self.previous_awarded, self.previous_independent)

    @property
    def trend(self) -> str | None:
        return share_trend(self.share, self.previous_share)


@dataclass
class OverviewRow(_ShareAgainstLastYear):
    partner: Partner
    award_id: int | None
    award_status: str | None
    requested: Decimal
    awarded: Decimal
    disbursed: Decimal
    spent: Decimal
    independent: Decimal
    # The year before, for the trend of the sustainability share.
    previous_awarded: Decimal = ZERO
    previous_independent: Decimal = ZERO

    @property
    def award_status_label(self) -> str:
        if self.award_status is None:
            return "No award"
        return FundingAward.Status(self.award_status).label


@dataclass
class Overview(_ShareAgainstLastYear):
    program_year: str
    rows: list[OverviewRow]
    requested: Decimal = ZERO
    awarded: Decimal = ZERO
    disbursed: Decimal = ZERO
    spent: Decimal = ZERO
    independent: Decimal = ZERO
    previous_awarded: Decimal = ZERO
    previous_independent: Decimal = ZERO


def overview_partners(user: User) -> QuerySet[Partner]:
    """The partners the overview may list for `user`: active or onboarding, in scope."""
    return Partner.objects.visible_to(user).filter(status__in=OVERVIEW_PARTNER_STATUSES)


TREND_LABELS = {"up": "Up", "down": "Down", "flat": "Flat"}


def share_trend(now: Decimal | None, before: Decimal | None) -> str | None:
    """ "up", "down" or "flat" from one year's sustainability share to the next; None when
    either year has no share. The one definition of the trend."""
    if now is None or before is None:
        return None
    return "up" if now > before else "down" if now < before else "flat"


def funding_overview(
    *, user: User, program_year: str, partners: QuerySet[Partner] | None = None
) -> Overview:
    """One row per active or onboarding partner in the user's scope for `program_year`.

    `partners` narrows the list (the page's FilterSet over `overview_partners(user)`); it is
    intersected with the user's scope all the same. Per row: requested (any status), awarded
    (approved or closed awards only: a draft's figures are not money promised), disbursed,
    spent (lines of SUBMITTED spending reports), independent funding, and the sustainability
    share with its trend against the year before. Totals are the sums of the rows, so they
    add up to the cent. One query.
    """
    scope = overview_partners(user)
    if partners is not None:
        scope = scope.filter(pk__in=partners.values("pk"))
    previous_year = previous_program_year(program_year)
    award = FundingAward.objects.filter(partner=OuterRef("pk"), program_year=program_year)
    lines = AwardLine.objects.filter(
        award__partner=OuterRef("pk"), award__program_year=program_year
    )
    queryset = (
        scope.select_related("state", "regional_manager")
        .annotate(
            award_id=Subquery(award.values("pk")[:1]),
            award_status=Subquery(award.values("status")[:1]),
            requested_total=_sum(lines, "award__partner", "requested"),
            awarded_total=_sum(
                lines.filter(award__status__in=COUNTED), "award__partner", "awarded"
            ),
            disbursed_total=_sum(
                Disbursement.objects.filter(
                    award__partner=OuterRef("pk"), award__program_year=program_year
                ),
                "award__partner",
                "amount",
            ),
            spent_total=_sum(
                SpendingLine.objects.filter(
                    report__award__partner=OuterRef("pk"),
                    report__award__program_year=program_year,
                    report__status=SpendingReport.Status.SUBMITTED,
                ),
                "report__award__partner",
                "amount",
            ),
            independent_total=_sum(
                IndependentFunding.objects.filter(
                    partner=OuterRef("pk"), program_year=program_year
                ),
                "partner",
                "amount",
            ),
            previous_awarded_total=_sum(
                AwardLine.objects.filter(
                    award__partner=OuterRef("pk"),
                    award__program_year=previous_year,
                    award__status__in=COUNTED,
                ),
                "award__partner",
                "awarded",
            ),
            previous_independent_total=_sum(
                IndependentFunding.objects.filter(
                    partner=OuterRef("pk"), program_year=previous_year
                ),
                "partner",
                "amount",
            ),
        )
        .order_by("name")
    )
    rows = [
        OverviewRow(
            partner=partner,
            award_id=partner.award_id,
            award_status=partner.award_status,
            requested=cents(partner.requested_total),
            awarded=cents(partner.awarded_total),
            disbursed=cents(partner.disbursed_total),
            spent=cents(partner.spent_total),
            independent=cents(partner.independent_total),
            previous_awarded=cents(partner.previous_awarded_total),
            previous_independent=cents(partner.previous_independent_total),
        )
        for partner in queryset
    ]
    overview = Overview(program_year=program_year, rows=rows)
    for row in rows:
        overview.requested += row.requested
        overview.awarded += row.awarded
        overview.disbursed += row.disbursed
        overview.spent += row.spent
        overview.independent += row.independent
        overview.previous_awarded += row.previous_awarded
        overview.previous_independent += row.previous_independent
    return overview


# --- History ---------------------------------------------------------------------------------


def _amount(value) -> str:
    return "—" if logged_blank(value) else usd(value)


def _status(value) -> str:
    return choice_label(FundingAward.Status, value)


def _category(value) -> str:
    return choice_label(BudgetCategory, value)


def award_log_entries(award: FundingAward) -> list[LogEntry]:
    """The log entries of the award, its lines and its disbursements, newest first.

    An update of a line or a payment names only the changed fields, not the award: the rows
    are found by the award named in their creation or deletion entries, and by the rows that
    exist now. A fixed number of queries.
    """
    types = ContentType.objects.get_for_models(FundingAward, AwardLine, Disbursement)
    pk = str(award.pk)
    children = {AwardLine: set(), Disbursement: set()}
    for content_type_id, object_pk in LogEntry.objects.filter(
        Q(changes__award__0=pk) | Q(changes__award__1=pk),
        content_type__in=[types[AwardLine], types[Disbursement]],
    ).values_list("content_type_id", "object_pk"):
        model = AwardLine if content_type_id == types[AwardLine].pk else Disbursement
        children[model].add(object_pk)
    children[AwardLine].update(str(p) for p in award.lines.values_list("pk", flat=True))
    children[Disbursement].update(str(p) for p in award.disbursements.values_list("pk", flat=True))
    return list(
        LogEntry.objects.filter(
            Q(content_type=types[FundingAward], object_pk=pk)
            | Q(content_type=types[AwardLine], object_pk__in=children[AwardLine])
            | Q(content_type=types[Disbursement], object_pk__in=children[Disbursement])
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")
    )


def award_history(award: FundingAward) -> list[HistoryChange]:
    """The award's history as people read it, newest change first.

    Status moves ("Status: Draft → Proposed", with the reason when one was given), line
    amounts ("Food, requested: $100.00 → $120.00"), the justification, and payments recorded
    or deleted (with the reason). Each change names who and when.
    """
    entries = award_log_entries(award)
    types = {
        ct.pk: model
        for model, ct in ContentType.objects.get_for_models(
            FundingAward, AwardLine, Disbursement
        ).items()
    }
    # Line updates do not repeat the category: take it from the line's other entries.
    line_category: dict[str, str] = {}
    for entry in entries:
        if types[entry.content_type_id] is AwardLine:
            for value in (entry.changes or {}).get("category", ()):
                if not logged_blank(value):
                    line_category[entry.object_pk] = value
    for line in award.lines.all():
        line_category[str(line.pk)] = line.category

    grouped = history_changes(entries)
    for change in grouped:
        for entry in reversed(change.entries):  # oldest first within one save
            changes = entry.changes or {}
            reason = (entry.additional_data or {}).get("reason", "") or ""
            model = types[entry.content_type_id]
            created = entry.action == LogEntry.Action.CREATE
            deleted = entry.action == LogEntry.Action.DELETE
            if model is FundingAward:
                if created:
                    change.items.append(HistoryItem("Opened the award"))
                if "status" in changes and not created:
                    old, new = changes["status"]
                    change.items.append(
                        HistoryItem("Status", _status(old), _status(new), note=reason)
                    )
                if "need_justification" in changes and not created:
                    change.items.append(HistoryItem("Need justification changed"))
                continue
            if model is AwardLine:
                category = _category(line_category.get(entry.object_pk, "?"))
                if deleted:
                    old = changes.get("requested", (None, None))[0]
                    change.items.append(
                        HistoryItem(f"{category}: line removed", _amount(old), None)
                    )
                    continue
                for key in ("requested", "awarded"):
                    if key not in changes:
                        continue
                    old, new = changes[key]
                    if created and logged_blank(new):
                        continue
                    change.items.append(
                        HistoryItem(
                            f"{category}, {key}", None if created else _amount(old), _amount(new)
                        )
                    )
                continue
            # A disbursement: recorded or deleted (amounts are not edited).
            values = {key: (pair[1] if created else pair[0]) for key, pair in changes.items()}
            paid_on = values.get("paid_on")
            reference = values.get("reference")
            detail = f"paid on {paid_on}" if not logged_blank(paid_on) else ""
            if not logged_blank(reference):
                detail += f", reference {reference}"
            if created:
                change.items.append(
                    HistoryItem("Payment recorded", None, _amount(values.get("amount")), detail)
                )
            elif deleted:
                note = f"{detail}. Reason: {reason}" if reason else detail
                change.items.append(
                    HistoryItem("Payment deleted", _amount(values.get("amount")), None, note)
                )
            else:
                for key, (old, new) in changes.items():
                    change.items.append(HistoryItem(f"Payment {key}", str(old), str(new)))
    return [change for change in grouped if change.items]


def lines_by_category(award: FundingAward) -> dict[str, AwardLine]:
    """The award's lines keyed by category (uses a prefetch when there is one)."""
    return {line.category: line for line in award.lines.all()}
