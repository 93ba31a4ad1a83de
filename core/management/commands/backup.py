from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_create, read_manifest


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format on PostgreSQL, SQLite's online backup "
        "on SQLite) and the uploaded files into BACKUP_ROOT/<timestamp>/, with a manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("--root", type=Path, help="Folder for backups (default BACKUP_ROOT).")
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, root=None, database="default", **options):
        try:
            folder = backup_create(root=root, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = read_manifest(folder)
        files = manifest["files"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {sum(manifest['tables'].values())} rows in "
                f"{len(manifest['tables'])} tables, {files['media']['files']} media files and "
                f"{files['private']['files']} private files to {folder}"
            )
        )
