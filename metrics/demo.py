"""Demo targets: what each active demo partner agreed to reach (called last by seed_demo).

For the current program year and the one before, every metric with an actual in the year
before that gets a target near it: counts a little above (most partners plan to grow),
shares and means a little either side. Without records of the year before (the demo's
history begins there: the year before the current one at --activity 1), a year that is over
gets targets near its own figures instead, as the plan agreed at its start. Growth gets a
target only when the partner had teachers the year before (a first year has nothing to grow
from).
Program manager FTE is only known for the current year (metrics.selectors), so both years'
FTE targets are set near today's figure. Judged against the actuals, the dashboards then
show a mix of met, on-track, at-risk and missed. The actuals come from metrics.selectors, the
one definition of every metric. Set by the demo program admin; deterministic for a given
`rng`. Targets go with their partner when the demo is deleted.
"""

import datetime
import random
from decimal import Decimal

from accounts.models import User
from core.program_years import previous_program_year, program_year_bounds, program_year_for
from partners.models import Partner

from .models import Metric, Target
from .selectors import METRICS, Unit, partner_figures

ADMIN = "admin@demo.test"
COUNT_FACTOR = (0.9, 1.35)
SHARE_SHIFT = (-0.06, 0.08)
MEAN_SHIFT = (-0.25, 0.3)
# Made up near a year's own figures: either side, a little more often below (met).
PLAN_COUNT_FACTOR = (0.8, 1.15)
PLAN_SHARE_SHIFT = (-0.06, 0.04)
PLAN_MEAN_SHIFT = (-0.3, 0.2)
GROWTH_TARGET = (0.0, 0.2)
CENT = Decimal("0.01")
# At most: every metric, in two program years.
TARGETS_PER_PARTNER = 2 * len(Metric)


def demo_targets(*, rng: random.Random, partners: list, today: datetime.date) -> int:
    """Targets for the active demo partners in this program year and the last; rows created."""
    active = sorted(
        (p for p in partners if p.status == Partner.Status.ACTIVE and p.is_demo),
        key=lambda p: p.pk,
    )
    if not active:
        return 0
    ids = [p.pk for p in active]
    admin = User.objects.filter(email=ADMIN).first()
    current = program_year_for(today)
    now = partner_figures(ids, current, today=today)
    targets = []
    for year in (previous_program_year(current), current):
        before = partner_figures(ids, previous_program_year(year), today=today)
        own = partner_figures(ids, year, today=today)
        over = program_year_bounds(year)[1] < today
        have = set(
            Target.objects.filter(partner_id__in=ids, program_year=year).values_list(
                "partner_id", "metric"
            )
        )
        for pid in ids:
            history = bool(before[pid].values.get(Metric.TEACHERS_ATTENDED))
            # Without records of the year before (where the demo's history begins), the plan
            # the partner agreed to is made up near what the year itself brought.
            planned = over and not history
            actuals = dict((own if planned else before)[pid].values)
            actuals[Metric.PM_FTE] = now[pid].values.get(Metric.PM_FTE)
            for metric, spec in METRICS.items():
                if (pid, metric) in have:
                    continue
                if metric == Metric.TEACHER_GROWTH and not history:
                    continue  # no year before to grow from
                value = _near(rng, metric, spec.unit, actuals.get(metric), plan=planned)
                if value is not None:
                    targets.append(
                        Target(
                            partner_id=pid, program_year=year, metric=metric, value=value,
                            set_by=admin,
                        )
                    )  # fmt: skip
    Target.objects.bulk_create(targets, batch_size=1_000)
    return len(targets)


def _near(
    rng: random.Random, metric: Metric, unit: Unit, actual, *, plan: bool = False
) -> Decimal | None:
    """A plausible target near last year's actual (`plan`: near the year's own actual);
    None when there is nothing to go by."""
    if metric == Metric.TEACHER_GROWTH:
        return Decimal(str(round(rng.uniform(*GROWTH_TARGET), 2)))
    if actual is None:
        return None
    actual = float(actual)
    if unit == Unit.COUNT:
        if actual <= 0:
            return None
        factor = rng.uniform(*(PLAN_COUNT_FACTOR if plan else COUNT_FACTOR))
        return Decimal(max(1, round(actual * factor)))
    if unit == Unit.SHARE:
        shift = rng.uniform(*(PLAN_SHARE_SHIFT if plan else SHARE_SHIFT))
        value = min(1.0, max(0.0, actual + shift))
    elif unit == Unit.MEAN:
        shift = rng.uniform(*(PLAN_MEAN_SHIFT if plan else MEAN_SHIFT))
        value = min(5.0, max(1.0, actual + shift))
    else:  # FTE: quarter steps around today's
        value = max(0.25, round((actual + rng.choice((-0.25, 0, 0, 0.25))) * 4) / 4)
    return Decimal(str(value)).quantize(CENT)
