"""Enrollment services: who may enroll, capacity and the waitlist, cancelling and promotion,
moves, emails (sent by tasks after commit) and the reminders."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from districts.tests.factories import DistrictFactory, SchoolFactory
from partners.tests.factories import PartnerFactory

from ..enrollment import (
    enrollment_cancel,
    enrollment_create,
    enrollment_move,
    waitlist_position,
    waitlist_promote,
    workshop_reminders_send,
)
from ..models import Enrollment, EnrollmentStatus, Workshop, WorkshopState
from .factories_enrollment import (
    EnrollmentFactory,
    manager_of,
    seattle_zip,
    teacher,
    workshop_in,
    workshop_on,
)

pytestmark = pytest.mark.django_db

ENROLLED, WAITLISTED, CANCELLED = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.CANCELLED,
)


def enroll(workshop, person=None, **kwargs):
    person = person or teacher()
    if not kwargs:
        kwargs = {"school": SchoolFactory()}
    return enrollment_create(workshop=workshop, teacher=person, **kwargs)


def fill(workshop, count):
    return [EnrollmentFactory(workshop=workshop) for _ in range(count)]


# --- Enrolling -----------------------------------------------------------------------------


def test_enroll_gives_a_place_and_saves_the_school_for_next_time(committed):
    workshop = workshop_in(30, capacity=2)
    school = SchoolFactory()
    person = teacher()
    with committed():
        enrollment = enrollment_create(workshop=workshop, teacher=person, school=school)
    assert enrollment.status == ENROLLED
    assert enrollment.enrolled_at is not None and enrollment.waitlisted_at is None
    assert enrollment.school == school
    person.refresh_from_db()
    assert person.school == school
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    assert mail.outbox[0].subject.startswith("You are enrolled")


def test_a_full_workshop_waitlists_in_order(committed):
    workshop = workshop_in(30, capacity=1)
    first = enroll(workshop)
    with committed():
        second = enroll(workshop)
        third = enroll(workshop)
    assert first.status == ENROLLED
    assert (second.status, third.status) == (WAITLISTED, WAITLISTED)
    assert second.waitlisted_at <= third.waitlisted_at
    assert (waitlist_position(second), waitlist_position(third)) == (1, 2)
    assert "waitlist (position 2)" in mail.outbox[-1].body
    assert mail.outbox[-1].subject.startswith("You are on the waitlist")


def test_unlisted_school_with_name_and_zip(committed):
    zip_code = seattle_zip()
    person = teacher()
    workshop = workshop_in(30)
    enrollment = enrollment_create(
        workshop=workshop, teacher=person, school_name="  Cedar  Academy ", school_zip="98101"
    )
    assert enrollment.school is None
    assert enrollment.school_name == "Cedar Academy"
    assert enrollment.school_zip == zip_code
    person.refresh_from_db()
    assert person.school_zip == zip_code and person.school is None


def test_unlisted_school_errors_are_keyed_by_field():
    workshop = workshop_in(30)
    with pytest.raises(ValidationError) as error:
        enrollment_create(workshop=workshop, teacher=teacher(), school_name="", school_zip="9x")
    assert set(error.value.message_dict) == {"school_name", "school_zip"}
    with pytest.raises(ValidationError) as error:
        enrollment_create(workshop=workshop, teacher=teacher(), school_name="A", school_zip="00001")
    assert "not a ZIP code we know" in error.value.message_dict["school_zip"][0]
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("role", ["program_manager", "facilitator", "applicant", "program_admin"])
def test_only_teachers_enroll(make_user, role):
    with pytest.raises(PermissionDenied, match="Only teachers"):
        enroll(workshop_in(30), make_user(role=role))


def test_inactive_teacher_cannot_enroll():
    with pytest.raises(PermissionDenied):
        enroll(workshop_in(30), teacher(is_active=False))


@pytest.mark.parametrize(
    "state", [WorkshopState.DRAFT, WorkshopState.CANCELLED, WorkshopState.IN_PROGRESS]
)
def test_only_published_workshops_take_enrollments(state):
    with pytest.raises(ValidationError) as error:
        enroll(workshop_in(30, state=state))
    assert error.value.code == "closed"


def test_enrollment_window_opens_and_closes():
    now = timezone.now()
    later = workshop_in(30, enrollment_opens_at=now + datetime.timedelta(days=2))
    with pytest.raises(ValidationError, match="Enrollment opens on"):
        enroll(later)
    closed = workshop_in(
        30,
        enrollment_opens_at=now - datetime.timedelta(days=5),
        enrollment_closes_at=now - datetime.timedelta(hours=1),
    )
    with pytest.raises(ValidationError, match="Enrollment closed on"):
        enroll(closed)
    open_now = workshop_in(30, enrollment_opens_at=now - datetime.timedelta(days=1))
    assert enroll(open_now).status == ENROLLED


def test_enrollment_closes_when_the_first_session_starts_by_default():
    today = timezone.localdate()
    started = workshop_on(today - datetime.timedelta(days=1), sessions=3)
    with pytest.raises(ValidationError, match="Enrollment closed"):
        enroll(started)


def test_reserved_workshop_takes_only_its_districts_schools():
    district = DistrictFactory()
    workshop = workshop_in(30, reserved_for=district)
    with pytest.raises(ValidationError) as error:
        enroll(workshop, school=SchoolFactory())
    assert "reserved for teachers of" in error.value.message_dict["school"][0]
    seattle_zip()
    with pytest.raises(ValidationError) as error:
        enroll(workshop, school_name="Hidden School", school_zip="98101")
    assert "school" in error.value.message_dict
    assert enroll(workshop, school=SchoolFactory(district=district)).status == ENROLLED


def test_closed_school_is_refused():
    with pytest.raises(ValidationError) as error:
        enroll(workshop_in(30), school=SchoolFactory(is_active=False))
    assert "school" in error.value.message_dict


def test_no_double_enrollment():
    workshop = workshop_in(30, capacity=1)
    person = teacher()
    enroll(workshop, person)
    with pytest.raises(ValidationError, match="already enrolled"):
        enroll(workshop, person)
    waiting = teacher()
    enroll(workshop, waiting)
    with pytest.raises(ValidationError, match=r"already on the waitlist .*position 1"):
        enroll(workshop, waiting)
    assert Enrollment.objects.count() == 2


def test_reenrolling_after_cancelling_reuses_the_row_at_the_back_of_the_waitlist():
    workshop = workshop_in(30, capacity=1)
    person = teacher()
    first = enroll(workshop, person)
    enrollment_cancel(enrollment=first, user=person)
    enroll(workshop)  # takes the free place
    other = enroll(workshop)  # waits first
    again = enroll(workshop, person)
    assert again.pk == first.pk
    assert again.status == WAITLISTED and again.cancelled_at is None
    assert waitlist_position(again) == 2
    assert waitlist_position(other) == 1


# --- Cancelling and promotion ---------------------------------------------------------------


def test_cancelling_promotes_the_first_waiting_and_emails_them(committed):
    workshop = workshop_in(30, capacity=1)
    holder = enroll(workshop)
    first = enroll(workshop)
    second = enroll(workshop)
    mail.outbox.clear()
    with committed():
        enrollment_cancel(enrollment=holder, user=holder.teacher)
    holder.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert holder.status == CANCELLED and holder.cancelled_at is not None
    assert first.status == ENROLLED and first.enrolled_at is not None
    assert second.status == WAITLISTED and waitlist_position(second) == 1
    assert [m.to for m in mail.outbox] == [[first.teacher.email]]
    assert "A place opened up" in mail.outbox[0].subject


def test_cancelling_a_waitlist_spot_promotes_nobody(committed):
    workshop = workshop_in(30, capacity=1)
    enroll(workshop)
    waiting = enroll(workshop)
    after = enroll(workshop)
    mail.outbox.clear()
    with committed():
        enrollment_cancel(enrollment=waiting, user=waiting.teacher)
    after.refresh_from_db()
    assert after.status == WAITLISTED and waitlist_position(after) == 1
    assert mail.outbox == []


def test_who_may_cancel(program_admin, regional_manager):
    workshop = workshop_in(30, capacity=3)
    workshop.partner.regional_manager = regional_manager
    workshop.partner.save()
    enrollment = enroll(workshop)
    with pytest.raises(PermissionDenied):
        enrollment_cancel(enrollment=enrollment, user=teacher())
    with pytest.raises(PermissionDenied):
        enrollment_cancel(enrollment=enrollment, user=regional_manager)
    with pytest.raises(PermissionDenied):
        enrollment_cancel(enrollment=enrollment, user=manager_of(PartnerFactory()))
    enrollment_cancel(enrollment=enrollment, user=manager_of(workshop.partner))
    with pytest.raises(ValidationError, match="already cancelled"):
        enrollment_cancel(enrollment=enrollment, user=program_admin)
    second = enroll(workshop)
    assert enrollment_cancel(enrollment=second, user=program_admin).status == CANCELLED


def test_teacher_cannot_cancel_once_started_but_staff_can():
    # Started yesterday, ends tomorrow: in progress by the clock.
    workshop = workshop_on(timezone.localdate() - datetime.timedelta(days=1), sessions=3)
    enrollment = EnrollmentFactory(workshop=workshop)
    with pytest.raises(ValidationError, match="has started"):
        enrollment_cancel(enrollment=enrollment, user=enrollment.teacher)
    enrollment_cancel(enrollment=enrollment, user=manager_of(workshop.partner))
    enrollment.refresh_from_db()
    assert enrollment.status == CANCELLED


def ended_by_the_clock(**kwargs):
    """A workshop whose last session ended yesterday, stored as still running (the scheduled
    command has not moved it yet)."""
    return workshop_on(timezone.localdate() - datetime.timedelta(days=3), sessions=2, **kwargs)


@pytest.mark.parametrize("stored", [WorkshopState.PUBLISHED, WorkshopState.IN_PROGRESS])
def test_nobody_is_promoted_into_a_workshop_that_ended_by_the_clock(stored, committed):
    workshop = ended_by_the_clock(capacity=1)
    Workshop.objects.filter(pk=workshop.pk).update(state=stored)
    place = EnrollmentFactory(workshop=workshop)
    waiting = EnrollmentFactory(workshop=workshop, status=WAITLISTED)
    staff = manager_of(workshop.partner)
    with committed():
        with pytest.raises(ValidationError, match="started or is over"):
            enrollment_cancel(enrollment=place, user=staff)
        assert waitlist_promote(workshop=workshop) == []
    waiting.refresh_from_db()
    place.refresh_from_db()
    assert (place.status, waiting.status) == (ENROLLED, WAITLISTED)
    assert mail.outbox == []


def test_nobody_is_moved_into_or_out_of_a_workshop_that_ended_by_the_clock():
    ended = ended_by_the_clock()
    upcoming = workshop_in(30, partner=ended.partner)
    staff = manager_of(ended.partner)
    into = EnrollmentFactory(workshop=upcoming)
    with pytest.raises(ValidationError) as error:
        enrollment_move(enrollment=into, to_workshop=ended, user=staff)
    assert "to_workshop" in error.value.message_dict
    out_of = EnrollmentFactory(workshop=ended)
    with pytest.raises(ValidationError, match="over"):
        enrollment_move(enrollment=out_of, to_workshop=upcoming, user=staff)
    assert Enrollment.objects.filter(status=ENROLLED).count() == 2


def test_enrollment_follows_the_clock_not_the_stored_state():
    started = workshop_on(timezone.localdate() - datetime.timedelta(days=1), sessions=3)
    assert started.state == WorkshopState.PUBLISHED  # stored; the clock says in progress
    with pytest.raises(ValidationError) as error:
        enroll(started)
    assert error.value.code == "closed"
    assert not Enrollment.objects.filter(workshop=started).exists()


def test_raising_the_capacity_promotes(committed):
    workshop = workshop_in(30, capacity=1)
    enroll(workshop)
    waiting = [enroll(workshop) for _ in range(3)]
    workshop.capacity = 3
    workshop.save()
    mail.outbox.clear()
    with committed():
        promoted = waitlist_promote(workshop=workshop)
    assert [e.pk for e in promoted] == [waiting[0].pk, waiting[1].pk]
    waiting[2].refresh_from_db()
    assert waiting[2].status == WAITLISTED
    assert len(mail.outbox) == 2


def test_a_late_task_for_a_cancelled_enrollment_sends_nothing():
    from ..tasks import send_enrollment_confirmation, send_enrollment_promotion

    enrollment = EnrollmentFactory(status=CANCELLED)
    assert send_enrollment_confirmation.call(enrollment.pk) is False
    assert send_enrollment_promotion.call(enrollment.pk) is False
    assert send_enrollment_confirmation.call(10**9) is False
    assert mail.outbox == []


# --- Moving --------------------------------------------------------------------------------


def test_move_to_a_workshop_with_room_and_promote_on_the_source(committed):
    source = workshop_in(30, capacity=1)
    target = workshop_in(40, capacity=5, partner=source.partner)
    moving = enroll(source)
    waiting = enroll(source)
    manager = manager_of(source.partner)
    mail.outbox.clear()
    with committed():
        moved = enrollment_move(enrollment=moving, to_workshop=target, user=manager)
    assert moved.workshop == target and moved.status == ENROLLED
    assert moved.school == moving.school
    moving.refresh_from_db()
    waiting.refresh_from_db()
    assert moving.status == CANCELLED
    assert waiting.status == ENROLLED
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([moving.teacher.email, waiting.teacher.email])
    moved_mail = next(m for m in mail.outbox if m.to == [moving.teacher.email])
    assert "moved to this workshop" in moved_mail.body


def test_move_to_a_full_workshop_waitlists_there():
    source = workshop_in(30, capacity=3)
    target = workshop_in(40, capacity=1, partner=source.partner)
    fill(target, 1)
    enrollment = enroll(source)
    moved = enrollment_move(
        enrollment=enrollment, to_workshop=target, user=manager_of(source.partner)
    )
    assert moved.status == WAITLISTED and waitlist_position(moved) == 1


def test_move_reuses_a_cancelled_row_in_the_target():
    source = workshop_in(30)
    target = workshop_in(40, partner=source.partner)
    person = teacher()
    old = enroll(target, person)
    enrollment_cancel(enrollment=old, user=person)
    moved = enrollment_move(
        enrollment=enroll(source, person), to_workshop=target, user=manager_of(source.partner)
    )
    assert moved.pk == old.pk and moved.status == ENROLLED


def test_move_refusals(program_admin, regional_manager):
    source = workshop_in(30)
    enrollment = enroll(source)
    other_partner = workshop_in(30)
    with pytest.raises(ValidationError) as error:
        enrollment_move(enrollment=enrollment, to_workshop=other_partner, user=program_admin)
    assert "to_workshop" in error.value.message_dict
    with pytest.raises(ValidationError):
        enrollment_move(enrollment=enrollment, to_workshop=source, user=program_admin)
    draft = workshop_in(30, partner=source.partner, state=WorkshopState.DRAFT)
    with pytest.raises(ValidationError, match="published or running"):
        enrollment_move(enrollment=enrollment, to_workshop=draft, user=program_admin)
    reserved = workshop_in(30, partner=source.partner, reserved_for=DistrictFactory())
    with pytest.raises(ValidationError, match="reserved for"):
        enrollment_move(enrollment=enrollment, to_workshop=reserved, user=program_admin)
    already = workshop_in(30, partner=source.partner)
    enroll(already, enrollment.teacher)
    with pytest.raises(ValidationError, match="already enrolled in that workshop"):
        enrollment_move(enrollment=enrollment, to_workshop=already, user=program_admin)
    target = workshop_in(30, partner=source.partner)
    source.partner.regional_manager = regional_manager
    source.partner.save()
    for user in (regional_manager, enrollment.teacher, manager_of(PartnerFactory())):
        with pytest.raises(PermissionDenied):
            enrollment_move(enrollment=enrollment, to_workshop=target, user=user)
    enrollment.refresh_from_db()
    assert enrollment.status == ENROLLED


# --- Emails --------------------------------------------------------------------------------


def test_confirmation_names_the_zone_the_times_and_the_calendar_link(committed):
    day = timezone.localdate() + datetime.timedelta(days=20)
    workshop = workshop_on(
        day,
        start=datetime.time(9),
        end=datetime.time(15, 30),
        time_zone="Pacific/Honolulu",
        online_url="https://meet.example.org/secret",
        is_online=True,
        title="Honolulu <b>intensive</b>",
    )
    with committed():
        enroll(workshop)
    body = mail.outbox[0].body
    assert "Honolulu <b>intensive</b>" in body  # plain text, sent as typed
    assert "Hawaii (Honolulu) time, Pacific/Honolulu" in body
    assert "9 a.m. \u2013 3:30 p.m. HST" in body
    assert f"/workshops/{workshop.pk}/calendar.ics" in body
    assert "https://meet.example.org/secret" in body  # enrolled: the link


def test_waitlisted_people_do_not_get_the_online_link(committed):
    workshop = workshop_in(30, capacity=1, is_online=True, online_url="https://x.example/s")
    fill(workshop, 1)
    with committed():
        enroll(workshop)
    assert "https://x.example/s" not in mail.outbox[0].body


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    from django.db import transaction

    workshop = workshop_in(30)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enroll(workshop)
        raise RuntimeError
    assert mail.outbox == []
    assert not Enrollment.objects.exists()


# --- Reminders -----------------------------------------------------------------------------


def _at(workshop):
    return workshop.sessions.get().starts_at


def test_reminders_are_sent_once_within_their_windows(committed):
    day = timezone.localdate() + datetime.timedelta(days=30)
    workshop = workshop_on(day, time_zone="America/New_York")
    start = _at(workshop)
    early = EnrollmentFactory(workshop=workshop, enrolled_at=start - datetime.timedelta(days=20))
    EnrollmentFactory(
        workshop=workshop,
        status=WAITLISTED,
        waitlisted_at=start - datetime.timedelta(days=20),
    )
    cancelled = EnrollmentFactory(
        workshop=workshop, enrolled_at=start - datetime.timedelta(days=20)
    )
    cancelled.status = CANCELLED
    cancelled.save()

    def run(now):
        with committed():
            return workshop_reminders_send(now=now)

    assert run(start - datetime.timedelta(days=7, minutes=1)) == 0  # not yet
    assert run(start - datetime.timedelta(days=6, hours=23)) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [early.teacher.email]
    assert "starts in 7 days" in mail.outbox[0].subject
    assert run(start - datetime.timedelta(days=6, hours=22)) == 0  # idempotent
    assert run(start - datetime.timedelta(days=3)) == 0  # between windows
    late = EnrollmentFactory(workshop=workshop, enrolled_at=start - datetime.timedelta(days=3))
    assert run(start - datetime.timedelta(hours=23)) == 2  # both enrolled get the 1-day one
    assert {m.to[0] for m in mail.outbox[1:]} == {early.teacher.email, late.teacher.email}
    assert all("starts tomorrow" in m.subject for m in mail.outbox[1:])
    assert run(start - datetime.timedelta(hours=1)) == 0
    assert run(start + datetime.timedelta(hours=1)) == 0  # started
    early.refresh_from_db()
    assert early.reminded_7_days_at is not None and early.reminded_1_day_at is not None
    late.refresh_from_db()
    assert late.reminded_7_days_at is None  # enrolled after that window opened


def test_a_missed_window_is_not_made_up_later(committed):
    workshop = workshop_in(30)
    start = _at(workshop)
    EnrollmentFactory(workshop=workshop, enrolled_at=start - datetime.timedelta(days=20))
    with committed():
        assert workshop_reminders_send(now=start - datetime.timedelta(days=5)) == 0
    assert mail.outbox == []


def test_reminders_skip_cancelled_workshops(committed):
    workshop = workshop_in(30, state=WorkshopState.CANCELLED)
    start = _at(workshop)
    EnrollmentFactory(workshop=workshop, enrolled_at=start - datetime.timedelta(days=20))
    with committed():
        assert workshop_reminders_send(now=start - datetime.timedelta(hours=2)) == 0


def test_reminders_follow_the_first_session_of_several():
    workshop = workshop_in(30, sessions=3)
    start = workshop.sessions.order_by("date").first().starts_at
    EnrollmentFactory(workshop=workshop, enrolled_at=start - datetime.timedelta(days=20))
    assert workshop_reminders_send(now=start + datetime.timedelta(hours=20)) == 0
    assert workshop_reminders_send(now=start - datetime.timedelta(hours=20)) == 1


def test_the_command_sends_due_reminders(committed, capsys):
    # A first session between 12 and 20 hours from now, inside one local day.
    zone = ZoneInfo("America/Los_Angeles")
    for hours in (20, 16, 12):
        begins = (timezone.now() + datetime.timedelta(hours=hours)).astimezone(zone)
        if begins.hour < 22:
            break
    workshop = workshop_on(
        begins.date(),
        start=begins.time().replace(second=0, microsecond=0),
        end=datetime.time(begins.hour + 1, 30),
    )
    EnrollmentFactory(workshop=workshop, enrolled_at=timezone.now() - datetime.timedelta(days=9))
    with committed():
        call_command("send_workshop_reminders")
        call_command("send_workshop_reminders")
    assert capsys.readouterr().out.split("\n")[:2] == ["1 reminder sent.", "0 reminders sent."]
    assert len(mail.outbox) == 1
