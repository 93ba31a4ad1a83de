"""Reads for partners: the public directory and profiles."""

from collections import defaultdict
from dataclasses import dataclass

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


def directory_groups(partners: QuerySet[Partner]) -> list[StateGroup]:
    """Partners grouped by each state they serve, states in name order (fixed query count)."""
    partners = list(
        partners.select_related("state").prefetch_related(
            Prefetch("regions", queryset=Region.objects.order_by("name")), "courses"
        )
    )
    served = partner_states([p.pk for p in partners])
    states = State.objects.in_bulk({sid for ids in served.values() for sid in ids})
    groups: dict[int, list[Partner]] = defaultdict(list)
    for partner in partners:
        for state_id in served.get(partner.pk, ()):
            groups[state_id].append(partner)
    return [
        StateGroup(states[state_id], sorted(members, key=lambda p: p.name))
        for state_id, members in sorted(groups.items(), key=lambda item: states[item[0]].name)
    ]


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
