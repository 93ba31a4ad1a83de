"""Selectors: eligibility reasons, scope helpers, the schedule text, and the office's report."""

import datetime

import pytest

from accounts.tests.factories import UserFactory
from core.program_years import program_year_for
from partners.tests.factories import PartnerFactory

from ..models import EventKind, RegistrationStatus
from ..selectors import (
    eligibility,
    event_schedule,
    events_managed_by,
    events_open_to_partner,
    registrations_for_partner,
    summit_attendance_report,
)
from .factories import (
    ConferenceFactory,
    EventFactory,
    MeetupFactory,
    RegistrationFactory,
    in_days,
    manager_of,
    served_zip,
)

pytestmark = pytest.mark.django_db


def test_eligibility_says_why_not():
    from django.contrib.auth.models import AnonymousUser

    summit = EventFactory()
    anonymous = eligibility(summit, AnonymousUser())
    assert not anonymous.allowed and anonymous.sign_in
    teacher = eligibility(summit, UserFactory(role="teacher"))
    assert not teacher.allowed and "program managers" in teacher.reason
    pm = manager_of(PartnerFactory(), PartnerFactory())
    several = eligibility(summit, pm)
    assert several.allowed and len(several.partners) == 2 and several.partner is None
    RegistrationFactory(event=summit, user=pm)
    registered = eligibility(summit, pm)
    assert not registered.allowed and registered.registration and "registered" in registered.reason


def test_eligibility_when_registration_closed_or_over():
    pm = manager_of(PartnerFactory())
    closing = EventFactory(starts_on=in_days(10), registration_closes_on=in_days(2))
    assert "closed" in eligibility(closing, pm, today=in_days(3)).reason
    assert "over" in eligibility(closing, pm, today=in_days(12)).reason


def test_teacher_without_zip_is_asked_for_one():
    decision = eligibility(ConferenceFactory(), UserFactory(role="teacher"))
    assert decision.allowed and decision.needs_zip


def test_meetup_eligibility_by_region():
    host = PartnerFactory()
    meetup = MeetupFactory(host_partner=host)
    inside = UserFactory(role="teacher", school_zip=served_zip(host, "98101"))
    outside = UserFactory(role="teacher", school_zip=served_zip(PartnerFactory(), "98102"))
    assert eligibility(meetup, inside).allowed
    assert not eligibility(meetup, outside).allowed
    assert eligibility(meetup, manager_of(host)).partner == host


def test_events_managed_by(program_admin, regional_manager):
    host = PartnerFactory()
    meetup, other_meetup, summit = (
        MeetupFactory(host_partner=host),
        MeetupFactory(),
        EventFactory(),
    )
    assert set(events_managed_by(program_admin)) == {meetup, other_meetup, summit}
    assert set(events_managed_by(manager_of(host))) == {meetup}
    assert not events_managed_by(regional_manager).exists()
    assert not events_managed_by(UserFactory(role="teacher")).exists()


def test_schedule_names_the_time_zone():
    event = EventFactory(
        starts_on=datetime.date(2026, 9, 10),
        ends_on=datetime.date(2026, 9, 11),
        time_zone="America/Chicago",
    )
    schedule = event_schedule(event)
    assert "Sept. 10, 2026" in schedule.days and "Sept. 11, 2026" in schedule.days
    assert schedule.times.endswith("CDT")
    event.starts_on = event.ends_on = datetime.date(2027, 2, 4)
    assert event_schedule(event).times.endswith("CST")


def test_registrations_for_partner_are_the_partners_only():
    partner = PartnerFactory()
    mine = RegistrationFactory(partner=partner)
    RegistrationFactory()
    assert list(registrations_for_partner(partner)) == [mine]


def test_open_to_partner_lists_office_events_and_own_meetups():
    partner = PartnerFactory()
    summit = EventFactory()
    own = MeetupFactory(host_partner=partner)
    MeetupFactory()  # another partner's
    EventFactory(starts_on=in_days(-10))  # over
    EventFactory(starts_on=in_days(10), registration_closes_on=in_days(-1))  # closed
    assert set(events_open_to_partner(partner)) == {summit, own}


# --- The report ----------------------------------------------------------------------------

YEAR = "2025-26"
TODAY = datetime.date(2026, 3, 1)


def report_world(n_partners: int):
    september = EventFactory(
        starts_on=datetime.date(2025, 9, 11), ends_on=datetime.date(2025, 9, 12)
    )
    february = EventFactory(starts_on=datetime.date(2026, 2, 5), ends_on=datetime.date(2026, 2, 6))
    june = EventFactory(starts_on=datetime.date(2026, 6, 4), ends_on=datetime.date(2026, 6, 5))
    conference = ConferenceFactory(
        starts_on=datetime.date(2026, 6, 22), ends_on=datetime.date(2026, 6, 26)
    )
    EventFactory(starts_on=datetime.date(2026, 9, 10))  # next year: not in the report
    partners = [PartnerFactory() for _ in range(n_partners)]
    for partner in partners:
        pm = manager_of(partner)
        RegistrationFactory(event=september, user=pm, partner=partner, attended=True)
        for _ in range(2):
            RegistrationFactory(
                event=conference, user=UserFactory(role="teacher"), partner=partner, role="teacher"
            )
    return partners, (september, february, june, conference)


def test_report_states_per_partner_and_summit():
    (met, missed), (september, february, june, conference) = report_world(2)
    pm = met.program_managers.get().user
    RegistrationFactory(event=february, user=pm, partner=met, attended=True)
    RegistrationFactory(event=june, user=pm, partner=met)
    # A teacher attending a summit is not the program manager attending.
    RegistrationFactory(
        event=february, user=UserFactory(role="teacher"), partner=missed, role="teacher",
        attended=True,
    )  # fmt: skip
    # Another partner's program manager attending counts for that partner only.
    RegistrationFactory(event=conference, user=UserFactory(role="teacher"), partner=missed,
                        role="teacher", attended=True)  # fmt: skip
    RegistrationFactory(event=conference, user=UserFactory(role="teacher"), partner=missed,
                        role="teacher", status=RegistrationStatus.CANCELLED)  # fmt: skip
    report = summit_attendance_report([met, missed], YEAR, today=TODAY)
    assert [s.pk for s in report.summits] == [september.pk, february.pk, june.pk]
    assert [c.pk for c in report.conferences] == [conference.pk]
    rows = {row.partner.pk: row for row in report.rows}
    assert [c.state for c in rows[met.pk].summits] == ["attended", "attended", "registered"]
    assert [c.state for c in rows[missed.pk].summits] == ["attended", "missed", "not_yet"]
    assert [(c.attended, c.registered) for c in rows[met.pk].conferences] == [(0, 2)]
    assert [(c.attended, c.registered) for c in rows[missed.pk].conferences] == [(1, 3)]


def test_report_counts_a_manager_of_two_partners_for_both():
    first, second = PartnerFactory(), PartnerFactory()
    september = EventFactory(
        starts_on=datetime.date(2025, 9, 11), ends_on=datetime.date(2025, 9, 12)
    )
    june = EventFactory(starts_on=datetime.date(2026, 6, 4), ends_on=datetime.date(2026, 6, 5))
    both = manager_of(first, second)
    # One registration per person and event: it names the first partner only.
    RegistrationFactory(event=september, user=both, partner=first, attended=True)
    RegistrationFactory(event=june, user=both, partner=first)
    report = summit_attendance_report([first, second], YEAR, today=TODAY)
    for row in report.rows:
        assert [c.state for c in row.summits] == ["attended", "registered"]


def test_report_leaves_out_someone_no_longer_a_manager_of_the_partner():
    partner = PartnerFactory()
    september = EventFactory(
        starts_on=datetime.date(2025, 9, 11), ends_on=datetime.date(2025, 9, 12)
    )
    former = UserFactory(role="program_manager")  # registered for it, no longer its manager
    RegistrationFactory(event=september, user=former, partner=partner, attended=True)
    report = summit_attendance_report([partner], YEAR, today=TODAY)
    assert [c.state for c in report.rows[0].summits] == ["missed"]


def test_report_summit_over_is_pending_until_attendance_is_taken():
    from django.utils import timezone

    partner, other = PartnerFactory(), PartnerFactory()
    february = EventFactory(starts_on=datetime.date(2026, 2, 5), ends_on=datetime.date(2026, 2, 6))
    RegistrationFactory(event=february, user=manager_of(partner), partner=partner)
    report = summit_attendance_report([partner, other], YEAR, today=TODAY)
    cell = report.rows[0].summits[0]
    assert (cell.state, cell.label, cell.css) == (
        "pending",
        "Attendance not recorded yet",
        "at_risk",
    )
    assert report.rows[1].summits[0].state == "missed"  # nobody registered: nothing to wait for
    RegistrationFactory(
        event=february, user=manager_of(other), partner=other, attendance_marked_at=timezone.now()
    )
    report = summit_attendance_report([partner, other], YEAR, today=TODAY)
    assert [row.summits[0].state for row in report.rows] == ["missed", "missed"]


def test_report_query_count_does_not_grow_with_partners(django_assert_max_num_queries):
    partners, _ = report_world(6)
    with django_assert_max_num_queries(3):
        report = summit_attendance_report(
            type(partners[0]).objects.filter(pk__in=[p.pk for p in partners]), YEAR, today=TODAY
        )
    assert len(report.rows) == 6
    assert all(row.summits[0].state == "attended" for row in report.rows)


def test_report_year_is_the_program_year():
    assert program_year_for(TODAY) == YEAR
    EventFactory(kind=EventKind.SUMMIT, starts_on=datetime.date(2025, 6, 30))
    report = summit_attendance_report([PartnerFactory()], YEAR, today=TODAY)
    assert report.summits == []
