"""Writes for targets: program admins set what each partner agreed to reach in a year.

Every save runs inside `core.audit.audited(user, label="targets")`: django-auditlog keeps the
old and new value of each target and names who changed it; `targets_history` reads that back
for the targets page.
"""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from core.audit import HistoryChange, HistoryItem, audited, history_changes, logged_blank
from core.program_years import validate_program_year
from partners.models import Partner

from .models import Metric, Target
from .selectors import METRICS, Unit, format_value

# What a target may be, by unit (metrics.selectors.METRICS says each metric's unit).
# Growth is a share that may exceed 1 (tripling is +200%); a target cannot be negative
# (Target.value's validator: a target to shrink is not one the program sets).
RANGES: dict[Unit, tuple[Decimal, Decimal]] = {
    Unit.COUNT: (Decimal("0"), Decimal("99999999")),
    Unit.SHARE: (Decimal("0"), Decimal("1")),
    Unit.MEAN: (Decimal("1"), Decimal("5")),
    Unit.FTE: (Decimal("0"), Decimal("10")),
}
GROWTH_RANGE = (Decimal("0"), Decimal("10"))


def _range(metric: Metric) -> tuple[Decimal, Decimal]:
    if metric == Metric.TEACHER_GROWTH:
        return GROWTH_RANGE
    return RANGES[METRICS[metric].unit]


def _clean(metric: Metric, value) -> Decimal | None:
    """The value as a Decimal, None for blank; ValidationError (keyed by metric) otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({metric.value: "Enter a number."}) from None
    if not number.is_finite():
        raise ValidationError({metric.value: "Enter a number."})
    spec = METRICS[metric]
    low, high = _range(metric)
    if spec.unit == Unit.COUNT and number != number.to_integral_value():
        raise ValidationError({metric.value: "A count is a whole number."})
    # Targets are kept to two decimals (Target.value), which the figures are shown and judged
    # at or finer (metrics.selectors, "Precision"): a share's target is a whole percentage.
    if number != number.quantize(Decimal("0.01")):
        if spec.unit == Unit.SHARE:
            message = "Use a whole percentage: at most two decimal places (0.45 is 45%)."
        else:
            message = "Use at most two decimal places."
        raise ValidationError({metric.value: message})
    if not low <= number <= high:
        shown = (format_value(spec, low), format_value(spec, high))
        if spec.unit == Unit.SHARE:
            message = f"Give a fraction from {low} to {high} ({shown[0]} to {shown[1]})."
        else:
            message = f"Give a value from {low} to {high}."
        raise ValidationError({metric.value: message})
    return number


def targets_save(
    *,
    partner: Partner,
    program_year: str,
    values: Mapping[Metric | str, Decimal | str | None],
    user: User,
) -> list[Target]:
    """Set a partner's targets for a year: one per metric given; None or blank deletes it.

    Program admins only (PermissionDenied otherwise). Values are checked against the metric's
    unit: counts whole and from 0; shares fractions from 0 to 1 (growth up to 10, i.e.
    +1000%); the survey mean 1 to 5; FTE 0 to 10; at most two decimal places. Every error is
    reported at once, keyed by metric. Metrics not in `values` keep their target. Returns
    the partner's targets for the year after the save.
    """
    if not getattr(user, "is_program_admin", False):
        raise PermissionDenied("Only program admins can set targets.")
    validate_program_year(program_year)
    cleaned: dict[Metric, Decimal | None] = {}
    errors: dict[str, list] = {}
    for key, value in values.items():
        try:
            metric = Metric(key)
        except ValueError:
            errors.setdefault("__all__", []).append(f"Not a metric: {key}.")
            continue
        try:
            cleaned[metric] = _clean(metric, value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audited(user, label="targets"):
        existing = {
            t.metric: t
            for t in Target.objects.select_for_update().filter(
                partner=partner, program_year=program_year
            )
        }
        for metric, value in cleaned.items():
            target = existing.get(metric.value)
            if value is None:
                if target is not None:
                    target.delete()
                continue
            if target is None:
                target = Target(partner=partner, program_year=program_year, metric=metric)
            elif target.value == value:
                continue
            target.value = value.quantize(Decimal("0.01"))
            target.set_by = user
            target.full_clean()
            target.save()
    return list(Target.objects.filter(partner=partner, program_year=program_year))


def targets_history(partner: Partner, program_year: str) -> list[HistoryChange]:
    """Who set which target of the partner's year, from what to what, newest change first.

    Read from the audit trail: an entry that creates or deletes a target names its partner,
    year and metric; an update names only the value, so the targets that exist now say which
    metric theirs are. Two queries.
    """
    pk = str(partner.pk)
    current = dict(
        Target.objects.filter(partner=partner, program_year=program_year).values_list(
            "pk", "metric"
        )
    )
    named = Q()
    for side in (0, 1):
        named |= Q(
            **{f"changes__partner__{side}": pk, f"changes__program_year__{side}": program_year}
        )
    entries = list(
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Target))
        .filter(named | Q(object_pk__in=[str(k) for k in current]))
        .select_related("actor")
        .order_by("-timestamp", "-pk")
    )
    metric_of = {str(k): metric for k, metric in current.items()}
    for entry in entries:
        for value in (entry.changes or {}).get("metric", ()):
            if not logged_blank(value):
                metric_of.setdefault(entry.object_pk, value)
    entries = [e for e in entries if e.object_pk in metric_of]
    grouped = history_changes(entries)
    for change in grouped:
        for entry in reversed(change.entries):  # oldest first within one save
            spec = METRICS[Metric(metric_of[entry.object_pk])]
            old, new = (entry.changes or {}).get("value", (None, None))
            if entry.action == LogEntry.Action.CREATE:
                old = None
            elif entry.action == LogEntry.Action.DELETE:
                new = None
            change.items.append(
                HistoryItem(
                    spec.label,
                    None if logged_blank(old) else format_value(spec, old),
                    None if logged_blank(new) else format_value(spec, new),
                    note="Removed" if entry.action == LogEntry.Action.DELETE else "",
                )
            )
    return grouped
