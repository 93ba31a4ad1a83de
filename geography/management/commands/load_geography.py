from django.core.management.base import BaseCommand
from tqdm import tqdm

from geography.loader import load_geography
from geography.models import ZipCode


class Command(BaseCommand):
    help = "Load US states, counties and ZIP codes from packages. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--states", help="Comma-separated state codes to load (default: all).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when ZIP codes are already loaded (fast start for `make run`).",
        )

    def handle(self, *args, states=None, if_empty=False, **options):
        if if_empty and ZipCode.objects.exists():
            self.stdout.write("Geography is already loaded; run without --if-empty to refresh it.")
            return
        codes = [c.strip() for c in states.split(",") if c.strip()] if states else None
        bar = tqdm(unit=" ZIP codes", desc="Geography", disable=options["verbosity"] == 0)

        def on_total(total: int) -> None:
            bar.total = total
            bar.refresh()

        report = load_geography(states=codes, progress=bar.update, on_total=on_total)
        bar.close()
        created, updated = report.created, report.updated
        self.stdout.write(
            self.style.SUCCESS(
                f"Geography: {created['states']} states, {created['counties']} counties, "
                f"{created['zips']} ZIP codes created; {updated['states']} states, "
                f"{updated['counties']} counties, {updated['zips']} ZIP codes updated; "
                f"{report.zips_without_county} ZIP codes have no county in the source data."
            )
        )
