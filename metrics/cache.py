"""The dashboards' figures, computed once per change of what they count.

The program dashboard counts every enrollment, attendance, teaching report and survey answer
of every partner in scope: seconds at a large program's volume. Its rows (and a partner
dashboard's) are kept in the cache under `dashboard_fingerprint()`, which changes whenever a
figure can, so a dashboard is never behind its data:

- every table the figures read is registered with django-auditlog except the survey answers
  and the schools, so the audit log's newest id changes with every change the app makes
  (edits and deletions included);
- each of the big tables' newest id changes with every insert, also in bulk (demo data,
  survey answers, which are created in bulk);
- schools change through the NCES import, which stamps `updated_at` (count and latest stamp);
- the date: statuses and growth are judged as of today.

One query when cached. The figures are computed inside `reporting_reads()` (the replica, when
there is one); who may see which partner is decided before, on the primary.
"""

import datetime
from collections.abc import Callable

from auditlog.models import LogEntry
from django.core.cache import cache

from core.db_routers import reporting_reads
from core.fingerprint import cache_key, tables_fingerprint
from districts.models import School
from partners.models import Partner
from surveys.models import SurveyAnswer, SurveyResponse
from workshops.models import Attendance, Enrollment, TeachingReport

from . import selectors

CACHE_SECONDS = 60 * 60 * 24
NEWEST = (LogEntry, Enrollment, Attendance, TeachingReport, SurveyResponse, SurveyAnswer)


def dashboard_fingerprint(today: datetime.date) -> str:
    return f"{tables_fingerprint(School, newest=NEWEST)}|{today.isoformat()}"


def _cached(name: str, parts: list[str], today: datetime.date, compute: Callable):
    key = cache_key(f"metrics-{name}", *parts, dashboard_fingerprint(today))
    value = cache.get(key)
    if value is None:
        with reporting_reads():
            value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def program_rows(partners, program_year: str, today: datetime.date) -> list:
    """`selectors.program_dashboard` for the partners in scope (a queryset, in its order)."""
    ids = [str(pk) for pk in partners.values_list("pk", flat=True)]
    return _cached(
        "program",
        [program_year, ",".join(ids)],
        today,
        lambda: selectors.program_dashboard(partners, program_year, today=today),
    )


def partner_dashboard(partner: Partner, program_year: str, today: datetime.date):
    """`selectors.partner_dashboard` of one partner."""
    return _cached(
        "partner",
        [str(partner.pk), partner.slug, program_year],
        today,
        lambda: selectors.partner_dashboard(partner, program_year, today=today),
    )
