"""Naming who did what in the one audit trail (django-auditlog)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from auditlog.context import auditlog_value, set_extra_data


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
