"""Backups: a backup restored into an empty database gives back every row and every file.

Runs on the database the suite runs on (SQLite, or PostgreSQL with DATABASE_URL): the
PostgreSQL run drives the real pg_dump and pg_restore.
"""

import json
import shutil
import sqlite3

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.backups import _row_counts, target_contents
from partners.models import Partner
from partners.tests.factories import PartnerFactory

# The dump is taken by another process (pg_dump): the rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

RECEIPT = b"%PDF-1.4 a receipt \x00\x01\x02"


@pytest.fixture
def folders(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.BACKUP_ROOT = tmp_path / "backups"
    (tmp_path / "private" / "receipts" / "2026-27").mkdir(parents=True)
    (tmp_path / "private" / "receipts" / "2026-27" / "bagels.pdf").write_bytes(RECEIPT)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "logo.png").write_bytes(b"\x89PNG logo")
    return tmp_path


def _empty_the_database():
    """A disaster: every table gone, as in a new database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    else:
        connection.ensure_connection()
        sqlite3.connect(":memory:").backup(connection.connection)


def _only_backup(folders):
    (folder,) = (folders / "backups").iterdir()
    return folder


def test_a_backup_restored_into_an_empty_database_has_every_row_and_file(folders):
    user = UserFactory(email="zoe@example.org", first_name="Zoë", last_name="O'Brien")
    partner = PartnerFactory(name="Ünïcode Learning Collaborative")
    PartnerFactory.create_batch(3)
    before = _row_counts(connection)
    last_id = Partner.objects.order_by("pk").last().pk

    call_command("backup", stdout=None)

    folder = _only_backup(folders)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"] == before
    assert manifest["tables"]["partners_partner"] == 4
    assert manifest["files"] == {
        "media": {"files": 1, "bytes": 9},
        "private": {"files": 1, "bytes": len(RECEIPT)},
    }

    _empty_the_database()
    shutil.rmtree(folders / "media")
    shutil.rmtree(folders / "private")
    assert target_contents() == []

    call_command("restore", str(folder), stdout=None)

    assert _row_counts(connection) == before
    restored = User.objects.get(pk=user.pk)
    assert (restored.email, restored.first_name, restored.last_name) == (
        "zoe@example.org",
        "Zoë",
        "O'Brien",
    )
    assert restored.password == user.password
    assert Partner.objects.get(pk=partner.pk).name == "Ünïcode Learning Collaborative"
    assert (folders / "private" / "receipts" / "2026-27" / "bagels.pdf").read_bytes() == RECEIPT
    assert (folders / "media" / "logo.png").read_bytes() == b"\x89PNG logo"
    # New rows still get new ids (PostgreSQL's sequences came back too).
    assert PartnerFactory().pk > last_id


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(folders):
    partner = PartnerFactory(name="Kept Partner")
    call_command("backup", stdout=None)
    folder = _only_backup(folders)
    Partner.objects.filter(pk=partner.pk).update(name="Changed since the backup")

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(folder), stdout=None)
    assert Partner.objects.get(pk=partner.pk).name == "Changed since the backup"

    call_command("restore", str(folder), "--force", stdout=None)

    assert Partner.objects.get(pk=partner.pk).name == "Kept Partner"
    # What --force replaced was backed up first.
    (safety,) = (p for p in (folders / "backups").iterdir() if p.name.endswith("before-restore"))
    assert json.loads((safety / "manifest.json").read_text())["tables"]["partners_partner"] == 1


def test_restore_refuses_a_damaged_backup(folders):
    PartnerFactory()
    call_command("backup", stdout=None)
    folder = _only_backup(folders)
    dump = folder / json.loads((folder / "manifest.json").read_text())["database_file"]
    dump.write_bytes(dump.read_bytes()[:-10])

    with pytest.raises(CommandError, match="does not match its manifest"):
        call_command("restore", str(folder), "--force", stdout=None)
