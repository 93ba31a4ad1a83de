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
    """An event of `kind` on `starts_on` (one day unless `ends_on`): events' EventFactory."""
    # Imported here: events' factories import this module.
    from events.tests.factories import EventFactory

    return EventFactory(
        kind=kind,
        name=name or f"{kind.replace('_', ' ').title()} {starts_on:%B %Y}",
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
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
    """A registration (events' RegistrationFactory) of a new `role` user for `partner`;
    `marked` (default: when attended) records that attendance was taken."""
    from django.utils import timezone

    from events.tests.factories import RegistrationFactory

    user = UserFactory(role=role)
    if role == "program_manager":
        # A manager registers as one of the partner's managers: summits count by membership.
        ProgramManagerFactory(partner=partner, user=user, fte_share=Decimal("0.05"))
    return RegistrationFactory(
        event=event,
        user=user,
        partner=partner,
        status=status,
        attended=attended,
        attendance_marked_at=timezone.now() if (attended if marked is None else marked) else None,
    )
