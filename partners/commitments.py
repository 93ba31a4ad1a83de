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
from django.db.models import Count, Q, Sum
from django.urls import reverse

from accounts.models import Role
from core.program_years import program_year_bounds
from districts.models import DistrictCommitment
from events.models import Event, EventKind, EventRegistration, RegistrationStatus
from facilitators.models import AccreditationStatus, RosterMember

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
}

SUMMIT_SEASONS = (("summit_september", 9), ("summit_february", 2))


def _joined_on(partner: Partner) -> date:
    return partner.active_since or partner.created_at.date()


def _season_over(program_year: str, month: int, today: date) -> bool:
    """Whether the summit month of a program year has passed (September 2026 for "2026-27")."""
    first, _ = program_year_bounds(program_year)
    year = first.year if month >= 7 else first.year + 1
    return (today.year, today.month) > (year, month)


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
    """Everything the rules need for a list of partners: six queries, whatever its length."""

    def __init__(self, partners: list[Partner], program_year: str):
        ids = [partner.pk for partner in partners]
        self.fte = program_manager_fte_totals(ids)

        events = list(
            Event.objects.in_program_year(program_year)
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
        rows = (
            EventRegistration.objects.filter(
                event_id__in=office_events,
                partner_id__in=ids,
                status=RegistrationStatus.REGISTERED,
                role__in=[Role.PROGRAM_MANAGER, Role.TEACHER],
            )
            .values("event_id", "partner_id", "role")
            .annotate(registered=Count("pk"), attended=Count("pk", filter=Q(attended=True)))
            .order_by()
        )
        for row in rows if office_events else []:
            counts = self.attendance[(row["event_id"], row["partner_id"])]
            if row["role"] == Role.PROGRAM_MANAGER:
                counts.pm_registered += row["registered"]
                counts.pm_attended += row["attended"]
            else:
                counts.teachers_registered += row["registered"]
                counts.teachers_attended += row["attended"]

        self.districts = {
            row["partnership__partner_id"]: (row["districts"], row["teachers"])
            for row in DistrictCommitment.objects.filter(
                partnership__partner_id__in=ids, program_year=program_year
            )
            .values("partnership__partner_id")
            .annotate(districts=Count("partnership", distinct=True), teachers=Sum("teachers"))
            .order_by()
        }

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

    Six queries for any number of partners. Rules, one function each below:

    - program managers: the active program managers' FTE, 0.5 or more. There is no history
      of shares, so a past year is judged on today's managers.
    - each summit (September, February): a program manager of the partner attended. A summit
      that ended before the partner joined is not the partner's to attend (row left out), nor
      is a season that passed with no summit held.
    - the teacher conference: a program manager and at least one of the partner's teachers.
    - district commitments: at least one district commits teachers for the year. Whether the
      districts then sent those teachers (fulfilment) needs workshop attendance, which the
      workshops issue adds; until then only the commitment itself is judged.
    - facilitators: every active program the partner offers has an accredited facilitator on
      its roster for the year.
    - community: the partner held a community meetup in the year.
    """
    if not partners:
        return {}
    loaded = _Loaded(partners, program_year)
    _, year_last_day = program_year_bounds(program_year)
    year_over = today > year_last_day
    result: dict[int, list[Commitment]] = {}
    for partner in partners:
        rows = [_program_managers(partner, loaded)]
        for key, month in SUMMIT_SEASONS:
            summits = [e for e in loaded.summits if e.starts_on.month == month]
            row = _summit(partner, key, summits, loaded, program_year, month, today)
            if row is not None:
                rows.append(row)
        row = _teacher_conference(partner, loaded, today, year_over)
        if row is not None:
            rows.append(row)
        rows.append(_district_commitments(partner, loaded, year_over))
        rows.append(_facilitators(partner, loaded))
        rows.append(_community(partner, loaded, today, year_over))
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


def _summit(
    partner: Partner,
    key: str,
    summits: list[Event],
    loaded: _Loaded,
    program_year: str,
    month: int,
    today: date,
) -> Commitment | None:
    label = COMMITMENT_LABELS[key]
    if not summits:
        if _season_over(program_year, month, today):
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
    upcoming = [e for e in summits if e.ends_on >= today]
    if not upcoming:
        return Commitment(
            key,
            label,
            CommitmentState.MISSED,
            f"No program manager attended the {summits[-1].name}",
        )
    registered = [e for e in upcoming if counts[e.pk] and counts[e.pk].pm_registered]
    if registered:
        return Commitment(
            key,
            label,
            CommitmentState.ON_TRACK,
            f"A program manager is registered for the {registered[0].name}",
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
    districts, teachers = loaded.districts.get(partner.pk, (0, 0))
    if districts:
        noun = "district commits" if districts == 1 else "districts commit"
        return Commitment(
            key,
            label,
            CommitmentState.MET,
            f"{districts} {noun} {teachers} teacher{'s' if teachers != 1 else ''}",
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


def open_tasks(commitments: list[Commitment], partner: Partner) -> list[tuple[str, str]]:
    """What the partner could do next: each commitment's action, and an incomplete profile."""
    tasks = [(c.action_label, c.action_url) for c in commitments if c.action_url]
    if not partner.description or not partner.contact_email:
        tasks.append(
            ("Complete the public profile", reverse("partners:profile_edit", args=[partner.slug]))
        )
    return tasks
