"""Reads for partners: the public directory and profiles."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet

from geography.models import Region, State
from geography.selectors import region_states

from .models import Partner, ProgramManager


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
