import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from partners.demo import DemoSeedError, demo_logins, demo_seed
from workshops.demo_volume import WORKSHOPS_PER_ACTIVITY, YEARS


class Command(BaseCommand):
    help = (
        "Seed a fictional demo program (users of every role, regions, partners, their "
        "workshops, teachers and records). Idempotent: does nothing when demo data exists, "
        "unless --reset. The program at volume (about 200 partners, 20,000 workshops, a "
        "million enrollments; PostgreSQL, a few minutes): --reset --scale 6 --activity 20."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply the program's size: people, regions and partners (1: about 37 "
            "partners; 6: about 230).",
        )
        parser.add_argument(
            "--activity",
            type=int,
            default=1,
            help="Multiply the partners' history: above 1, each active partner gets "
            f"{WORKSHOPS_PER_ACTIVITY} more workshops per step over the last {YEARS} program "
            "years, with their own teachers, enrollments, attendance, survey responses and "
            "teaching reports (20: about 100 workshops and 5,000 enrollments per partner).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete every demo row first, then seed again."
        )
        parser.add_argument(
            "--logins-only", action="store_true", help="Print the demo logins and exit."
        )

    def handle(self, *args, scale=1, activity=1, reset=False, logins_only=False, **options):
        if logins_only:
            self.print_logins()
            return
        if scale < 1 or activity < 1:
            raise CommandError("--scale and --activity must be 1 or more.")
        bar = tqdm(unit=" rows", desc="Demo data", disable=options["verbosity"] == 0)

        def on_total(total: int) -> None:
            bar.total = total
            bar.refresh()

        started = time.monotonic()
        try:
            report = demo_seed(
                scale=scale,
                activity=activity,
                reset=reset,
                progress=bar.update,
                on_total=on_total,
            )
        except DemoSeedError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        seconds = time.monotonic() - started

        style = self.style.SUCCESS if report.created else self.style.WARNING
        self.stdout.write(style(report.message))
        if report.geography_loaded:
            self.stdout.write("Geography was empty: loaded it first.")
        if report.deleted:
            self.stdout.write(f"Deleted {report.deleted} demo rows (with their links).")
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(
            f"Demo data: {sum(report.users.values())} users {_fmt(report.users)}; "
            f"{sum(report.partners.values())} partners {_fmt(report.partners)}; "
            f"{report.program_managers} program-manager links; "
            f"{sum(report.regions.values())} regions {_fmt(report.regions)} made of "
            f"{_fmt(report.region_units)}."
        )
        self.stdout.write(
            f"Demo applications: {sum(report.applications.values())} "
            f"{_fmt(report.applications)}, with {report.reviews} reviews."
        )
        if report.operations:
            self.stdout.write(
                "Demo partnerships at work: "
                + "; ".join(f"{rows} rows of {label}" for label, rows in report.operations.items())
                + "."
            )
        if report.created:
            self.stdout.write(f"Took {seconds:.1f} s.")
        self.print_logins()

    def print_logins(self) -> None:
        rows = [(email, role, settings.DEMO_PASSWORD) for email, role in demo_logins()]
        header = ("email", "role", "password")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
        self.stdout.write("Demo logins:")
        for row in [header, *rows]:
            line = "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True))
            self.stdout.write(f"  {line}".rstrip())


def _fmt(counts: dict[str, int]) -> str:
    return "(" + ", ".join(f"{k} {v}" for k, v in counts.items()) + ")"
