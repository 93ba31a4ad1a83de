"""Naming who did what in the one audit trail (django-auditlog)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from auditlog.context import auditlog_value, set_extra_data
from auditlog.models import LogEntry


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
            actor = str(entry.actor) if entry.actor else (entry.actor_email or "System")
            changes.append(HistoryChange(when=entry.timestamp, actor=actor))
        changes[-1].entries.append(entry)
    return changes
