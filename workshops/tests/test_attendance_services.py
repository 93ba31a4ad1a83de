"""attendance_mark and attendance_check_in: who, when, and only enrolled teachers."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from workshops.attendance import attendance_check_in, attendance_mark
from workshops.models import Attendance, EnrollmentStatus, WorkshopState

from .factories_attendance import (
    AttendanceFactory,
    EnrollmentFactory,
    assign_facilitator,
    program_manager_of,
    workshop_with_teachers,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 7, 20)
LA = ZoneInfo("America/Los_Angeles")
UTC = datetime.UTC


def at(day, hour, minute=0, zone=LA):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


DURING = at(DAY, 10)


@pytest.fixture
def world():
    workshop, enrollments = workshop_with_teachers(teachers=3, sessions=2, starts_on=DAY)
    facilitator = assign_facilitator(workshop)
    sessions = list(workshop.sessions.all())
    return workshop, enrollments, facilitator, sessions


def present(session) -> set[int]:
    return set(session.attendances.values_list("enrollment_id", flat=True))


# --- attendance_mark: the set --------------------------------------------------------------


def test_mark_sets_exactly_the_given_enrollments(world):
    _, (a, b, c), facilitator, (first, second) = world
    changed = attendance_mark(
        session=first, user=facilitator, enrollment_ids=[a.pk, b.pk], now=DURING
    )
    assert changed == 2
    assert present(first) == {a.pk, b.pk}
    assert present(second) == set()

    changed = attendance_mark(
        session=first, user=facilitator, enrollment_ids=[b.pk, c.pk], now=DURING
    )
    assert changed == 2  # a removed, c added
    assert present(first) == {b.pk, c.pk}
    row = Attendance.objects.get(session=first, enrollment=c)
    assert row.method == Attendance.Method.CHECKLIST
    assert row.marked_by == facilitator

    assert attendance_mark(session=first, user=facilitator, enrollment_ids=[], now=DURING) == 2
    assert present(first) == set()


def test_mark_keeps_a_self_check_in_that_stays_in_the_set(world):
    _, (a, b, _), facilitator, (first, _) = world
    AttendanceFactory(session=first, enrollment=a, method=Attendance.Method.SELF)
    changed = attendance_mark(
        session=first, user=facilitator, enrollment_ids=[a.pk, b.pk], now=DURING
    )
    assert changed == 1
    assert Attendance.objects.get(session=first, enrollment=a).method == Attendance.Method.SELF


def test_mark_leaves_the_record_of_a_teacher_who_cancelled_later(world):
    _, (a, b, _), facilitator, (first, _) = world
    AttendanceFactory(session=first, enrollment=a)
    a.status = EnrollmentStatus.CANCELLED
    a.save()
    attendance_mark(session=first, user=facilitator, enrollment_ids=[b.pk], now=DURING)
    assert present(first) == {a.pk, b.pk}


def test_only_enrolled_teachers_of_the_workshop_can_be_marked(world):
    workshop, (a, _, _), facilitator, (first, _) = world
    waitlisted = EnrollmentFactory(workshop=workshop, status=EnrollmentStatus.WAITLISTED)
    elsewhere = EnrollmentFactory()
    for bad in (waitlisted.pk, elsewhere.pk, 999_999):
        with pytest.raises(ValidationError) as error:
            attendance_mark(session=first, user=facilitator, enrollment_ids=[a.pk, bad], now=DURING)
        assert "enrolled" in error.value.message_dict["enrollment_ids"][0]
    assert present(first) == set()


def test_a_cancelled_workshop_takes_no_attendance(world):
    workshop, (a, _, _), facilitator, (first, _) = world
    workshop.state = WorkshopState.CANCELLED
    workshop.save()
    with pytest.raises(ValidationError):
        attendance_mark(session=first, user=facilitator, enrollment_ids=[a.pk], now=DURING)


# --- attendance_mark: who ------------------------------------------------------------------


def test_program_managers_of_the_partner_and_admins_may_mark(world, program_admin):
    workshop, (a, _, _), _, (first, _) = world
    manager = program_manager_of(workshop.partner)
    assert attendance_mark(session=first, user=manager, enrollment_ids=[a.pk], now=DURING) == 1
    assert attendance_mark(session=first, user=program_admin, enrollment_ids=[], now=DURING) == 1


def test_others_may_not_mark(world, make_user):
    workshop, (a, _, _), _, (first, _) = world
    other_pm = ProgramManagerFactory(partner=PartnerFactory()).user
    own_rm = make_user(role="regional_manager")
    workshop.partner.regional_manager = own_rm
    workshop.partner.save()
    outsiders = [
        other_pm,
        own_rm,  # reads the checklist, does not take it
        make_user(role="facilitator"),  # not assigned to this workshop
        a.teacher,
        make_user(role="program_admin", is_active=False),
    ]
    for user in outsiders:
        with pytest.raises(PermissionDenied):
            attendance_mark(session=first, user=user, enrollment_ids=[a.pk], now=DURING)
    assert present(first) == set()


def test_a_facilitator_of_another_workshop_may_not_mark(world):
    workshop, (a, _, _), _, (first, _) = world
    other, _ = workshop_with_teachers(teachers=0, partner=workshop.partner)
    stranger = assign_facilitator(other)
    with pytest.raises(PermissionDenied):
        attendance_mark(session=first, user=stranger, enrollment_ids=[a.pk], now=DURING)


# --- attendance_mark: when -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (at(DAY, 8, 29), False),  # more than 30 minutes before the 9:00 start
        (at(DAY, 8, 30), True),
        (at(DAY, 15), True),
        (at(DAY + datetime.timedelta(days=7), 15), True),  # 7 days after the 15:00 end
        (at(DAY + datetime.timedelta(days=7), 15, 1), False),
    ],
)
def test_the_checklist_window(world, now, allowed):
    _, (a, _, _), facilitator, (first, _) = world
    if allowed:
        assert attendance_mark(session=first, user=facilitator, enrollment_ids=[a.pk], now=now)
    else:
        with pytest.raises(ValidationError) as error:
            attendance_mark(session=first, user=facilitator, enrollment_ids=[a.pk], now=now)
        assert "America/Los_Angeles" in error.value.message_dict["enrollment_ids"][0]
        assert present(first) == set()


def test_program_admins_correct_attendance_at_any_time(world, program_admin):
    _, (a, _, _), _, (first, _) = world
    later = at(DAY + datetime.timedelta(days=90), 12)
    assert attendance_mark(session=first, user=program_admin, enrollment_ids=[a.pk], now=later)
    earlier = at(DAY - datetime.timedelta(days=3), 12)
    assert attendance_mark(session=first, user=program_admin, enrollment_ids=[], now=earlier)


# --- attendance_check_in -------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {spaced} "])
def test_check_in_with_the_code_in_any_case_and_spacing(world, typed):
    _, (a, _, _), _, (first, _) = world
    code = first.attendance_code
    typed = typed.format(code=code, lower=code.lower(), spaced=" ".join(code))
    row = attendance_check_in(session=first, user=a.teacher, code=typed, now=DURING)
    assert row.method == Attendance.Method.SELF
    assert row.marked_by == a.teacher
    assert present(first) == {a.pk}


def test_checking_in_twice_keeps_one_record(world):
    _, (a, _, _), _, (first, _) = world
    one = attendance_check_in(session=first, user=a.teacher, code=first.attendance_code, now=DURING)
    two = attendance_check_in(session=first, user=a.teacher, code=first.attendance_code, now=DURING)
    assert one.pk == two.pk
    assert Attendance.objects.filter(session=first).count() == 1


def test_a_wrong_code_is_refused_clearly(world):
    _, (a, _, _), _, (first, second) = world
    with pytest.raises(ValidationError) as error:
        attendance_check_in(session=first, user=a.teacher, code="WRONG1", now=DURING)
    assert error.value.message_dict["code"] == [
        "That is not this session's code. Check it with your facilitator."
    ]
    if second.attendance_code != first.attendance_code:
        with pytest.raises(ValidationError):
            attendance_check_in(
                session=first, user=a.teacher, code=second.attendance_code, now=DURING
            )
    assert present(first) == set()


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (at(DAY, 8, 44), False),
        (at(DAY, 8, 45), True),  # 15 minutes before 9:00
        (at(DAY, 15, 30), True),  # 30 minutes after 15:00
        (at(DAY, 15, 31), False),
    ],
)
def test_the_check_in_window(world, now, allowed):
    _, (a, _, _), _, (first, _) = world
    call = {"session": first, "user": a.teacher, "code": first.attendance_code, "now": now}
    if allowed:
        assert attendance_check_in(**call)
    else:
        with pytest.raises(ValidationError) as error:
            attendance_check_in(**call)
        assert "Check-in for this session" in error.value.message_dict["code"][0]


def test_check_in_follows_the_workshops_time_zone():
    """A 9:00 session in Honolulu starts at 19:00 UTC (HST is UTC-10, no daylight saving)."""
    workshop, (a,) = workshop_with_teachers(
        teachers=1,
        sessions=1,
        starts_on=DAY,
        start_time=datetime.time(9),
        end_time=datetime.time(12),
        time_zone="Pacific/Honolulu",
    )
    session = workshop.sessions.get()
    code = session.attendance_code
    with pytest.raises(ValidationError):
        # 9:00 UTC, or 9:00 in Los Angeles (16:00 UTC), is not 9:00 in Honolulu.
        attendance_check_in(session=session, user=a.teacher, code=code, now=at(DAY, 9, zone=UTC))
    with pytest.raises(ValidationError):
        attendance_check_in(session=session, user=a.teacher, code=code, now=at(DAY, 9))
    with pytest.raises(ValidationError):
        attendance_check_in(
            session=session, user=a.teacher, code=code, now=at(DAY, 18, 44, zone=UTC)
        )
    row = attendance_check_in(session=session, user=a.teacher, code=code, now=at(DAY, 19, zone=UTC))
    assert row.session == session


def test_only_enrolled_teachers_check_in(world, make_user):
    workshop, _, facilitator, (first, _) = world
    waitlisted = EnrollmentFactory(workshop=workshop, status=EnrollmentStatus.WAITLISTED)
    cancelled = EnrollmentFactory(workshop=workshop, status=EnrollmentStatus.CANCELLED)
    elsewhere = EnrollmentFactory()
    for user in (waitlisted.teacher, cancelled.teacher, elsewhere.teacher, facilitator):
        with pytest.raises(ValidationError) as error:
            attendance_check_in(session=first, user=user, code=first.attendance_code, now=DURING)
        assert error.value.message_dict["code"] == [
            "Only teachers enrolled in this workshop can check in."
        ]
    assert not Attendance.objects.exists()
