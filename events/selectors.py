"""Reads for program events: lists, who may register (and why not), and the office's report."""

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.formats import date_format, time_format

from accounts.models import Role, User
from geography.models import ZipCode
from partners.models import Partner

from .models import Event, EventKind, EventRegistration, RegistrationStatus

ACTIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
DASH = "\N{EN DASH}"
REPORT_KINDS = (EventKind.SUMMIT, EventKind.TEACHER_CONFERENCE)


# --- Scope ---------------------------------------------------------------------------------


def events_visible_to(user) -> QuerySet[Event]:
    """Every event: the program lists summits, the conference and meetups publicly.

    What a person sees of one (the online link, the registration list) is decided on the
    page: `can_see_online_link`, `event_is_managed_by`.
    """
    events = (
        Event.objects.select_related("host_partner", "state")
        .annotate(
            registered_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
            ),
            waitlisted_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
            ),
        )
        # Meta.ordering does not apply to a grouped query: order explicitly (pagination).
        .order_by("starts_on", "name", "pk")
    )
    if user.is_authenticated:
        mine = EventRegistration.objects.filter(event=OuterRef("pk"), user=user).values("status")
        events = events.annotate(my_status=Subquery(mine[:1]))
    return events


def managed_partner_ids(user) -> set[int]:
    """The partners a program manager manages (empty for everyone else)."""
    if not user.is_authenticated or not user.is_program_manager:
        return set()
    return set(Partner.objects.filter(program_managers__user=user).values_list("pk", flat=True))


def events_managed_by(user) -> QuerySet[Event]:
    """Events a user may edit, delete and take attendance of.

    Program admins: every event. Program managers: the meetups their partners host.
    """
    if not user.is_authenticated or not user.is_active:
        return Event.objects.none()
    if user.is_program_admin:
        return Event.objects.all()
    if user.is_program_manager:
        return Event.objects.filter(
            kind=EventKind.MEETUP, host_partner__program_managers__user=user
        ).distinct()
    return Event.objects.none()


def event_is_managed_by(event: Event, user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_program_admin:
        return True
    return event.kind == EventKind.MEETUP and event.host_partner_id in managed_partner_ids(user)


def can_create_events(user) -> bool:
    """Program admins (any kind) and program managers (meetups of their partners)."""
    return bool(
        user.is_authenticated
        and (user.is_program_admin or (user.is_program_manager and managed_partner_ids(user)))
    )


def registration_of(event: Event, user) -> EventRegistration | None:
    """The user's registration for the event, cancelled ones included; None if never."""
    if not user.is_authenticated:
        return None
    return EventRegistration.objects.filter(event=event, user=user).first()


def can_see_online_link(event: Event, user, registration: EventRegistration | None) -> bool:
    """The link is for people with a confirmed place, and for those who run the event."""
    if registration is not None and registration.status == RegistrationStatus.REGISTERED:
        return True
    return event_is_managed_by(event, user)


def registrations_for_partner(partner: Partner) -> QuerySet[EventRegistration]:
    """A partner's registrations (its program managers and its teachers), newest events first."""
    return (
        EventRegistration.objects.filter(partner=partner)
        .select_related("event", "user")
        .order_by("-event__starts_on", "event__name", "user__last_name", "user__first_name", "pk")
    )


def role_label(role: str) -> str:
    """A registration's recorded role as people read it ("Program manager")."""
    return Role(role).label if role in Role.values else role


def event_registrations(event: Event) -> QuerySet[EventRegistration]:
    """Who registered for an event, places first, then the waitlist in order, then cancelled."""
    return event.registrations.select_related("user", "partner").order_by("registered_at", "pk")


def places_left(event: Event) -> int | None:
    """Free places (None: no limit). Uses the list annotation when present."""
    if event.capacity is None:
        return None
    taken = getattr(event, "registered_count", None)
    if taken is None:
        taken = event.registrations.registered().count()
    return max(event.capacity - taken, 0)


# --- Dates and times ----------------------------------------------------------------------


@dataclass(frozen=True)
class EventSchedule:
    days: str  # "Mon, Sept 14, 2026", or a first and last day joined by a dash
    times: str  # "9 a.m. - 4 p.m. CDT" (with an en dash), or ""
    time_zone: str  # "America/Chicago"


def event_schedule(event: Event) -> EventSchedule:
    """The event's dates, and its daily times in its own time zone with the zone's name."""
    first = date_format(event.starts_on, "D, N j, Y")
    days = first
    if event.ends_on != event.starts_on:
        days = f"{first} {DASH} {date_format(event.ends_on, 'D, N j, Y')}"
    times = ""
    if event.start_time:
        try:
            zone = zoneinfo.ZoneInfo(event.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        start = time_format(event.start_time, "TIME_FORMAT")
        times = start if not event.end_time else f"{start} {DASH} {time_format(event.end_time)}"
        if zone is not None:
            moment = datetime.datetime.combine(event.starts_on, event.start_time, tzinfo=zone)
            times = f"{times} {moment.tzname()}"
    return EventSchedule(days=days, times=times, time_zone=event.time_zone)


# --- Who may register ---------------------------------------------------------------------


@dataclass
class Eligibility:
    """Whether a person may register for an event now, and if not, why (shown on the page).

    `partners`: for program managers, the partners they may register for (a choice when
    several). `needs_zip`: the person has no school or home ZIP and must give one.
    `registration`: their current place or waitlist spot, if any (then they may cancel).
    """

    allowed: bool
    reason: str = ""
    partners: list[Partner] = field(default_factory=list)
    needs_zip: bool = False
    partner: Partner | None = None  # the partner recorded when no choice is needed
    registration: EventRegistration | None = None
    sign_in: bool = False


def zip_partner(zip_id: int | None) -> tuple[ZipCode | None, Partner | None]:
    """A ZIP (by id) and the partner of the region it resolves to (the lookup index)."""
    if zip_id is None:
        return None, None
    zip_code = ZipCode.objects.select_related("region__partner").filter(pk=zip_id).first()
    if zip_code is None or zip_code.region is None:
        return zip_code, None
    return zip_code, zip_code.region.partner


def eligibility(event: Event, user, *, today: datetime.date | None = None) -> Eligibility:
    """May `user` register for `event` now? See events.models for who may register."""
    today = today or timezone.localdate()
    if not user.is_authenticated or not user.is_active:
        return Eligibility(False, "Sign in to register.", sign_in=True)
    registration = registration_of(event, user)
    if registration is not None and registration.status in ACTIVE:
        if registration.status == RegistrationStatus.WAITLISTED:
            reason = "You are on the waitlist."
        else:
            reason = "You are registered."
        return Eligibility(False, reason, registration=registration)
    if not event.is_registration_open(today):
        if event.ends_on < today:
            reason = "This event is over."
        else:
            last = date_format(event.registration_last_day, "N j, Y")
            reason = f"Registration closed on {last}."
        return Eligibility(False, reason)
    decision = _who_may_register(event, user)
    decision.registration = registration
    return decision


def _managed_partners(user) -> list[Partner]:
    ids = managed_partner_ids(user)
    return list(Partner.objects.filter(pk__in=ids).order_by("name")) if ids else []


def _who_may_register(event: Event, user: User) -> Eligibility:
    if event.kind == EventKind.SUMMIT:
        partners = _managed_partners(user) if user.is_program_manager else []
        if not partners:
            return Eligibility(False, "Summits are for the program managers of Regional Partners.")
        one = partners[0] if len(partners) == 1 else None
        return Eligibility(True, partners=partners, partner=one)

    if event.kind == EventKind.TEACHER_CONFERENCE:
        if user.is_program_manager:
            partners = _managed_partners(user)
            if partners:
                one = partners[0] if len(partners) == 1 else None
                return Eligibility(True, partners=partners, partner=one)
        if user.role != Role.TEACHER:
            return Eligibility(
                False,
                "The teacher conference is for teachers in a Regional Partner's region and for "
                "program managers.",
            )
        zip_id = user.home_zip_id
        if zip_id is None:
            return Eligibility(True, needs_zip=True)
        zip_code, partner = zip_partner(zip_id)
        if partner is None:
            code = zip_code.code if zip_code else ""
            return Eligibility(
                False,
                f"Your school's ZIP code {code} is not in a Regional Partner's region yet; the "
                "teacher conference is for teachers of the partners' regions.",
            )
        return Eligibility(True, partner=partner)

    # A community meetup.
    host = event.host_partner
    if host is not None and host.pk in managed_partner_ids(user):
        return Eligibility(True, partners=[host], partner=host)
    zip_id = user.home_zip_id
    if zip_id is None:
        return Eligibility(True, needs_zip=True, partner=host)
    zip_code, partner = zip_partner(zip_id)
    if partner is None or host is None or partner.pk != host.pk:
        return Eligibility(
            False,
            f"This meetup is for people in {host}'s region; your ZIP code "
            f"{zip_code.code if zip_code else ''} is not in it.",
        )
    return Eligibility(True, partner=host)


# --- The office's attendance report -------------------------------------------------------

TEACHER_SIDE = "teacher"
MANAGER_SIDE = "program_manager"


def with_attendance_taken(events: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate `attendance_taken`: someone recorded attendance for the event (a registration
    has `attendance_marked_at`). Until then an event that is over is not judged as missed."""
    marked = EventRegistration.objects.filter(
        event=OuterRef("pk"), attendance_marked_at__isnull=False
    )
    return events.annotate(attendance_taken=Exists(marked))


def office_event_counts(
    event_ids: list[int], partner_ids: list[int], statuses=(RegistrationStatus.REGISTERED,)
) -> list[dict]:
    """Registrations at summits and teacher conferences, counted for partners: one query.

    Each row: `event_pk`, `partner_pk`, `side`, `status`, `attended`, `n`.

    - side "teacher": teachers' registrations, for the partner the registration names.
    - side "program_manager": registrations of everyone who is now a program manager of the
      partner, whatever partner their registration names. A person holds one registration
      per event, so a manager of two partners who comes once comes for both; and someone
      no longer a manager of the partner no longer counts for it.
    """
    if not event_ids or not partner_ids:
        return []
    base = EventRegistration.objects.filter(event_id__in=event_ids, status__in=list(statuses))
    teachers = (
        base.filter(partner_id__in=partner_ids, role=Role.TEACHER)
        .values("status", "attended", event_pk=F("event_id"), partner_pk=F("partner_id"))
        .annotate(side=Value(TEACHER_SIDE), n=Count("pk"))
        .order_by()
    )
    # The membership join is reused by the values() below: one row per registration and
    # partner the person manages among `partner_ids`.
    managers = (
        base.filter(user__managed_partners__partner_id__in=partner_ids)
        .values(
            "status",
            "attended",
            event_pk=F("event_id"),
            partner_pk=F("user__managed_partners__partner_id"),
        )
        .annotate(side=Value(MANAGER_SIDE), n=Count("pk"))
        .order_by()
    )
    return list(teachers.union(managers, all=True))


class SummitState:
    ATTENDED = "attended"
    MISSED = "missed"
    PENDING = "pending"
    REGISTERED = "registered"
    NOT_YET = "not_yet"

    LABELS = {
        ATTENDED: "Yes",
        MISSED: "No",
        PENDING: "Attendance not recorded yet",
        REGISTERED: "Registered",
        NOT_YET: "Not yet",
    }
    # The shared commitment-state styles: met, missed, on track, at risk.
    CSS = {
        ATTENDED: "met",
        MISSED: "missed",
        PENDING: "at_risk",
        REGISTERED: "on_track",
        NOT_YET: "at_risk",
    }


@dataclass(frozen=True)
class SummitCell:
    event: Event
    state: str

    @property
    def label(self) -> str:
        return SummitState.LABELS[self.state]

    @property
    def css(self) -> str:
        return SummitState.CSS[self.state]


@dataclass(frozen=True)
class ConferenceCell:
    event: Event
    attended: int
    registered: int


@dataclass
class ReportRow:
    partner: Partner
    summits: list[SummitCell]
    conferences: list[ConferenceCell]


@dataclass
class AttendanceReport:
    program_year: str
    summits: list[Event]
    conferences: list[Event]
    rows: list[ReportRow]

    @property
    def column_count(self) -> int:
        return 1 + len(self.summits) + len(self.conferences)


def summit_state(
    event: Event, *, attended: int, registered: int, waitlisted: int = 0, today: datetime.date
) -> str:
    """A partner's program-manager attendance at one summit (see `office_event_counts`).

    An event that is over, with someone holding a place but no attendance recorded for it
    yet (`with_attendance_taken`), is pending, not missed: attendance is taken afterwards.
    """
    if attended:
        return SummitState.ATTENDED
    if event.ends_on < today:
        if registered and not getattr(event, "attendance_taken", True):
            return SummitState.PENDING
        return SummitState.MISSED
    if registered or waitlisted:
        return SummitState.REGISTERED
    return SummitState.NOT_YET


def summit_attendance_report(
    partners, program_year: str, *, today: datetime.date | None = None
) -> AttendanceReport:
    """Per partner: did a program manager attend each summit of the year; and how many of its
    teachers registered for and attended the year's teacher conference(s).

    A summit counts for a partner when anyone who is now one of its program managers
    attended, whatever partner their registration names (`office_event_counts`).

    Three queries whatever the number of partners: the events, the partners, and the
    registrations counted per event, partner, side and outcome.
    """
    today = today or timezone.localdate()
    events = list(
        with_attendance_taken(Event.objects.in_program_year(program_year))
        .filter(kind__in=REPORT_KINDS)
        .order_by("starts_on", "name")
    )
    partners = list(partners)
    counts: dict[tuple[int, int, str], dict[str, int]] = defaultdict(
        lambda: {"attended": 0, "registered": 0, "waitlisted": 0}
    )
    rows = office_event_counts([e.pk for e in events], [p.pk for p in partners], ACTIVE)
    for row in rows:
        bucket = counts[(row["event_pk"], row["partner_pk"], row["side"])]
        if row["attended"]:
            bucket["attended"] += row["n"]
        if row["status"] == RegistrationStatus.REGISTERED:
            bucket["registered"] += row["n"]
        else:
            bucket["waitlisted"] += row["n"]
    summits = [e for e in events if e.kind == EventKind.SUMMIT]
    conferences = [e for e in events if e.kind == EventKind.TEACHER_CONFERENCE]
    report_rows = []
    for partner in partners:
        cells = []
        for summit in summits:
            pm = counts.get((summit.pk, partner.pk, MANAGER_SIDE))
            state = summit_state(
                summit,
                attended=pm["attended"] if pm else 0,
                registered=pm["registered"] if pm else 0,
                waitlisted=pm["waitlisted"] if pm else 0,
                today=today,
            )
            cells.append(SummitCell(summit, state))
        conference_cells = []
        for conference in conferences:
            teachers = counts.get((conference.pk, partner.pk, TEACHER_SIDE))
            conference_cells.append(
                ConferenceCell(
                    conference,
                    attended=teachers["attended"] if teachers else 0,
                    registered=teachers["registered"] if teachers else 0,
                )
            )
        report_rows.append(ReportRow(partner, cells, conference_cells))
    return AttendanceReport(program_year, summits, conferences, report_rows)


def report_partners_for(user) -> QuerySet[Partner] | None:
    """Whose commitments the report shows: every active or onboarding partner for program
    admins, their assigned ones for regional managers; None (no report) for anyone else."""
    if not user.is_authenticated or not (user.is_program_admin or user.is_regional_manager):
        return None
    return (
        Partner.objects.visible_to(user)
        .filter(status__in=(Partner.Status.ACTIVE, Partner.Status.ONBOARDING))
        .order_by("name")
    )


# --- The partner workspace ---------------------------------------------------------------


def events_open_to_partner(partner: Partner, *, today: datetime.date | None = None):
    """Upcoming events whose registration is open and that the partner's people can join:
    the summits, the teacher conference, and the meetups it hosts."""
    today = today or timezone.localdate()
    return (
        Event.objects.upcoming(today)
        .filter(Q(kind__in=REPORT_KINDS) | Q(host_partner=partner))
        .filter(
            Q(registration_closes_on__gte=today)
            | Q(registration_closes_on__isnull=True, starts_on__gte=today)
        )
        .select_related("host_partner", "state")
        .order_by("starts_on", "name")
    )
