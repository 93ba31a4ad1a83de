"""The one audit trail (django-auditlog): naming who did what, and reading it back.

`audited` names the actor and groups a save's entries under one correlation id;
`history_changes` and the value helpers (`choice_label`, `clipped`, `logged_value`) are what
every per-object history and the program admins' trail browser (`trail_pages`,
`trail_changes`) show entries with.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from auditlog.context import auditlog_value, set_extra_data
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import CharField, Max, Model, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst


@contextmanager
def audited(user, *, label: str) -> Iterator[None]:
    """Log entries written inside carry `user` as actor and share one correlation id.

    The id (`<label>-<uuid>`) lets a history show one save as one change. Outside a request
    (shell, tests, commands) this is what names the actor; inside one it keeps the
    middleware's remote address, and gives the middleware's context back afterwards
    (auditlog's own context manager would leave its context set).
    """
    previous = auditlog_value.get(None)
    extra = {
        "actor": user,
        "cid": f"{label}-{uuid.uuid4().hex}",
        "remote_addr": (previous or {}).get("remote_addr"),
        "remote_port": (previous or {}).get("remote_port"),
    }
    try:
        with set_extra_data(context_data=extra):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


# --- Reading the trail back ------------------------------------------------------------------

# Logged text longer than this is cut (with "…") where histories show it.
CLIP = 160


@dataclass
class HistoryItem:
    """One line of a change as people read it: "Status: Draft → Proposed"."""

    label: str
    old: str | None = None
    new: str | None = None
    note: str = ""
    # A list of names instead of old → new ("Added counties: …"), and how many were cut.
    values: list[str] = field(default_factory=list)
    more: int = 0


@dataclass
class HistoryChange:
    """One save: the log entries written together, by one person at one moment."""

    when: datetime
    actor: str
    entries: list[LogEntry] = field(default_factory=list)
    items: list[HistoryItem] = field(default_factory=list)


def logged_blank(value) -> bool:
    """Whether a value in a log entry's changes means "nothing" (auditlog writes "None")."""
    return value in (None, "None", "")


def actor_name(entry: LogEntry) -> str:
    """Who wrote an entry: their name, the email kept after their account went, or "System"."""
    return str(entry.actor) if entry.actor else (entry.actor_email or "System")


def clipped(text: str) -> str:
    """Long logged text (a description, a justification) cut to a readable length."""
    return text if len(text) <= CLIP else text[: CLIP - 3] + "…"


def choice_label(choices, value) -> str:
    """A logged choice as people read it ("in_review" -> "In review"), "—" for none.

    `choices` is a `TextChoices` class or (value, label) pairs; a value no longer among them
    (a retired status) shows as it was stored.
    """
    if logged_blank(value):
        return "—"
    return str(dict(getattr(choices, "choices", choices)).get(value, value))


def history_changes(entries: list[LogEntry]) -> list[HistoryChange]:
    """Entries (newest first) grouped into changes, each naming who and when; items empty.

    Entries written under one `audited` block share a correlation id; older ones without it
    are one change when the same actor wrote them within two seconds.
    """
    changes: list[HistoryChange] = []
    for entry in entries:
        last = changes[-1].entries[-1] if changes else None
        same = last is not None and (
            (entry.cid and entry.cid == last.cid)
            or (
                not entry.cid
                and not last.cid
                and entry.actor_id == last.actor_id
                and abs((last.timestamp - entry.timestamp).total_seconds()) < 2
            )
        )
        if not same:
            changes.append(HistoryChange(when=entry.timestamp, actor=actor_name(entry)))
        changes[-1].entries.append(entry)
    return changes


# --- The whole trail, as program admins browse it (/manage/audit/) ---------------------------

# What an entry did, in the words of the page and of its `?action=` filter.
ACTIONS = {
    "created": LogEntry.Action.CREATE,
    "changed": LogEntry.Action.UPDATE,
    "deleted": LogEntry.Action.DELETE,
}
_ACTION_WORDS = {value: word for word, value in ACTIONS.items()}


def type_key(model: type[Model]) -> str:
    """How a model is named in the trail's links and filters: "partners.partner"."""
    return model._meta.label_lower


def type_label(model: type[Model]) -> str:
    return capfirst(str(model._meta.verbose_name))


def audited_models() -> list[type[Model]]:
    """Every model the one trail records, by name."""
    return sorted(auditlog.get_models(), key=type_label)


def _on_application(application) -> str | None:
    # A draft is the applicant's alone: the review pages do not show it.
    if application.status == "draft":
        return None
    return reverse("review:detail", args=[application.pk])


def _region_page(region) -> str:
    return reverse("geography:region_detail", args=[region.slug])


# Where program admins see an audited object in PartnerHub: the related rows to load with it,
# and its page (None: no page; the admin's change page then, when the admin has one).
# A model not listed uses its get_absolute_url.
_PAGES: dict[str, tuple[tuple[str, ...], Callable[[Model], str | None]]] = {
    "accounts.user": ((), lambda user: None),  # get_absolute_url is the viewer's own home
    "partners.partner": ((), lambda o: reverse("workspace:home", args=[o.slug])),
    "partners.programmanager": (
        ("partner",),
        lambda o: reverse("workspace:managers", args=[o.partner.slug]),
    ),
    "partners.checkinnote": (
        ("partner",),
        lambda o: reverse("workspace:check_ins", args=[o.partner.slug]),
    ),
    "applications.invitation": (
        ("partner",),
        lambda o: reverse("workspace:managers", args=[o.partner.slug]),
    ),
    "applications.application": ((), _on_application),
    "applications.score": (
        ("review__application",),
        lambda o: _on_application(o.review.application),
    ),
    "geography.region": ((), _region_page),
    "geography.regionstate": (("region",), lambda o: _region_page(o.region)),
    "geography.regioncounty": (("region",), lambda o: _region_page(o.region)),
    "geography.regionzip": (("region",), lambda o: _region_page(o.region)),
    "funding.fundingaward": ((), lambda o: reverse("funding:award", args=[o.pk])),
    "funding.awardline": ((), lambda o: reverse("funding:award", args=[o.award_id])),
    "funding.disbursement": ((), lambda o: reverse("funding:award", args=[o.award_id])),
    "metrics.target": (
        ("partner",),
        lambda o: reverse("workspace:targets", args=[o.partner.slug]) + f"?year={o.program_year}",
    ),
    "workshops.workshop": (
        ("partner",),
        lambda o: reverse("partner_workshops:detail", args=[o.partner.slug, o.pk]),
    ),
}
for _part in (
    "applicationevent",
    "applicationprogrammanager",
    "budgetrequestline",
    "districtrelationship",
    "reference",
    "review",
    "reviewerassignment",
):
    _PAGES[f"applications.{_part}"] = (("application",), lambda o: _on_application(o.application))


def _admin_page(model: type[Model], pk) -> str | None:
    if not admin.site.is_registered(model):
        return None
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])


def _page_of(obj: Model) -> str | None:
    _related, page = _PAGES.get(type_key(type(obj)), ((), None))
    try:
        url = page(obj) if page else getattr(obj, "get_absolute_url", lambda: None)()
    except NoReverseMatch:
        url = None
    return url or _admin_page(type(obj), obj.pk)


@dataclass
class TrailEntry:
    """One object's part in a change: what, what happened to it, and its fields' moves."""

    entry: LogEntry
    type_key: str
    type_label: str
    text: str
    url: str | None
    action: str
    items: list[HistoryItem] = field(default_factory=list)


@dataclass
class TrailChange:
    """One row of the trail: entries written together, by one person at one moment."""

    key: str
    when: datetime
    actor: Any  # the User, or None when gone or never one
    actor_text: str  # the name kept in the entry when the account is gone; "System" if none
    entries: list[TrailEntry] = field(default_factory=list)


def change_key():
    """The expression grouping entries into changes: the correlation id, else the entry alone."""
    return Coalesce(
        NullIf("cid", Value("")),
        Concat(Value("entry-"), Cast("pk", CharField())),
        output_field=CharField(),
    )


def trail_pages(entries: QuerySet[LogEntry]) -> QuerySet:
    """One row per change among `entries` (newest first): its key, for a Paginator."""
    return (
        entries.annotate(change=change_key())
        .values("change")
        .annotate(last=Max("timestamp"), top=Max("pk"))
        .order_by("-last", "-top")
    )


def _model_field(model: type[Model] | None, name: str):
    """The model's field (or relation) named `name`, or None."""
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _to_many(model: type[Model] | None, name: str) -> bool:
    """Whether `name` is a relation to many rows of the model (many-to-many or reverse)."""
    relation = _model_field(model, name)
    return relation is not None and bool(relation.many_to_many or relation.one_to_many)


def _field(model: type[Model] | None, name: str):
    model_field = _model_field(model, name)
    if model_field is None:
        return None
    # A reverse relation shares its name with no logged field of the model.
    return None if model_field.auto_created and not model_field.concrete else model_field


def _is_foreign_key(model_field) -> bool:
    return model_field is not None and (model_field.many_to_one or model_field.one_to_one)


def _related_paths(model: type[Model], depth: int = 2) -> list[str]:
    """Foreign keys to follow (nullable ones too) so that a row's name takes no query."""
    paths = []
    for model_field in model._meta.concrete_fields:
        if _is_foreign_key(model_field):
            paths.append(model_field.name)
            if depth > 1:
                nested = _related_paths(model_field.related_model, depth - 1)
                paths += [f"{model_field.name}__{path}" for path in nested]
    return paths


def _names_of_related(rows: list[tuple[type[Model] | None, LogEntry]]) -> dict:
    """{(model, "pk"): name} for every object a logged foreign key names: one query a model."""
    wanted: dict[type[Model], set[str]] = defaultdict(set)
    for model, entry in rows:
        for name, pair in (entry.changes or {}).items():
            model_field = _field(model, name)
            if _is_foreign_key(model_field) and isinstance(pair, list):
                wanted[model_field.related_model].update(
                    str(value) for value in pair if not logged_blank(value)
                )
    names: dict = {}
    for related, keys in wanted.items():
        pks = [key for key in keys if key.isdigit()]
        if not pks:
            continue
        found = related._base_manager.select_related(*_related_paths(related)).in_bulk(pks)
        names.update({(related, str(pk)): clipped(str(obj)) for pk, obj in found.items()})
    return names


def logged_value(model_field, value, names: dict) -> str | None:
    """A value as auditlog wrote it (text), as people read it; None for none."""
    if logged_blank(value):
        return None
    value = str(value)
    if model_field is None:
        return clipped(value)
    if model_field.choices:
        return choice_label(model_field.choices, value)
    if _is_foreign_key(model_field):
        return names.get((model_field.related_model, value), f"#{value} (deleted)")
    kind = model_field.get_internal_type()
    if kind in ("BooleanField", "NullBooleanField"):
        return {"True": "Yes", "False": "No"}.get(value, value)
    if kind == "DateTimeField":
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, UTC)
            return date_format(timezone.localtime(moment), "M j, Y, g:i a")
    if kind == "DateField":
        day = parse_date(value)
        if day is not None:
            return date_format(day, "M j, Y")
    return clipped(value)


def entry_items(entry: LogEntry, model: type[Model] | None, names: dict) -> list[HistoryItem]:
    """An entry's field changes as "Field: old → new" (a creation: "Field: value")."""
    created = entry.action == LogEntry.Action.CREATE
    deleted = entry.action == LogEntry.Action.DELETE
    pk_name = model._meta.pk.name if model is not None else "id"
    items = []
    for name, pair in (entry.changes or {}).items():
        if name == pk_name:
            continue
        model_field = _field(model, name)
        label = capfirst(str(model_field.verbose_name)) if model_field else name.replace("_", " ")
        if isinstance(pair, dict):  # a many-to-many change: the names added or removed
            verb = "added" if pair.get("operation") == "add" else "removed"
            objects = sorted(clipped(str(o)) for o in pair.get("objects", ()))
            items.append(
                HistoryItem(
                    f"{capfirst(label)} {verb}", values=objects[:20], more=max(0, len(objects) - 20)
                )
            )
            continue
        if _to_many(model, name):
            # auditlog writes a relation's manager as text ("facilitators.Accreditation.None")
            # when a row is created: not a value; the rows it relates are logged themselves.
            continue
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        old = None if created else logged_value(model_field, old, names)
        new = None if deleted else logged_value(model_field, new, names)
        if old is None and new is None:
            continue  # a blank field of a row created or deleted: nothing to say
        if not (created or deleted):
            old, new = old or "—", new or "—"
        items.append(HistoryItem(capfirst(label), old, new))
    reason = (
        (entry.additional_data or {}).get("reason")
        if isinstance(entry.additional_data, dict)
        else None
    )
    if reason:
        items.append(HistoryItem("Reason", None, clipped(str(reason))))
    return items


def trail_changes(entries: QuerySet[LogEntry], keys: list[str]) -> list[TrailChange]:
    """The changes named by `keys` (from `trail_pages`), in that order, read for people.

    A fixed number of queries whatever the number of changes: the entries with their actors,
    then one query per kind of object named (the objects' pages) and per kind of object a
    field points to (their names).
    """
    # A key is a correlation id or "entry-<pk>" (an entry without one); asking for both by
    # every key keeps a correlation id that happens to read "entry-5" with its own rows.
    pks = [int(key[6:]) for key in keys if key.startswith("entry-") and key[6:].isdigit()]
    rows = [
        row
        for row in entries.filter(Q(cid__in=keys) | Q(pk__in=pks))
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
        if (row.cid or f"entry-{row.pk}") in keys
    ]
    models = {row.content_type_id: row.content_type.model_class() for row in rows}
    # The objects still there, with what their pages need.
    wanted: dict[type[Model], set[str]] = defaultdict(set)
    for row in rows:
        model = models.get(row.content_type_id)
        if model is not None and row.action != LogEntry.Action.DELETE:
            wanted[model].add(row.object_pk)
    pages: dict[tuple[type[Model], str], str | None] = {}
    for model, object_pks in wanted.items():
        related = _PAGES.get(type_key(model), ((), None))[0]
        pk_field = model._meta.pk
        valid = []
        for object_pk in object_pks:
            try:
                valid.append(pk_field.to_python(object_pk))
            except ValidationError:
                continue
        for pk, obj in model._base_manager.select_related(*related).in_bulk(valid).items():
            pages[(model, str(pk))] = _page_of(obj)
    names = _names_of_related([(models.get(row.content_type_id), row) for row in rows])

    by_key: dict[str, TrailChange] = {}
    for row in rows:
        key = row.cid or f"entry-{row.pk}"
        change = by_key.get(key)
        if change is None:
            change = by_key[key] = TrailChange(
                key=key, when=row.timestamp, actor=row.actor, actor_text=actor_name(row)
            )
        model = models.get(row.content_type_id)
        change.entries.append(
            TrailEntry(
                entry=row,
                type_key=type_key(model) if model else "",
                type_label=type_label(model) if model else "Removed kind of record",
                text=row.object_repr,
                url=pages.get((model, row.object_pk)),
                action=_ACTION_WORDS.get(row.action, "accessed"),
                items=entry_items(row, model, names),
            )
        )
    for change in by_key.values():
        change.entries.reverse()  # oldest first within one change, as it happened
    return [by_key[key] for key in keys if key in by_key]
