import datetime
from decimal import Decimal

import factory

from accounts.tests.factories import UserFactory
from partners.models import CheckInNote, OrganizationType, Partner, ProgramManager


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Computing Collaborative {n}")
    organization_type = OrganizationType.NONPROFIT
    status = Partner.Status.ACTIVE


class ProgramManagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramManager

    partner = factory.SubFactory(PartnerFactory)
    user = factory.SubFactory(UserFactory, role="program_manager")
    fte_share = Decimal("0.50")


class CheckInNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckInNote

    partner = factory.SubFactory(PartnerFactory)
    author = factory.LazyAttribute(lambda o: o.partner.regional_manager)
    happened_on = datetime.date(2026, 9, 15)
    body = factory.Sequence(lambda n: f"Talked through the fall workshops ({n}).")


# Program events as the commitments see them. The events app owns its factories; these two
# helpers make only what the partner workspace tests need, without depending on them.


def program_event(
    kind: str,
    starts_on: datetime.date,
    *,
    ends_on: datetime.date | None = None,
    name: str = "",
    host: Partner | None = None,
):
    from events.models import Event

    return Event.objects.create(
        kind=kind,
        name=name or f"{kind.replace('_', ' ').title()} {starts_on:%B %Y}",
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        venue="Convention Center",
        city="Seattle",
        host_partner=host,
    )


def event_registration(
    event,
    partner: Partner,
    role: str,
    *,
    attended: bool = False,
    status: str = "registered",
    marked: bool | None = None,
):
    """A registration; `marked` (default: when attended) records that attendance was taken."""
    from django.utils import timezone

    from events.models import EventRegistration

    user = UserFactory(role=role)
    if role == "program_manager":
        # A manager registers as one of the partner's managers: summits count by membership.
        ProgramManagerFactory(partner=partner, user=user, fte_share=Decimal("0.05"))
    return EventRegistration.objects.create(
        event=event,
        user=user,
        partner=partner,
        role=role,
        status=status,
        attended=attended,
        attendance_marked_at=timezone.now() if (attended if marked is None else marked) else None,
    )
