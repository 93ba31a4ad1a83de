"""The demo events: shape, determinism, and a report showing met and missed commitments."""

import datetime
import random

import pytest

from accounts.tests.factories import UserFactory
from core.program_years import program_year_for
from partners.models import Partner
from partners.tests.factories import PartnerFactory

from ..demo import demo_events, demo_events_delete
from ..models import Event, EventKind, EventRegistration
from ..selectors import summit_attendance_report
from .factories import manager_of, served_zip

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 15)


@pytest.fixture
def program():
    partners = []
    for n in range(12):
        partner = PartnerFactory(city=f"Town {n}")
        manager_of(partner)
        served_zip(partner, f"98{n:03d}")
        partners.append(partner)
    partners.append(PartnerFactory(status=Partner.Status.ONBOARDING))
    teachers = [UserFactory(role="teacher", is_demo=True) for _ in range(30)]
    return partners, teachers


def snapshot():
    return sorted(
        Event.objects.values_list("kind", "name", "starts_on", "ends_on", "capacity")
    ), sorted(
        EventRegistration.objects.values_list(
            "event__name", "user__email", "partner__name", "role", "status", "attended"
        )
    )


def test_demo_events(program, django_assert_max_num_queries):
    partners, teachers = program
    with django_assert_max_num_queries(20):
        created = demo_events(rng=random.Random(7), partners=partners, today=TODAY)
    events = Event.objects.all()
    assert created == events.count() + EventRegistration.objects.count()
    assert all(e.is_demo for e in events)
    for year in ("2025-26", "2026-27"):
        summits = list(events.in_program_year(year).filter(kind=EventKind.SUMMIT))
        assert sorted(s.starts_on.month for s in summits) == [2, 9]
        conference = events.in_program_year(year).get(kind=EventKind.TEACHER_CONFERENCE)
        assert (conference.ends_on - conference.starts_on).days == 4
        assert conference.starts_on.month == 6
    assert events.filter(kind=EventKind.MEETUP).exists()
    for event in events:
        event.full_clean()

    # Last year: most partners met each summit, some missed one; teachers went to the conference.
    report = summit_attendance_report(partners, "2025-26", today=TODAY)
    states = [cell.state for row in report.rows for cell in row.summits]
    assert states.count("attended") > len(states) / 2
    assert "missed" in states
    assert sum(c.attended for row in report.rows for c in row.conferences) > 0
    # This year: registrations for the February summit from about half the partners.
    report = summit_attendance_report(partners, program_year_for(TODAY), today=TODAY)
    february = [row.summits[1].state for row in report.rows]
    assert 0 < february.count("registered") < len(february)

    # Teachers without a school now have a school ZIP in an active partner's region.
    for teacher in teachers:
        teacher.refresh_from_db()
        assert teacher.school_zip.region.partner.status == Partner.Status.ACTIVE


def test_demo_events_are_deterministic_and_deletable(program):
    partners, _ = program
    demo_events(rng=random.Random(7), partners=partners, today=TODAY)
    first = snapshot()
    assert demo_events_delete() > 0
    assert not Event.objects.exists() and not EventRegistration.objects.exists()
    demo_events(rng=random.Random(7), partners=partners, today=TODAY)
    assert snapshot() == first
