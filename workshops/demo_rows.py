"""Writing demo rows by the million: psycopg COPY on PostgreSQL, bulk_create elsewhere.

`seed_demo --activity` writes millions of enrollments, attendance rows and survey answers.
Model instances and `bulk_create` cost about ten times more per row than the rows themselves
(instances, `pre_save`, parameter lists of an INSERT per batch); PostgreSQL's COPY streams
plain tuples, so on PostgreSQL the rows go through COPY in large batches. Other databases
(SQLite: tests, `make setup`) get `bulk_create`, which is fast enough at their volumes.

Rows carry their primary keys, allocated here from the table's largest id, so the children
written next can point at them without reading anything back; `finish()` moves each table's
id sequence past them afterwards. Fields a caller does not give are filled once per writer:
`auto_now`/`auto_now_add` with `now`, others with their default ("" or NULL without one).
"""

from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

Progress = Callable[[int], None]

# Rows per COPY (or bulk_create call): large enough that the per-batch costs vanish, small
# enough that a batch of tuples stays a few tens of megabytes.
BATCH = 20_000


class Rows:
    """Buffered writer of one model's rows, given as tuples of `fields` (attnames, "id" first)."""

    def __init__(self, model: type[models.Model], fields: Iterable[str], *, tick: Progress, now):
        self.model = model
        self.fields = list(fields)
        if self.fields[0] != "id":
            raise ValueError("The rows carry their id first.")
        given = set(self.fields)
        self.extra: dict[str, object] = {}
        for field in model._meta.concrete_fields:
            if field.attname in given or field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.extra[field.attname] = now
            elif field.unique:
                raise ValueError(f"{model.__name__}.{field.name} is unique: give it.")
            else:
                # Its default, "" for a text field without one, or NULL.
                self.extra[field.attname] = field.get_default()
                if self.extra[field.attname] is None and not field.null:
                    raise ValueError(f"{model.__name__}.{field.name} has no default: give it.")
        self.columns = self.fields + list(self.extra)
        self.tail = tuple(self.extra.values())
        self.tick = tick
        self.buffer: list[tuple] = []
        self.written = 0
        last = model.objects.aggregate(last=Max("pk"))["last"] or 0
        self._next = last + 1

    def next_id(self) -> int:
        pk = self._next
        self._next += 1
        return pk

    def add(self, row: tuple) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        rows, self.buffer = self.buffer, []
        if connection.vendor == "postgresql":
            self._copy(rows)
        else:
            names = self.columns
            self.model.objects.bulk_create(
                [self.model(**dict(zip(names, row + self.tail, strict=True))) for row in rows],
                batch_size=2_000,
            )
        self.written += len(rows)
        self.tick(len(rows))

    def _copy(self, rows: list[tuple]) -> None:
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(self.model._meta.get_field(c).column) for c in self.columns)
        tail = self.tail
        # The psycopg cursor under Django's wrapper: COPY is psycopg's own API.
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row + tail)


def finish(writers: Iterable[Rows]) -> None:
    """Flush every writer, then move the id sequences past the ids written (PostgreSQL)."""
    writers = list(writers)
    for writer in writers:
        writer.flush()
    sql = connection.ops.sequence_reset_sql(no_style(), [w.model for w in writers])
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


@contextmanager
def foreign_keys_checked_after(models_: Iterable[type[models.Model]], *, incoming: bool = False):
    """On PostgreSQL, check the tables' foreign keys once, after the rows are written (or,
    with `incoming`, the keys pointing at the tables too, after rows are deleted).

    Django's foreign keys are deferred: each row written (or deleted from a table others
    point at) queues a check that runs at commit, one lookup and row lock per key per row:
    some 15 million for the program at volume, many minutes. Dropping the foreign-key
    constraints and adding them back with the same name and definition checks every row in
    one join per key instead. Other databases: nothing changes.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models_]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Rows written before (users, the scale-1 workshops) have their checks queued: run
        # them now, as a table with queued checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND (conrelid = ANY(%s::regclass[]) "
            "OR (%s AND confrelid = ANY(%s::regclass[]))) ORDER BY 1, 2",
            [tables, incoming, tables],
        )
        keys = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
