"""Send the workshop reminders that are due (7 days and 1 day before the first session).

Run it every hour from cron. It is idempotent: each enrolled teacher gets each reminder
once, however often (or how concurrently) it runs.
"""

from django.core.management.base import BaseCommand

from workshops.enrollment import workshop_reminders_send


class Command(BaseCommand):
    help = "Send the reminders due now to teachers enrolled in workshops (run hourly)."

    def handle(self, *args, **options):
        sent = workshop_reminders_send()
        self.stdout.write(f"{sent} reminder{'s' if sent != 1 else ''} sent.")
