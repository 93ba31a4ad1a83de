"""Demo accreditations and rosters for the demo facilitators (called by seed_demo).

Demo facilitators are the users with `role="facilitator", is_demo=True` that partners.demo
makes, the fixed login facilitator@demo.test among them. Their rows go when they do
(accreditations and roster places cascade from the user and the partner).
"""

import datetime
import random

from accounts.models import Role, User
from core.program_years import previous_program_year
from partners.models import Partner
from workshops.models import Course

from .models import Accreditation, AccreditationStatus, RosterMember
from .selectors import current_program_year

FIXED_LOGIN = "facilitator@demo.test"
# Most facilitators are accredited; the rest show every other status.
PREVIOUS_WEIGHTS = (
    (AccreditationStatus.ACCREDITED, 70),
    (AccreditationStatus.IN_TRAINING, 12),
    (AccreditationStatus.CANDIDATE, 6),
    (AccreditationStatus.LAPSED, 12),
)
# This year's status follows last year's.
NEXT_STATUS = {
    AccreditationStatus.ACCREDITED: (
        (AccreditationStatus.ACCREDITED, 85),
        (AccreditationStatus.LAPSED, 15),
    ),
    AccreditationStatus.IN_TRAINING: (
        (AccreditationStatus.ACCREDITED, 65),
        (AccreditationStatus.IN_TRAINING, 35),
    ),
    AccreditationStatus.CANDIDATE: (
        (AccreditationStatus.IN_TRAINING, 60),
        (AccreditationStatus.CANDIDATE, 40),
    ),
    AccreditationStatus.LAPSED: ((AccreditationStatus.LAPSED, 70), (None, 30)),
}
NOTES = {
    AccreditationStatus.LAPSED: "Did not complete the annual refresher.",
    AccreditationStatus.IN_TRAINING: "Facilitator training in progress.",
    AccreditationStatus.CANDIDATE: "Recommended by a partner.",
}
# One active partner in this many is left with an offered course nobody may lead.
UNCOVERED_EVERY = 4
MAX_ROSTER = 4
ACCREDITED = AccreditationStatus.ACCREDITED


def _pick(rng: random.Random, weights):
    values, w = zip(*weights, strict=True)
    return rng.choices(values, w)[0]


def demo_facilitators(*, rng: random.Random, partners: list, today: datetime.date) -> int:
    """Accreditations (this and last program year) and rosters (2-4 per active demo partner).

    `partners` are the demo `Partner` rows (saved, with their offered courses); only the
    active ones get a roster.

    A few partners are left without an accredited facilitator for one course they offer, so
    the workspace shows an at-risk commitment. facilitator@demo.test is accredited for at
    least one course and on the roster of the first active partner (the demo program
    manager's). Deterministic for a given `rng`; returns the number of rows created.
    """
    courses = list(Course.objects.filter(is_active=True).order_by("order", "name"))
    people = list(User.objects.filter(role=Role.FACILITATOR, is_demo=True).order_by("email"))
    if not courses or not people:
        return 0
    current = current_program_year(today)
    previous = previous_program_year(current)

    accreditations: list[Accreditation] = []
    # person pk -> {course pk: this year's status}
    standing: dict[int, dict[int, str]] = {}
    for person in people:
        count = min(len(courses), rng.choice((1, 1, 2, 2, 3)))
        held = rng.sample(courses, count)
        standing[person.pk] = {}
        for number, course in enumerate(held):
            before = _pick(rng, PREVIOUS_WEIGHTS)
            now = _pick(rng, NEXT_STATUS[before])
            if person.email == FIXED_LOGIN and number == 0:
                before = now = AccreditationStatus.ACCREDITED
            for year, status in ((previous, before), (current, now)):
                if status is None:
                    continue
                accreditations.append(
                    Accreditation(
                        facilitator=person,
                        course=course,
                        program_year=year,
                        status=status,
                        note=NOTES.get(status, ""),
                    )
                )
            if now is not None:
                standing[person.pk][course.pk] = now

    # In creation order: the first active one is the demo program manager's (partners.demo).
    active = sorted(
        (p for p in partners if p.status == Partner.Status.ACTIVE and p.is_demo),
        key=lambda p: p.pk,
    )
    offered: dict[int, list[int]] = {p.pk: [] for p in active}
    for partner_id, course_id in (
        Partner.courses.through.objects.filter(partner_id__in=offered)
        .order_by("partner_id", "course__order", "course_id")
        .values_list("partner_id", "course_id")
    ):
        offered[partner_id].append(course_id)

    # Only facilitators the roster rule admits: a non-lapsed accreditation this year.
    eligible = [
        p for p in people if any(s != AccreditationStatus.LAPSED for s in standing[p.pk].values())
    ]
    fixed = next((p for p in eligible if p.email == FIXED_LOGIN), None)
    members: list[RosterMember] = []
    for number, partner in enumerate(active):
        courses_here = offered[partner.pk]
        pool, bare = eligible, None
        if courses_here and number % UNCOVERED_EVERY == UNCOVERED_EVERY - 1:
            # Leave one offered course without anyone accredited for it this year.
            bare = courses_here[-1]
            pool = [p for p in eligible if standing[p.pk].get(bare) != ACCREDITED]
        # First someone accredited for each offered course, then others up to 2-4 people.
        chosen: list[User] = []
        for course_id in courses_here:
            if course_id == bare or len(chosen) == MAX_ROSTER:
                continue
            if any(standing[p.pk].get(course_id) == ACCREDITED for p in chosen):
                continue
            options = [p for p in pool if standing[p.pk].get(course_id) == ACCREDITED]
            if options:
                chosen.append(rng.choice(options))
        others = [p for p in pool if p not in chosen]
        rng.shuffle(others)
        chosen += others[: max(rng.randint(2, MAX_ROSTER) - len(chosen), 0)]
        if number == 0 and fixed is not None and fixed not in chosen:
            if len(chosen) < MAX_ROSTER:
                chosen.append(fixed)
            else:
                chosen[-1] = fixed
        members += [
            RosterMember(
                partner=partner,
                facilitator=p,
                since=today - datetime.timedelta(days=rng.randint(30, 720)),
            )
            for p in chosen
        ]

    Accreditation.objects.bulk_create(accreditations, batch_size=500)
    RosterMember.objects.bulk_create(members, batch_size=500)
    return len(accreditations) + len(members)
