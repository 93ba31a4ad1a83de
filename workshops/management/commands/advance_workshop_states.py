"""Store the states the clock has moved workshops into (published -> in progress -> ended)."""

from django.core.management.base import BaseCommand

from workshops.scheduling import workshops_advance_states


class Command(BaseCommand):
    help = (
        "Move published workshops to in progress once their first session starts, and to "
        "ended after their last one ends. Idempotent: run it every few minutes."
    )

    def handle(self, *args, **options):
        counts = workshops_advance_states()
        self.stdout.write(
            f"{counts['in_progress']} workshop(s) now in progress, {counts['ended']} ended."
        )
