"""Reads for partners: the public directory and profiles, and the partner workspace."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from geography.models import Region, State
from geography.selectors import region_states

from .models import CheckInNote, Partner, ProgramManager


@dataclass
class StateGroup:
    state: State
    partners: list[Partner]


def partner_states(partner_ids) -> dict[int, set[int]]:
    """State ids each partner serves through its regions (four queries, any number of rows)."""
    partner_of = dict(
        Region.objects.filter(partner_id__in=partner_ids).values_list("pk", "partner_id")
    )
    served: dict[int, set[int]] = defaultdict(set)
    for region_id, states in region_states(Q(partner_id__in=partner_ids)).items():
        served[partner_of[region_id]].update(state.id for state in states)
    return served


def directory_page(partners: QuerySet[Partner], page_number, per_page: int = 10) -> Page:
    """One page of the directory: states in name order, each with the partners serving it.

    Grouping needs only ids (cheap at any size); partner rows are loaded for this page alone,
    so the cost follows the page, not the program.
    """
    ids = list(partners.values_list("pk", flat=True))
    served = partner_states(ids)
    members: dict[int, list[int]] = defaultdict(list)
    for partner_id, state_ids in served.items():
        for state_id in state_ids:
            members[state_id].append(partner_id)
    states = State.objects.in_bulk(members)
    order = sorted(members, key=lambda state_id: states[state_id].name)
    page = Paginator(order, per_page).get_page(page_number)
    shown = {pid for state_id in page.object_list for pid in members[state_id]}
    loaded = (
        Partner.objects.filter(pk__in=shown)
        .select_related("state")
        .prefetch_related(Prefetch("regions", queryset=Region.objects.order_by("name")), "courses")
    )
    by_id = {partner.pk: partner for partner in loaded}
    page.object_list = [
        StateGroup(
            states[state_id],
            sorted((by_id[pid] for pid in members[state_id]), key=lambda p: p.name),
        )
        for state_id in page.object_list
    ]
    return page


def partner_profile(partner: Partner) -> dict:
    regions = list(partner.regions.order_by("name").prefetch_related("states"))
    served = partner_states([partner.pk]).get(partner.pk, set())
    return {
        "regions": regions,
        "states": list(State.objects.filter(pk__in=served).order_by("name")),
        "courses": list(partner.courses.filter(is_active=True)),
        "managers": list(ProgramManager.objects.filter(partner=partner).select_related("user")),
    }


def partner_contacts(partner: Partner | None) -> list[str]:
    """Where a message about a partner's area goes: its program managers, else its address."""
    if partner is None:
        return []
    emails = list(
        ProgramManager.objects.filter(partner=partner, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )
    return emails or ([partner.contact_email] if partner.contact_email else [])


# --- The partner workspace -------------------------------------------------------------------


def workspace_partners(user) -> QuerySet[Partner]:
    """The partners in a user's workspace list, with their active program-manager FTE."""
    fte = (
        ProgramManager.objects.filter(partner=OuterRef("pk"), user__is_active=True)
        .order_by()
        .values("partner")
        .annotate(total=Sum("fte_share"))
        .values("total")
    )
    return (
        Partner.objects.visible_to(user)
        .select_related("state", "regional_manager")
        .annotate(
            pm_fte=Coalesce(
                Subquery(fte, output_field=DecimalField(max_digits=5, decimal_places=2)),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=5, decimal_places=2),
            )
        )
        .order_by("name")
    )


def partner_upcoming_events(partner: Partner, *, today: date, limit: int = 8) -> list:
    """Upcoming summits and teacher conferences, and the partner's own meetups, each marked
    with whether one of the partner's program managers is registered (`pm_registered`),
    whatever partner the registration names: the rule of the summit commitment."""
    from events.models import Event, EventKind, EventRegistration, RegistrationStatus

    registered = EventRegistration.objects.filter(
        event=OuterRef("pk"),
        user__managed_partners__partner=partner,
        status=RegistrationStatus.REGISTERED,
    )
    return list(
        Event.objects.upcoming(today)
        .filter(
            Q(kind__in=[EventKind.SUMMIT, EventKind.TEACHER_CONFERENCE])
            | Q(kind=EventKind.MEETUP, host_partner=partner)
        )
        .annotate(pm_registered=Exists(registered))
        .order_by("starts_on", "pk")[:limit]
    )


def partner_upcoming_workshops(partner: Partner, *, today: date, limit: int = 5) -> list:
    """The partner's next workshops (drafts included, cancelled ones not), soonest first,
    with `enrolled_count`, `waitlisted_count` and `first_day`."""
    from workshops.models import WorkshopState
    from workshops.scheduling import partner_workshops

    return list(
        partner_workshops(partner)
        .exclude(state=WorkshopState.CANCELLED)
        .filter(first_day__gte=today)[:limit]
    )


@dataclass
class DistrictTotals:
    districts: int
    teachers: int
    by_course: list[tuple[str, int]]


def partner_district_totals(partner: Partner, *, program_year: str) -> DistrictTotals:
    """Districts committing teachers to the partner in a year, and the teachers, per course."""
    from districts.models import DistrictCommitment

    rows = list(
        DistrictCommitment.objects.filter(partnership__partner=partner, program_year=program_year)
        .values("course__name", "course__order")
        .annotate(teachers=Sum("teachers"))
        .order_by("course__order", "course__name")
    )
    districts = (
        DistrictCommitment.objects.filter(partnership__partner=partner, program_year=program_year)
        .values("partnership")
        .distinct()
        .count()
    )
    return DistrictTotals(
        districts=districts,
        teachers=sum(row["teachers"] for row in rows),
        by_course=[(row["course__name"], row["teachers"]) for row in rows],
    )


def partner_managers(partner: Partner) -> list[ProgramManager]:
    return list(
        ProgramManager.objects.filter(partner=partner)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def partner_pending_invitations(partner: Partner) -> QuerySet:
    from applications.models import Invitation

    return Invitation.objects.filter(partner=partner, accepted_at__isnull=True).order_by(
        "created_at", "pk"
    )


def check_in_notes_for(partner: Partner, user) -> QuerySet[CheckInNote]:
    """A partner's check-in notes, for program office staff only (empty for anyone else)."""
    return CheckInNote.objects.visible_to(user).filter(partner=partner).select_related("author")
