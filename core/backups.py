"""Backups: the database and the uploaded files, into one folder with a manifest.

A backup is a folder `<BACKUP_ROOT>/<UTC timestamp>/` holding
- `db.dump` (PostgreSQL: `pg_dump --format=custom`) or `db.sqlite3` (SQLite: a copy made
  with SQLite's online backup API, consistent while the site keeps writing);
- `media/` and `private/`: copies of MEDIA_ROOT and PRIVATE_MEDIA_ROOT (receipts);
- `manifest.json`: when, from which database, the row count of every table and the files,
  counted from the same snapshot the dump holds, so a restore can be checked against it.

`backup_create` and `backup_restore` are called by `manage.py backup` / `manage.py restore`
(`make backup` / `make restore`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

MANIFEST = "manifest.json"
PG_DUMP_FILE = "db.dump"
SQLITE_FILE = "db.sqlite3"
FILE_FOLDERS = {"media": "MEDIA_ROOT", "private": "PRIVATE_MEDIA_ROOT"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, in plain words."""


@dataclass(frozen=True)
class Restored:
    source: Path
    tables: int
    rows: int
    safety_backup: Path | None


# --- Helpers --------------------------------------------------------------------------------


def _tables(connection) -> list[str]:
    with connection.cursor() as cursor:
        return sorted(
            info.name
            for info in connection.introspection.get_table_list(cursor)
            if info.type == "t"
        )


def _row_counts(connection) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in _tables(connection):
            # The names come from the database's own catalogue, quoted.
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _folder_summary(folder: Path) -> dict[str, int]:
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env(connection) -> dict[str, str]:
    """libpq's environment for the connection: the password never shows in a process list."""
    params = connection.settings_dict
    env = {**os.environ, "PGDATABASE": params["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if params.get(key):
            env[var] = str(params[key])
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    if params.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = params["OPTIONS"]["sslmode"]
    return env


def _client(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install Debian's postgresql-client (`make pg-client`)."
        )
    return path


def _major(version_text: str) -> int:
    """The major version in `pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)`."""
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", version_text)
    if match is None:
        raise BackupError(f"Cannot read a version from {version_text!r}.")
    return int(match.group(1))


def pg_client_check(connection, program: str = "pg_dump") -> str:
    """The client's version text; refuses a client older than the server (it cannot dump it)."""
    # Programs found on PATH by fixed name, arguments as a list: no shell, nothing from users.
    output = subprocess.run(  # noqa: S603
        [_client(program), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    client = _major(output)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server = int(cursor.fetchone()[0]) // 10000
    if client < server:
        raise BackupError(
            f"{program} {client} cannot work with a PostgreSQL {server} server: install "
            f"postgresql-client-{server}."
        )
    return output


def _new_folder(root: Path, label: str = "") -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"{stamp}{'-' + label if label else ''}"
    folder, n = root / name, 1
    while folder.exists():
        n += 1
        folder = root / f"{name}-{n}"
    folder.mkdir(parents=True)
    return folder


# --- Backup ---------------------------------------------------------------------------------


def backup_create(*, root: Path | None = None, using: str = "default", label: str = "") -> Path:
    """Back up the database and the uploaded files into a new folder; returns the folder."""
    connection = connections[using]
    folder = _new_folder(Path(root or settings.BACKUP_ROOT), label)
    manifest = {
        "created_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "database": str(connection.settings_dict["NAME"]),
    }
    if connection.vendor == "postgresql":
        manifest.update(_pg_dump(connection, folder / PG_DUMP_FILE))
        database_file = folder / PG_DUMP_FILE
    elif connection.vendor == "sqlite":
        manifest.update(_sqlite_copy(connection, folder / SQLITE_FILE))
        database_file = folder / SQLITE_FILE
    else:
        raise BackupError(f"No backup for the {connection.vendor} database.")
    manifest["database_file"] = database_file.name
    manifest["database_sha256"] = _sha256(database_file)
    manifest["files"] = {}
    for name, setting in FILE_FOLDERS.items():
        source = Path(getattr(settings, setting))
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            (folder / name).mkdir()
        manifest["files"][name] = _folder_summary(folder / name)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return folder


def _pg_dump(connection, target: Path) -> dict:
    """pg_dump of the snapshot the row counts are read from: the manifest matches the dump."""
    client = pg_client_check(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), version()")
        snapshot, server = cursor.fetchone()
        counts = _row_counts(connection)
        result = subprocess.run(  # noqa: S603
            [
                _client("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            env=_pg_env(connection),
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return {"tables": counts, "server": server, "client": client}


def _sqlite_copy(connection, target: Path) -> dict:
    """SQLite's online backup API: a consistent copy even while others write."""
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()
    copy = sqlite3.connect(target)
    try:
        names = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            name: copy.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in names
        }
    finally:
        copy.close()
    return {"tables": counts, "server": f"SQLite {sqlite3.sqlite_version}"}


# --- Restore --------------------------------------------------------------------------------


def latest_backup(root: Path | None = None) -> Path:
    folders = sorted(
        p for p in Path(root or settings.BACKUP_ROOT).glob("*") if (p / MANIFEST).is_file()
    )
    if not folders:
        raise BackupError(f"No backup in {root or settings.BACKUP_ROOT}.")
    return folders[-1]


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}.")
    return json.loads(path.read_text())


def target_contents(using: str = "default") -> list[str]:
    """What the restore would overwrite: tables in the database, files in the upload folders."""
    found = [f"table {name}" for name in _tables(connections[using])]
    for setting in FILE_FOLDERS.values():
        folder = Path(getattr(settings, setting))
        if folder.is_dir() and any(folder.iterdir()):
            found.append(f"files in {folder}")
    return found


def backup_restore(*, source: Path, using: str = "default", force: bool = False) -> Restored:
    """Restore a backup folder into the database and upload folders.

    The target must be empty (a new database: no tables, and empty upload folders); with
    `force`, what is there is first backed up (label `before-restore`), then replaced.
    Afterwards every table's row count is checked against the manifest.
    """
    source = Path(source)
    manifest = read_manifest(source)
    connection = connections[using]
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest['vendor']} database; the target is {connection.vendor}."
        )
    database_file = source / manifest["database_file"]
    if _sha256(database_file) != manifest["database_sha256"]:
        raise BackupError(f"{database_file} does not match its manifest (damaged or altered).")
    safety = None
    contents = target_contents(using)
    if contents:
        if not force:
            more = f" and {len(contents) - 3} more" if len(contents) > 3 else ""
            shown = ", ".join(contents[:3]) + more
            raise BackupError(
                f"The target is not empty ({shown}). Restore into a new database, or use "
                "--force to replace it (it is backed up first)."
            )
        safety = backup_create(using=using, label="before-restore")
    if connection.vendor == "postgresql":
        _pg_restore(connection, database_file)
    else:
        _sqlite_restore(connection, database_file)
    for name, setting in FILE_FOLDERS.items():
        target = Path(getattr(settings, setting))
        if target.is_dir():
            shutil.rmtree(target)
        shutil.copytree(source / name, target)
    counts = _row_counts(connection)
    expected = manifest["tables"]
    wrong = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
    if wrong:
        detail = "; ".join(f"{t}: {n} expected, {got} found" for t, (n, got) in wrong.items())
        raise BackupError(f"The restored database does not match the manifest: {detail}")
    return Restored(
        source=source, tables=len(expected), rows=sum(expected.values()), safety_backup=safety
    )


def _pg_restore(connection, dump: Path) -> None:
    pg_client_check(connection, "pg_restore")
    # The target's own objects go first (it is empty, or --force said so), so nothing of the
    # old schema survives beside the restored one.
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    connection.close()
    result = subprocess.run(  # noqa: S603
        [
            _client("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        env=_pg_env(connection),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _sqlite_restore(connection, copy: Path) -> None:
    """Copy the backup into the live database with the backup API (it replaces every page)."""
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
