"""A partner's commitments for a program year, and how each stands: met, on track, at risk, missed.

The seed page lists what a Regional Partner commits to: program managers for half a position
or more, a program manager at both summits, teachers and a program manager at the teacher
conference, districts committing teachers, accredited facilitators for every program it
offers, and a community it convenes. `partner_commitments` judges all of that for a whole
list of partners in a fixed number of queries (a page of the regional manager's list costs
the same as one partner's overview).

It reads the events, districts and facilitators models directly: those apps' selectors serve
their own pages, and this module needs only counts.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse

from core.program_years import program_year_bounds
from districts.selectors import commitment_fulfilment
from events.models import Event, EventKind
from events.selectors import MANAGER_SIDE, office_event_counts, with_attendance_taken
from facilitators.models import AccreditationStatus, RosterMember
from workshops.scheduling import workshop_counts

from .models import MIN_PROGRAM_MANAGER_FTE, Partner, ProgramManager


class CommitmentState(models.TextChoices):
    MET = "met", "Met"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    MISSED = "missed", "Missed"


@dataclass(frozen=True)
class Commitment:
    """One commitment of one partner in one program year, judged."""

    key: str
    label: str
    state: CommitmentState
    detail: str
    # The open task that would move the commitment on, when there is one.
    action_label: str = ""
    action_url: str = ""

    @property
    def state_label(self) -> str:
        return CommitmentState(self.state).label


# The order commitments are listed in, everywhere (the list's columns, the overview).
COMMITMENT_LABELS: dict[str, str] = {
    "program_managers": "Program managers (0.5 FTE)",
    "summit_september": "September summit",
    "summit_february": "February summit",
    "teacher_conference": "Teacher conference",
    "district_commitments": "District commitments",
    "facilitators": "Accredited facilitators",
    "community": "Community meetup",
    "workshops": "Workshops held",
}

# A summit is the year's "September summit" when it is held in the program year's first half
# (July to December), its "February summit" in the second (January to June): a summit moved
# to October or March is still judged, under the season it stands for.
AUTUMN, SPRING = "autumn", "spring"
SUMMIT_SEASONS = (("summit_september", AUTUMN), ("summit_february", SPRING))


def summit_season(day: date) -> str:
    """The half of the program year a summit held on `day` belongs to (July-December: autumn)."""
    return AUTUMN if day.month >= 7 else SPRING


def _joined_on(partner: Partner) -> date:
    return partner.active_since or partner.created_at.date()


def _season_over(program_year: str, season: str, today: date) -> bool:
    """Whether the half of the program year a season stands for is over (for "2026-27":
    autumn ends December 31, 2026; spring June 30, 2027)."""
    first, last = program_year_bounds(program_year)
    end = date(first.year, 12, 31) if season == AUTUMN else last
    return today > end


def program_manager_fte_totals(partner_ids) -> dict[int, Decimal]:
    """Each partner's program-manager FTE, counting only people whose account is active."""
    rows = (
        ProgramManager.objects.filter(partner_id__in=partner_ids, user__is_active=True)
        .values("partner_id")
        .annotate(total=Sum("fte_share"))
        .order_by()
    )
    return {row["partner_id"]: row["total"] or Decimal("0") for row in rows}


def fte_state(total: Decimal) -> CommitmentState:
    return CommitmentState.MET if total >= MIN_PROGRAM_MANAGER_FTE else CommitmentState.MISSED


@dataclass
class _Attendance:
    """One partner's registrations at one event, counted by role."""

    pm_registered: int = 0
    pm_attended: int = 0
    teachers_registered: int = 0
    teachers_attended: int = 0


class _Loaded:
    """Everything the rules need for a list of partners: nine queries, whatever its length."""

    def __init__(self, partners: list[Partner], program_year: str):
        ids = [partner.pk for partner in partners]
        self.fte = program_manager_fte_totals(ids)

        events = list(
            with_attendance_taken(Event.objects.in_program_year(program_year))
            .filter(
                Q(kind__in=[EventKind.SUMMIT, EventKind.TEACHER_CONFERENCE])
                | Q(kind=EventKind.MEETUP, host_partner_id__in=ids)
            )
            .order_by("starts_on", "pk")
        )
        self.summits = [e for e in events if e.kind == EventKind.SUMMIT]
        self.conferences = [e for e in events if e.kind == EventKind.TEACHER_CONFERENCE]
        self.meetups: dict[int, list[Event]] = defaultdict(list)
        for event in events:
            if event.kind == EventKind.MEETUP:
                self.meetups[event.host_partner_id].append(event)

        self.attendance: dict[tuple[int, int], _Attendance] = defaultdict(_Attendance)
        office_events = [e.pk for e in self.summits + self.conferences]
        for row in office_event_counts(office_events, ids):
            counts = self.attendance[(row["event_pk"], row["partner_pk"])]
            attended = row["n"] if row["attended"] else 0
            if row["side"] == MANAGER_SIDE:
                counts.pm_registered += row["n"]
                counts.pm_attended += attended
            else:
                counts.teachers_registered += row["n"]
                counts.teachers_attended += attended

        self.districts = commitment_fulfilment(ids, program_year)
        self.workshops = workshop_counts(ids, program_year)

        self.courses: dict[int, list[tuple[int, str]]] = defaultdict(list)
        offered = (
            Partner.courses.through.objects.filter(partner_id__in=ids, course__is_active=True)
            .order_by("course__order", "course__name")
            .values_list("partner_id", "course_id", "course__name")
        )
        for partner_id, course_id, name in offered:
            self.courses[partner_id].append((course_id, name))

        self.covered: dict[int, set[int]] = defaultdict(set)
        covered = (
            RosterMember.objects.filter(
                partner_id__in=ids,
                facilitator__is_active=True,
                facilitator__accreditations__program_year=program_year,
                facilitator__accreditations__status=AccreditationStatus.ACCREDITED,
            )
            .values_list("partner_id", "facilitator__accreditations__course_id")
            .order_by()  # the model's ordering would widen DISTINCT to the facilitator's name
            .distinct()
        )
        for partner_id, course_id in covered:
            self.covered[partner_id].add(course_id)


def partner_commitments(
    partners: list[Partner], *, program_year: str, today: date
) -> dict[int, list[Commitment]]:
    """Each partner's commitments for `program_year` as they stand on `today`, by partner id.

    Nine queries for any number of partners. Rules, one function each below:

    - program managers: the active program managers' FTE, 0.5 or more. There is no history
      of shares, so a past year is judged on today's managers.
    - each summit (September: held July-December; February: January-June): someone who is
      now a program manager of the partner attended, whatever partner their registration
      names (`events.selectors.office_event_counts`). A summit that ended before the partner
      joined is not the partner's to attend (row left out), nor is a half-year that passed
      with no summit held. A summit over with a manager registered but no attendance taken
      yet is at risk ("attendance not recorded yet"), not missed.
    - the teacher conference: a program manager (the same rule) and at least one of the
      partner's teachers; at risk, not missed, until attendance is taken.
    - district commitments: at least one district commits teachers for the year; the detail
      adds the fulfilment (`districts.selectors.commitment_fulfilment`).
    - facilitators: every active program the partner offers has an accredited facilitator on
      its roster for the year.
    - community: the partner held a community meetup in the year.
    - workshops: the partner held a public workshop in the year (one scheduled is on track).
      Against a number planned once targets exist (the metrics issue).
    """
    if not partners:
        return {}
    loaded = _Loaded(partners, program_year)
    _, year_last_day = program_year_bounds(program_year)
    year_over = today > year_last_day
    result: dict[int, list[Commitment]] = {}
    for partner in partners:
        rows = [_program_managers(partner, loaded)]
        for key, season in SUMMIT_SEASONS:
            summits = [e for e in loaded.summits if summit_season(e.starts_on) == season]
            row = _summit(partner, key, summits, loaded, program_year, season, today)
            if row is not None:
                rows.append(row)
        row = _teacher_conference(partner, loaded, today, year_over)
        if row is not None:
            rows.append(row)
        rows.append(_district_commitments(partner, loaded, year_over))
        rows.append(_facilitators(partner, loaded))
        rows.append(_community(partner, loaded, today, year_over))
        rows.append(_workshops(partner, loaded, year_over))
        result[partner.pk] = rows
    return result


def _program_managers(partner: Partner, loaded: _Loaded) -> Commitment:
    total = loaded.fte.get(partner.pk, Decimal("0"))
    key, label = "program_managers", COMMITMENT_LABELS["program_managers"]
    if fte_state(total) == CommitmentState.MET:
        return Commitment(key, label, CommitmentState.MET, f"{total:.2f} FTE")
    return Commitment(
        key,
        label,
        CommitmentState.MISSED,
        f"{total:.2f} FTE of the {MIN_PROGRAM_MANAGER_FTE} required",
        "Invite a program manager",
        reverse("workspace:managers", args=[partner.slug]),
    )


def _counting(partner: Partner, events: list[Event]) -> list[Event]:
    """The events that count for a partner: not those over before it joined."""
    joined = _joined_on(partner)
    return [event for event in events if event.ends_on >= joined]


def _awaiting_attendance(events: list[Event], registered: dict[int, int], today: date) -> list:
    """Events over, where someone held a place, with no attendance recorded yet."""
    return [
        event
        for event in events
        if event.ends_on < today and registered.get(event.pk) and not event.attendance_taken
    ]


def _not_recorded(key: str, label: str, event: Event) -> Commitment:
    return Commitment(
        key,
        label,
        CommitmentState.AT_RISK,
        f"Attendance not recorded yet for the {event.name}",
    )


def _summit(
    partner: Partner,
    key: str,
    summits: list[Event],
    loaded: _Loaded,
    program_year: str,
    season: str,
    today: date,
) -> Commitment | None:
    label = COMMITMENT_LABELS[key]
    if not summits:
        if _season_over(program_year, season, today):
            return None
        return Commitment(key, label, CommitmentState.ON_TRACK, "Not scheduled yet")
    summits = _counting(partner, summits)
    if not summits:
        return None
    counts = {event.pk: loaded.attendance.get((event.pk, partner.pk)) for event in summits}
    attended = [e for e in summits if counts[e.pk] and counts[e.pk].pm_attended]
    if attended:
        return Commitment(
            key, label, CommitmentState.MET, f"A program manager attended the {attended[0].name}"
        )
    registered = {pk: c.pm_registered for pk, c in counts.items() if c}
    upcoming = [e for e in summits if e.ends_on >= today]
    coming = [e for e in upcoming if registered.get(e.pk)]
    if coming:
        return Commitment(
            key,
            label,
            CommitmentState.ON_TRACK,
            f"A program manager is registered for the {coming[0].name}",
        )
    awaiting = _awaiting_attendance(summits, registered, today)
    if awaiting:
        return _not_recorded(key, label, awaiting[-1])
    if not upcoming:
        return Commitment(
            key,
            label,
            CommitmentState.MISSED,
            f"No program manager attended the {summits[-1].name}",
        )
    event = upcoming[0]
    return Commitment(
        key,
        label,
        CommitmentState.AT_RISK,
        f"No program manager registered for the {event.name} ({event.starts_on:%B} "
        f"{event.starts_on.day})",
        f"Register for the {event.name}",
        event.get_absolute_url(),
    )


def _teachers(n: int, verb: str) -> str:
    return f"{n} teacher{'s' if n != 1 else ''} {verb}"


def _teacher_conference(
    partner: Partner, loaded: _Loaded, today: date, year_over: bool
) -> Commitment | None:
    key, label = "teacher_conference", COMMITMENT_LABELS["teacher_conference"]
    if not loaded.conferences:
        if year_over:
            return None  # a year with no conference held asked nothing of anyone
        return Commitment(key, label, CommitmentState.ON_TRACK, "Not scheduled yet")
    conferences = _counting(partner, loaded.conferences)
    if not conferences:
        return None
    total = _Attendance()
    for event in conferences:
        counts = loaded.attendance.get((event.pk, partner.pk))
        if counts:
            total.pm_registered += counts.pm_registered
            total.pm_attended += counts.pm_attended
            total.teachers_registered += counts.teachers_registered
            total.teachers_attended += counts.teachers_attended
    if total.pm_attended and total.teachers_attended:
        return Commitment(
            key,
            label,
            CommitmentState.MET,
            f"{_teachers(total.teachers_attended, 'attended')} with a program manager",
        )
    upcoming = [event for event in conferences if event.ends_on >= today]
    if not upcoming:
        registered = {}
        for event in conferences:
            counts = loaded.attendance.get((event.pk, partner.pk))
            if counts:
                registered[event.pk] = counts.pm_registered + counts.teachers_registered
        awaiting = _awaiting_attendance(conferences, registered, today)
        if awaiting:
            return _not_recorded(key, label, awaiting[-1])
        missing = []
        if not total.pm_attended:
            missing.append("no program manager attended")
        if not total.teachers_attended:
            missing.append("no teacher attended")
        return Commitment(key, label, CommitmentState.MISSED, "; ".join(missing).capitalize())
    event = upcoming[0]
    manager = "a program manager registered" if total.pm_registered else "no program manager yet"
    detail = f"{_teachers(total.teachers_registered, 'registered')}; {manager}"
    if total.pm_registered and total.teachers_registered:
        return Commitment(key, label, CommitmentState.ON_TRACK, detail)
    action = (
        f"Invite your teachers to the {event.name}"
        if total.pm_registered
        else f"Register for the {event.name}"
    )
    return Commitment(key, label, CommitmentState.AT_RISK, detail, action, event.get_absolute_url())


def _district_commitments(partner: Partner, loaded: _Loaded, year_over: bool) -> Commitment:
    key, label = "district_commitments", COMMITMENT_LABELS["district_commitments"]
    kept = loaded.districts[partner.pk]
    if kept.districts:
        noun = "district commits" if kept.districts == 1 else "districts commit"
        teachers = f"{kept.committed} teacher{'s' if kept.committed != 1 else ''}"
        return Commitment(
            key,
            label,
            CommitmentState.MET,
            f"{kept.districts} {noun} {teachers}; {kept.attended} of them attended so far",
        )
    return Commitment(
        key,
        label,
        CommitmentState.MISSED if year_over else CommitmentState.AT_RISK,
        "No district has committed teachers for this year",
        "Record district commitments",
        reverse("districts:list", args=[partner.slug]),
    )


def _facilitators(partner: Partner, loaded: _Loaded) -> Commitment:
    key, label = "facilitators", COMMITMENT_LABELS["facilitators"]
    courses = loaded.courses.get(partner.pk, [])
    if not courses:
        return Commitment(
            key,
            label,
            CommitmentState.AT_RISK,
            "No programs chosen",
            "Choose the programs you offer",
            reverse("partners:profile_edit", args=[partner.slug]),
        )
    covered = loaded.covered.get(partner.pk, set())
    uncovered = [name for course_id, name in courses if course_id not in covered]
    if not uncovered:
        noun = "program has" if len(courses) == 1 else "programs have"
        return Commitment(
            key,
            label,
            CommitmentState.MET,
            f"All {len(courses)} {noun} an accredited facilitator",
        )
    return Commitment(
        key,
        label,
        CommitmentState.AT_RISK,
        "No accredited facilitator for " + ", ".join(uncovered),
        "Add accredited facilitators to the roster",
        reverse("roster:list", args=[partner.slug]),
    )


def _community(partner: Partner, loaded: _Loaded, today: date, year_over: bool) -> Commitment:
    key, label = "community", COMMITMENT_LABELS["community"]
    meetups = loaded.meetups.get(partner.pk, [])
    held = [event for event in meetups if event.ends_on < today]
    if held:
        n = len(held)
        return Commitment(
            key, label, CommitmentState.MET, f"{n} meetup{'s' if n != 1 else ''} held"
        )
    if meetups:
        first = meetups[0]
        return Commitment(
            key,
            label,
            CommitmentState.ON_TRACK,
            f"{first.name} on {first.starts_on:%B} {first.starts_on.day}",
        )
    return Commitment(
        key,
        label,
        CommitmentState.MISSED if year_over else CommitmentState.AT_RISK,
        "No community meetup this year",
        "Schedule a community meetup",
        reverse("partner_events:list", args=[partner.slug]),
    )


def _workshops(partner: Partner, loaded: _Loaded, year_over: bool) -> Commitment:
    key, label = "workshops", COMMITMENT_LABELS["workshops"]
    counts = loaded.workshops[partner.pk]
    held, scheduled = counts["held"], counts["scheduled"]
    if held:
        more = f", {scheduled} more scheduled" if scheduled else ""
        return Commitment(
            key, label, CommitmentState.MET, f"{held} workshop{'s' if held != 1 else ''} held{more}"
        )
    if scheduled:
        return Commitment(
            key,
            label,
            CommitmentState.ON_TRACK,
            f"{scheduled} workshop{'s' if scheduled != 1 else ''} scheduled, none held yet",
        )
    return Commitment(
        key,
        label,
        CommitmentState.MISSED if year_over else CommitmentState.AT_RISK,
        "No workshop published this year",
        "Schedule a workshop",
        reverse("partner_workshops:new", args=[partner.slug]),
    )


def open_tasks(commitments: list[Commitment], partner: Partner) -> list[tuple[str, str]]:
    """What the partner could do next: each commitment's action, and an incomplete profile."""
    tasks = [(c.action_label, c.action_url) for c in commitments if c.action_url]
    if not partner.description or not partner.contact_email:
        tasks.append(
            ("Complete the public profile", reverse("partners:profile_edit", args=[partner.slug]))
        )
    return tasks
