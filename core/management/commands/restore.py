from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_restore, latest_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` (default: the latest in BACKUP_ROOT) into "
        "an empty database and empty upload folders, then check every table's row count."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", nargs="?", type=Path, help="The backup folder.")
        parser.add_argument("--database", default="default", help="Database alias.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that is not empty (it is backed up first).",
        )

    def handle(self, *args, backup=None, database="default", force=False, **options):
        try:
            source = backup or latest_backup()
            restored = backup_restore(source=source, using=database, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if restored.safety_backup:
            self.stdout.write(f"What was there before is backed up in {restored.safety_backup}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {restored.rows} rows in {restored.tables} tables from "
                f"{restored.source}; every table's row count matches the manifest."
            )
        )
