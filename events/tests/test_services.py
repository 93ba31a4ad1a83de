"""Services: who may register for which event, places and the waitlist, cancelling,
attendance, and who runs events."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.tests.factories import UserFactory
from partners.tests.factories import PartnerFactory

from ..models import Event, EventKind, EventRegistration, RegistrationStatus
from ..services import (
    attendance_mark,
    event_create,
    event_delete,
    event_update,
    registration_cancel,
    registration_create,
)
from .factories import (
    ConferenceFactory,
    EventFactory,
    MeetupFactory,
    RegistrationFactory,
    in_days,
    manager_of,
    served_zip,
    zip_code,
)

pytestmark = pytest.mark.django_db


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Summits -------------------------------------------------------------------------------


def test_program_manager_registers_for_their_only_partner(committed):
    partner = PartnerFactory()
    pm = manager_of(partner)
    summit = EventFactory()
    with committed():
        registration = registration_create(event=summit, user=pm)
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.partner == partner
    assert registration.role == "program_manager"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [pm.email]
    assert "registered" in mail.outbox[0].subject
    entry = LogEntry.objects.get_for_object(registration).get()
    assert entry.actor == pm


def test_manager_of_several_partners_must_choose_one_of_theirs():
    mine, other, stranger = PartnerFactory(), PartnerFactory(), PartnerFactory()
    pm = manager_of(mine, other)
    summit = EventFactory()
    with pytest.raises(ValidationError) as error:
        registration_create(event=summit, user=pm)
    assert "partner" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        registration_create(event=summit, user=pm, partner=stranger)
    assert "partner" in error.value.message_dict
    registration = registration_create(event=summit, user=pm, partner=other)
    assert registration.partner == other


@pytest.mark.parametrize(
    "role", ["teacher", "regional_manager", "program_admin", "facilitator", "applicant"]
)
def test_summits_are_for_program_managers_only(role):
    user = UserFactory(role=role)
    with pytest.raises(ValidationError) as error:
        registration_create(event=EventFactory(), user=user)
    assert "program managers" in messages(error.value)
    assert not EventRegistration.objects.exists()


def test_program_manager_without_a_partner_cannot_register():
    with pytest.raises(ValidationError):
        registration_create(event=EventFactory(), user=UserFactory(role="program_manager"))


def test_registering_twice_is_refused_with_a_message():
    pm = manager_of(PartnerFactory())
    summit = EventFactory()
    registration_create(event=summit, user=pm)
    with pytest.raises(ValidationError) as error:
        registration_create(event=summit, user=pm)
    assert "already registered" in messages(error.value)
    assert EventRegistration.objects.count() == 1


def test_registration_closes_after_the_last_day():
    pm = manager_of(PartnerFactory())
    summit = EventFactory(starts_on=in_days(10), registration_closes_on=in_days(5))
    with pytest.raises(ValidationError) as error:
        registration_create(event=summit, user=pm, today=in_days(6))
    assert "closed" in messages(error.value)
    # The last day itself is still open.
    assert registration_create(event=summit, user=pm, today=in_days(5)).pk


def test_without_a_closing_date_registration_is_open_until_the_first_day():
    pm = manager_of(PartnerFactory())
    summit = EventFactory(starts_on=in_days(3))
    with pytest.raises(ValidationError):
        registration_create(event=summit, user=pm, today=in_days(4))
    assert registration_create(event=summit, user=pm, today=in_days(3)).pk


# --- The teacher conference ---------------------------------------------------------------


def test_teacher_from_a_partners_region_registers_for_that_partner():
    partner = PartnerFactory()
    teacher = UserFactory(role="teacher", school_zip=served_zip(partner, "98101"))
    registration = registration_create(event=ConferenceFactory(), user=teacher)
    assert registration.partner == partner
    assert registration.role == "teacher"


def test_teacher_outside_every_region_cannot_register():
    teacher = UserFactory(role="teacher", school_zip=zip_code("98999"))
    with pytest.raises(ValidationError) as error:
        registration_create(event=ConferenceFactory(), user=teacher)
    assert "98999" in messages(error.value)


def test_teacher_without_a_zip_gives_one_which_is_saved():
    partner = PartnerFactory()
    served_zip(partner, "98101")
    teacher = UserFactory(role="teacher")
    conference = ConferenceFactory()
    with pytest.raises(ValidationError) as error:
        registration_create(event=conference, user=teacher)
    assert "zip_code" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        registration_create(event=conference, user=teacher, zip_code="9810")
    assert "zip_code" in error.value.message_dict
    zip_code("98998")  # known, but in no region
    with pytest.raises(ValidationError) as error:
        registration_create(event=conference, user=teacher, zip_code="98998")
    assert "zip_code" in error.value.message_dict
    teacher.refresh_from_db()
    assert teacher.school_zip_id is None
    registration = registration_create(event=conference, user=teacher, zip_code="98101-1234")
    assert registration.partner == partner
    teacher.refresh_from_db()
    assert teacher.school_zip.code == "98101"


def test_program_managers_register_for_the_conference_for_their_partner():
    partner = PartnerFactory()
    pm = manager_of(partner)
    assert registration_create(event=ConferenceFactory(), user=pm).partner == partner


@pytest.mark.parametrize("role", ["regional_manager", "facilitator", "applicant"])
def test_the_conference_is_not_for_other_roles(role):
    partner = PartnerFactory()
    user = UserFactory(role=role, school_zip=served_zip(partner, "98101"))
    with pytest.raises(ValidationError):
        registration_create(event=ConferenceFactory(), user=user)


# --- Meetups -------------------------------------------------------------------------------


def test_host_program_managers_and_people_of_the_region_may_come_to_a_meetup():
    host = PartnerFactory()
    meetup = MeetupFactory(host_partner=host)
    assert registration_create(event=meetup, user=manager_of(host)).partner == host
    neighbour = UserFactory(role="facilitator", school_zip=served_zip(host, "98101"))
    assert registration_create(event=meetup, user=neighbour).partner == host


def test_people_outside_the_hosts_region_cannot_come_to_a_meetup():
    host, other = PartnerFactory(), PartnerFactory()
    meetup = MeetupFactory(host_partner=host)
    served_zip(host, "98101")
    far = UserFactory(role="teacher", school_zip=served_zip(other, "98102"))
    with pytest.raises(ValidationError):
        registration_create(event=meetup, user=far)
    # A program manager of another partner, living nowhere in the region.
    with pytest.raises(ValidationError):
        registration_create(event=meetup, user=manager_of(other, school_zip=zip_code("98999")))
    # Someone without a ZIP gives one; outside the region it is refused.
    with pytest.raises(ValidationError) as error:
        registration_create(event=meetup, user=UserFactory(role="teacher"), zip_code="98102")
    assert "zip_code" in error.value.message_dict


# --- Capacity, waitlist, cancelling -------------------------------------------------------


def test_full_event_waitlists_and_a_cancellation_promotes_the_first_waiting(committed):
    summit = EventFactory(capacity=1)
    first, second, third = (manager_of(PartnerFactory()) for _ in range(3))
    a = registration_create(event=summit, user=first)
    b = registration_create(event=summit, user=second)
    c = registration_create(event=summit, user=third)
    assert [a.status, b.status, c.status] == ["registered", "waitlisted", "waitlisted"]
    with committed():
        registration_cancel(registration=a, user=first)
    b.refresh_from_db()
    c.refresh_from_db()
    assert b.status == RegistrationStatus.REGISTERED
    assert c.status == RegistrationStatus.WAITLISTED
    assert [m.to for m in mail.outbox] == [[second.email]]
    assert "place" in mail.outbox[0].subject


def test_cancelling_a_waitlist_spot_promotes_nobody():
    summit = EventFactory(capacity=1)
    first, second, third = (manager_of(PartnerFactory()) for _ in range(3))
    registration_create(event=summit, user=first)
    b = registration_create(event=summit, user=second)
    c = registration_create(event=summit, user=third)
    registration_cancel(registration=b, user=second)
    c.refresh_from_db()
    assert c.status == RegistrationStatus.WAITLISTED


def test_registering_again_after_cancelling_reuses_the_row_at_the_back():
    summit = EventFactory(capacity=1)
    pm, other = manager_of(PartnerFactory()), manager_of(PartnerFactory())
    first = registration_create(event=summit, user=pm)
    registration_cancel(registration=first, user=pm)
    registration_create(event=summit, user=other)
    again = registration_create(event=summit, user=pm)
    assert again.pk == first.pk
    assert again.status == RegistrationStatus.WAITLISTED
    assert EventRegistration.objects.filter(event=summit, user=pm).count() == 1


def test_only_the_person_their_partners_managers_or_admins_cancel(program_admin):
    partner = PartnerFactory()
    pm = manager_of(partner)
    summit = EventFactory()
    registration = registration_create(event=summit, user=pm)
    for stranger in (UserFactory(role="teacher"), manager_of(PartnerFactory())):
        with pytest.raises(PermissionDenied):
            registration_cancel(registration=registration, user=stranger)
    colleague = manager_of(partner)
    registration_cancel(registration=registration, user=colleague)
    with pytest.raises(ValidationError):
        registration_cancel(registration=registration, user=program_admin)


def test_no_cancelling_once_the_event_has_started():
    pm = manager_of(PartnerFactory())
    summit = EventFactory(starts_on=in_days(2))
    registration = registration_create(event=summit, user=pm)
    with pytest.raises(ValidationError):
        registration_cancel(registration=registration, user=pm, today=in_days(2))


def test_only_admins_or_the_partners_managers_register_someone_else(regional_manager):
    partner = PartnerFactory()
    pm, colleague = manager_of(partner), manager_of(partner)
    summit = EventFactory()
    with pytest.raises(PermissionDenied):
        registration_create(event=summit, user=pm, partner=partner, actor=regional_manager)
    with pytest.raises(PermissionDenied):
        registration_create(
            event=summit, user=pm, partner=partner, actor=manager_of(PartnerFactory())
        )
    assert registration_create(event=summit, user=pm, partner=partner, actor=colleague).pk


# --- Attendance ----------------------------------------------------------------------------


def test_attendance_from_the_first_day_on_only_for_registered_rows(program_admin):
    summit = EventFactory(starts_on=in_days(5))
    came = RegistrationFactory(event=summit)
    stayed_home = RegistrationFactory(event=summit)
    waiting = RegistrationFactory(event=summit, status=RegistrationStatus.WAITLISTED)
    with pytest.raises(ValidationError) as error:
        attendance_mark(event=summit, user=program_admin, attended_ids=[came.pk], today=in_days(4))
    assert "first day" in messages(error.value)
    with pytest.raises(ValidationError):
        attendance_mark(
            event=summit, user=program_admin, attended_ids=[waiting.pk], today=in_days(5)
        )
    changed = attendance_mark(
        event=summit, user=program_admin, attended_ids=[came.pk], today=in_days(5)
    )
    assert changed == 1
    came.refresh_from_db()
    stayed_home.refresh_from_db()
    assert came.attended and came.attendance_marked_by == program_admin
    assert not stayed_home.attended
    # Unticking someone records them absent again.
    assert attendance_mark(event=summit, user=program_admin, attended_ids=[], today=in_days(6))
    came.refresh_from_db()
    assert not came.attended


def test_attendance_taken_with_nobody_ticked_is_recorded(program_admin):
    summit = EventFactory(starts_on=in_days(0))
    absent = RegistrationFactory(event=summit)
    assert attendance_mark(event=summit, user=program_admin, attended_ids=[]) == 0
    absent.refresh_from_db()
    assert not absent.attended
    assert absent.attendance_marked_at is not None
    assert absent.attendance_marked_by == program_admin


def test_attendance_of_a_meetup_by_its_host_managers_only(regional_manager):
    host = PartnerFactory()
    meetup = MeetupFactory(host_partner=host, starts_on=in_days(0))
    row = RegistrationFactory(event=meetup, partner=host)
    for user in (manager_of(PartnerFactory()), regional_manager, UserFactory(role="teacher")):
        with pytest.raises(PermissionDenied):
            attendance_mark(event=meetup, user=user, attended_ids=[row.pk])
    assert attendance_mark(event=meetup, user=manager_of(host), attended_ids=[row.pk]) == 1
    # Host managers do not take attendance of summits.
    summit = EventFactory(starts_on=in_days(0))
    with pytest.raises(PermissionDenied):
        attendance_mark(event=summit, user=manager_of(host), attended_ids=[])


# --- Running events ------------------------------------------------------------------------


def event_data(**overrides):
    data = {
        "kind": EventKind.SUMMIT,
        "name": "Regional Partner Summit, September",
        "starts_on": in_days(40),
        "ends_on": in_days(41),
        "time_zone": "America/Chicago",
        "venue": "Lakeside Conference Center",
        "city": "Chicago",
    }
    return {**data, **overrides}


def test_admins_create_any_event_program_managers_only_meetups_of_theirs(program_admin):
    event = event_create(user=program_admin, data=event_data())
    assert event.created_by == program_admin
    host, other = PartnerFactory(), PartnerFactory()
    pm = manager_of(host)
    with pytest.raises(PermissionDenied):
        event_create(user=pm, data=event_data())
    with pytest.raises(PermissionDenied):
        event_create(user=pm, data=event_data(kind=EventKind.MEETUP, host_partner=other))
    meetup = event_create(user=pm, data=event_data(kind=EventKind.MEETUP, host_partner=host))
    assert meetup.host_partner == host
    with pytest.raises(PermissionDenied):
        event_create(user=UserFactory(role="regional_manager"), data=event_data())


def test_create_refuses_invalid_data_by_field(program_admin):
    with pytest.raises(ValidationError) as error:
        event_create(user=program_admin, data=event_data(ends_on=in_days(1)))
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        event_create(user=program_admin, data=event_data(is_online=True))
    assert "online_url" in error.value.message_dict
    with pytest.raises(ValidationError):
        event_create(user=program_admin, data=event_data(created_by=program_admin))
    assert not Event.objects.exists()


def test_program_manager_cannot_move_their_meetup_to_another_partner():
    host, other = PartnerFactory(), PartnerFactory()
    pm = manager_of(host)
    meetup = MeetupFactory(host_partner=host)
    with pytest.raises(PermissionDenied):
        event_update(event=meetup, user=pm, data={"host_partner": other})
    with pytest.raises(PermissionDenied):
        event_update(event=EventFactory(), user=pm, data={"name": "Mine now"})
    event_update(event=meetup, user=pm, data={"name": "Renamed"})
    meetup.refresh_from_db()
    assert meetup.name == "Renamed"


def test_more_capacity_gives_the_waitlist_places(program_admin, committed):
    summit = EventFactory(capacity=1)
    registration_create(event=summit, user=manager_of(PartnerFactory()))
    waiting = registration_create(event=summit, user=manager_of(PartnerFactory()))
    with pytest.raises(ValidationError) as error:
        event_update(event=summit, user=program_admin, data={"capacity": 0})
    with committed():
        event_update(event=summit, user=program_admin, data={"capacity": 2})
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED
    assert len(mail.outbox) == 1
    with pytest.raises(ValidationError) as error:
        event_update(event=summit, user=program_admin, data={"capacity": 1})
    assert "capacity" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        event_update(event=summit, user=program_admin, data={"kind": EventKind.TEACHER_CONFERENCE})
    assert "kind" in error.value.message_dict


def _full_summit_with_waitlist(waiting: int, **event_fields):
    summit = EventFactory(capacity=1, **event_fields)
    RegistrationFactory(event=summit)
    return summit, [
        RegistrationFactory(event=summit, status=RegistrationStatus.WAITLISTED)
        for _ in range(waiting)
    ]


def test_lifting_the_limit_loads_the_waitlisted_people_with_the_waitlist(program_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    summit, _ = _full_summit_with_waitlist(3)
    with CaptureQueriesContext(connection) as queries:
        event_update(event=summit, user=program_admin, data={"capacity": None})
    assert EventRegistration.objects.filter(status=RegistrationStatus.WAITLISTED).count() == 0
    # The email to each promoted person needs their name and address: no lookup per person.
    people_loaded = [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "accounts_user"."id"')
    ]
    assert people_loaded == []


def test_more_capacity_after_registration_closed_or_the_start_promotes_nobody(program_admin):
    closed, (late,) = _full_summit_with_waitlist(
        1, starts_on=in_days(10), registration_closes_on=in_days(-1)
    )
    event_update(event=closed, user=program_admin, data={"capacity": 5})
    late.refresh_from_db()
    assert late.status == RegistrationStatus.WAITLISTED
    started, (waiting,) = _full_summit_with_waitlist(1, starts_on=in_days(0))
    event_update(event=started, user=program_admin, data={"capacity": None})
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED
    # While registration is open, the same change gives the place.
    event_update(event=closed, user=program_admin, data={"capacity": 6}, today=in_days(-2))
    late.refresh_from_db()
    assert late.status == RegistrationStatus.REGISTERED


def test_delete_only_while_nobody_is_registered(program_admin):
    summit = EventFactory()
    registration = registration_create(event=summit, user=manager_of(PartnerFactory()))
    with pytest.raises(ValidationError) as error:
        event_delete(event=summit, user=program_admin)
    assert "registered" in messages(error.value)
    registration_cancel(registration=registration, user=program_admin)
    event_delete(event=summit, user=program_admin)
    assert not Event.objects.filter(pk=summit.pk).exists()


def test_dates_in_the_past_are_fine_for_admins_recording_history(program_admin):
    event = event_create(
        user=program_admin,
        data=event_data(starts_on=datetime.date(2025, 9, 11), ends_on=datetime.date(2025, 9, 12)),
    )
    assert event.pk


def test_registering_locks_the_event_row_where_the_database_can():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    summit = EventFactory(capacity=5)
    with CaptureQueriesContext(connection) as queries:
        registration_create(event=summit, user=manager_of(PartnerFactory()))
    locked = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    if connection.features.has_select_for_update:
        assert any('"events_event"' in sql for sql in locked)
    else:
        # SQLite has no row locks: its IMMEDIATE transactions serialize writers instead.
        assert connection.settings_dict["OPTIONS"].get("transaction_mode") == "IMMEDIATE"
