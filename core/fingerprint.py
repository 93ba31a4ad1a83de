"""Cache keys that change whenever the rows behind a cached page change: never stale."""

import hashlib
from functools import lru_cache

from django.db import connection


@lru_cache(maxsize=32)
def _stats_sql(models: tuple, newest: tuple = ()) -> str:
    q = connection.ops.quote_name
    # Only quoted table names and numbers are interpolated; there is no user input here.
    parts = [
        f"SELECT {n}, COUNT(*), MAX({q('updated_at')}) FROM {q(model._meta.db_table)}"  # noqa: S608
        for n, model in enumerate(models)
    ]
    parts += [
        f"SELECT {len(models) + n}, MAX({q(model._meta.pk.column)}), NULL "  # noqa: S608
        f"FROM {q(model._meta.db_table)}"
        for n, model in enumerate(newest)
    ]
    return " UNION ALL ".join(parts)


def tables_fingerprint(*models, newest: tuple = ()) -> str:
    """Row count and latest `updated_at` of each model's table, in one UNION query.

    Every row change updates `updated_at` (auto_now), an insert or delete changes the count,
    so the fingerprint changes with any of them. Each model needs an `updated_at` field.

    `newest` models add only their highest primary key: an index lookup however big the
    table, which changes with every insert (ids are never reused) and nothing else. Use it
    for large tables whose other changes show elsewhere in the fingerprint, e.g. in the
    audit log's newest id (`pages.selectors.page_fingerprint` says why that is enough there).

    Hand-written SQL: the ORM takes ten times longer to compile this union than the database
    takes to answer it, and it runs on every visit to a cached page.
    """
    everything = models + tuple(newest)
    with connection.cursor() as cursor:
        cursor.execute(_stats_sql(models, tuple(newest)))
        rows = sorted(cursor.fetchall())
    return "|".join(f"{everything[n]._meta.label}:{count}:{latest}" for n, count, latest in rows)


def cache_key(prefix: str, *parts: str) -> str:
    return f"{prefix}:" + hashlib.sha256("|".join(parts).encode()).hexdigest()
