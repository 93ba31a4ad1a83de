"""Invite the attendees of workshops that ended in the last N hours to their survey.

Run it once a day (cron, or your scheduler). It looks back 72 hours by default, so one or
two missed runs (a weekend, an outage) lose no invitation. Each attendee is invited once:
the invitation task claims `Enrollment.survey_invited_at` before sending, so the overlapping
runs send nothing twice; teachers who already answered are skipped. See
surveys.services.survey_invitations_send.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from surveys.selectors import workshops_ended_between
from surveys.services import INVITATION_WINDOW, survey_invitations_send

# Older workshops are not invited: a survey weeks later is not worth an email.
MAX_HOURS = 14 * 24
DEFAULT_HOURS = int(INVITATION_WINDOW.total_seconds() // 3600)


class Command(BaseCommand):
    help = "Email survey invitations to attendees of workshops that ended in the last N hours."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=DEFAULT_HOURS,
            help="Workshops whose last session ended this many hours ago or less (default "
            f"{DEFAULT_HOURS}: run the command daily; the overlap covers missed runs, and "
            "nobody is invited twice).",
        )

    def handle(self, *args, hours: int, **options):
        window = datetime.timedelta(hours=hours)
        if not 1 <= hours <= MAX_HOURS:
            raise CommandError(f"--hours must be from 1 to {MAX_HOURS}.")
        now = timezone.now()
        total = 0
        workshops = workshops_ended_between(now - window, now)
        for workshop in workshops:
            total += survey_invitations_send(workshop=workshop, now=now, window=window)
        self.stdout.write(
            f"{total} invitation(s) queued for {len(workshops)} workshop(s) that ended in the "
            f"last {hours} hour(s)."
        )
