"""Demo data: regional managers' dated check-in notes with their active demo partners.

Invented from short phrase lists with the caller's seeded `random.Random`, so the same seed
gives the same notes. The notes go when their demo partner is deleted (cascade).
"""

import random
from datetime import date, timedelta

from .models import CheckInNote, Partner

OPENINGS = (
    "Monthly call with the program managers.",
    "Visited the partner's office.",
    "Quick check-in by video.",
    "Met after the summit session.",
    "Phone call about the coming season.",
)
TOPICS = (
    "Fall workshop dates are set; two venues still to confirm.",
    "District commitments look solid; one district is waiting on its budget vote.",
    "Facilitator roster is thin for the middle-school course; they are recruiting.",
    "Program manager hours are stretched; discussed sharing the role.",
    "Planning a community meetup for the spring.",
    "Summer workshop enrollment is ahead of last year.",
    "Survey results from the last workshop were strong on facilitation.",
    "Asked for help reaching rural districts in the north of the region.",
)
FOLLOW_UPS = (
    "Follow up in two weeks.",
    "Send them the funding report template.",
    "Connect them with a neighboring partner that solved this.",
    "No action needed.",
    "Check again before the February summit.",
)


def demo_checkins(*, rng: random.Random, partners: list[Partner], today: date) -> int:
    """Create 1-4 check-in notes for each active partner with a regional manager, dated over
    the last six months and written by that regional manager. Returns the notes created."""
    notes = []
    for partner in sorted(partners, key=lambda p: p.pk):
        if partner.status != Partner.Status.ACTIVE or partner.regional_manager_id is None:
            continue
        days_ago = sorted(rng.sample(range(3, 180), rng.randint(1, 4)))
        for days in days_ago:
            body = " ".join(
                (
                    rng.choice(OPENINGS),
                    *rng.sample(TOPICS, rng.randint(1, 2)),
                    rng.choice(FOLLOW_UPS),
                )
            )
            notes.append(
                CheckInNote(
                    partner=partner,
                    author_id=partner.regional_manager_id,
                    happened_on=today - timedelta(days=days),
                    body=body,
                )
            )
    CheckInNote.objects.bulk_create(notes, batch_size=500)
    return len(notes)
