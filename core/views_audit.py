"""The audit trail browser at /manage/audit/: every recorded change, for program admins only.

Anyone else gets 404, as on the other program-admin pages (DESIGN.md, "Scope"). The trail is
django-auditlog's one log; `core.audit` groups its entries into changes and words them.
"""

import csv

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .audit import TrailChange, trail_changes, trail_pages
from .forms_audit import AuditFilterSet
from .spreadsheets import csv_response, spreadsheet_safe

PAGE_SIZE = 50
# The download reads the trail this many changes at a time.
CSV_CHUNK = 500
CSV_HEADERS = [
    "When",
    "Change",
    "Who",
    "Email",
    "Record type",
    "Record number",
    "Record",
    "Action",
    "Changes",
]


@login_required
@require_http_methods(["GET", "HEAD"])
def log(request):
    """The trail, newest change first, filtered by the GET form; `?format=csv` downloads it."""
    if not request.user.is_program_admin:
        raise Http404
    filterset = AuditFilterSet(request.GET or None, queryset=LogEntry.objects.all())
    valid = not filterset.is_bound or filterset.is_valid()
    entries = filterset.qs if valid else LogEntry.objects.none()
    if valid and request.GET.get("format") == "csv":
        return _download(entries)
    page = Paginator(trail_pages(entries), PAGE_SIZE).get_page(request.GET.get("page"))
    changes = trail_changes(entries, [row["change"] for row in page.object_list])
    return render(
        request,
        "core/audit/log.html",
        {
            "filter": filterset,
            "valid": valid,
            "actor": filterset.chosen_actor if valid and filterset.is_bound else None,
            "page": page,
            "changes": changes,
        },
    )


def _item_text(item) -> str:
    if item.values:
        more = f" and {item.more} more" if item.more else ""
        return f"{item.label}: {', '.join(item.values)}{more}"
    if item.old is not None and item.new is not None:
        return f"{item.label}: {item.old} → {item.new}"
    if item.old is not None or item.new is not None:
        return f"{item.label}: {item.new if item.new is not None else item.old}"
    return item.label


def _rows(change: TrailChange):
    when = timezone.localtime(change.when).strftime("%Y-%m-%d %H:%M:%S %Z")
    email = change.actor.email if change.actor else ""
    for part in change.entries:
        yield [
            when,
            change.key,
            change.actor_text,
            email,
            part.type_label,
            part.entry.object_pk,
            part.text,
            part.action,
            "; ".join(_item_text(item) for item in part.items),
        ]


def _download(entries) -> object:
    """The filtered trail as CSV: one line per record changed, newest change first."""
    response = csv_response(f"audit-trail-{timezone.localdate():%Y-%m-%d}.csv")
    writer = csv.writer(response)
    writer.writerow(CSV_HEADERS)
    keys = [row["change"] for row in trail_pages(entries)]
    for start in range(0, len(keys), CSV_CHUNK):
        for change in trail_changes(entries, keys[start : start + CSV_CHUNK]):
            for row in _rows(change):
                writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response
