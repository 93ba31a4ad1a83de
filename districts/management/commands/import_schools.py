from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from districts.importer import ImportFileError, ImportReport, schools_import


class Command(BaseCommand):
    help = (
        "Import public districts and schools from NCES files as published: the CCD school "
        "directory, membership and free/reduced-price lunch files and the EDGE public-school "
        "geocodes (CSV, or a .zip holding one). Each file's kind is read from its header. "
        "Idempotent: a school is matched on its NCES id."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="CSV files, in any order.")

    def handle(self, *args, files, **options):
        bar = tqdm(
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc="NCES files",
            disable=options["verbosity"] == 0,
        )

        def on_total(total: int) -> None:
            bar.total = total
            bar.refresh()

        try:
            report = schools_import(paths=files, progress=bar.update, on_total=on_total)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.print_report(report)

    def print_report(self, report: ImportReport) -> None:
        for imported in report.files:
            year = f", {imported.school_year}" if imported.school_year else ""
            self.stdout.write(
                f"Read {imported.name}: {imported.kind.label} file, {imported.rows} rows{year}."
            )
        if len(report.school_years) > 1:
            self.stdout.write(
                self.style.WARNING(
                    f"The files are of different school years: {', '.join(report.school_years)}."
                )
            )
        for noun in ("districts", "schools"):
            self.stdout.write(
                self.style.SUCCESS(
                    f"{noun.capitalize()}: {report.created[noun]} created, "
                    f"{report.updated[noun]} updated, {report.unchanged[noun]} unchanged."
                )
            )
        for title, counts in (("Skipped", report.skipped), ("Warnings", report.warnings)):
            if not counts:
                continue
            self.stdout.write(f"{title} ({sum(counts.values())}):")
            for reason, count in sorted(counts.items()):
                self.stdout.write(f"  {count} x {reason}")
                for where in report.examples[reason]:
                    self.stdout.write(f"      e.g. {where}")
