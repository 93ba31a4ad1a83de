import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_tasks.signals import task_enqueued

from core.program_years import program_year_for
from districts.tests.factories import DistrictFactory, DistrictPartnershipFactory
from facilitators.models import Accreditation, AccreditationStatus
from facilitators.tests.factories import FacilitatorFactory
from geography.models import ZipCode
from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from workshops.models import Attendance, Workshop, WorkshopState
from workshops.scheduling import (
    effective_state,
    workshop_cancel,
    workshop_create,
    workshop_publish,
    workshop_update,
    workshops_advance_states,
)
from workshops.tasks import send_workshop_cancellation

from .factories import (
    CourseFactory,
    SessionFactory,
    WorkshopFactory,
    WorkshopKindFactory,
    accredit,
    enroll,
)

UTC = datetime.UTC
SOON = timezone.localdate() + datetime.timedelta(days=40)
YEAR = program_year_for(SOON)


def session(day=SOON, start=(9, 0), end=(15, 0)) -> dict:
    return {"date": day, "start_time": datetime.time(*start), "end_time": datetime.time(*end)}


@pytest.fixture
def setup(db):
    """A partner offering a course with a kind, and its program manager."""
    pm = ProgramManagerFactory()
    course = CourseFactory(name="CS Explorations")
    kind = WorkshopKindFactory(course=course, name="Summer intensive (5 days)")
    pm.partner.courses.add(course)
    return pm.partner, pm.user, course, kind


def online(course, kind, **extra) -> dict:
    return {
        "course": course,
        "kind": kind,
        "is_online": True,
        "time_zone": "America/Chicago",
        "online_url": "https://meet.example.org/abc",
        "capacity": 25,
        **extra,
    }


def in_person(course, kind, zip_code, **extra) -> dict:
    return {
        "course": course,
        "kind": kind,
        "is_online": False,
        "venue": "Ala Moana Learning Center",
        "zip_code": zip_code,
        "capacity": 25,
        **extra,
    }


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Time zones ----------------------------------------------------------------------------


def test_a_nine_oclock_session_in_honolulu_is_nine_honolulu_time_and_19_utc(setup, geography):
    partner, pm, course, kind = setup
    honolulu = ZipCode.objects.get(code="96813")
    day = datetime.date(SOON.year + 1, 1, 12)  # winter: no daylight saving anywhere in play

    workshop = workshop_create(
        partner=partner,
        user=pm,
        data=in_person(course, kind, honolulu),
        sessions=[session(day, (9, 0), (15, 0))],
    )

    assert workshop.time_zone == "Pacific/Honolulu"
    first = workshop.sessions.get()
    assert first.starts_at.astimezone(ZoneInfo("Pacific/Honolulu")).time() == datetime.time(9)
    assert first.starts_at.astimezone(UTC) == datetime.datetime(day.year, 1, 12, 19, 0, tzinfo=UTC)
    assert first.starts_at.tzname() == "HST"


def test_the_zone_follows_the_venue_zip_even_when_another_is_sent(setup, geography):
    partner, pm, course, kind = setup
    seattle = ZipCode.objects.get(code="98101")
    workshop = workshop_create(
        partner=partner,
        user=pm,
        data=in_person(course, kind, seattle, time_zone="Pacific/Honolulu"),
        sessions=[session()],
    )
    assert workshop.time_zone == "America/Los_Angeles"


def test_an_online_workshop_keeps_the_chosen_zone_and_no_venue(setup):
    partner, pm, course, kind = setup
    workshop = workshop_create(
        partner=partner, user=pm, data=online(course, kind, venue="ignored"), sessions=[session()]
    )
    assert workshop.time_zone == "America/Chicago"
    assert workshop.venue == ""
    assert workshop.zip_code is None
    assert workshop.state == WorkshopState.DRAFT
    assert workshop.created_by == pm


def test_an_in_person_workshop_needs_a_venue_zip(setup):
    partner, pm, course, kind = setup
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(
            partner=partner, user=pm, data=in_person(course, kind, None), sessions=[session()]
        )
    assert "zip_code" in errors_of(excinfo)
    assert "time_zone" not in errors_of(excinfo)


def test_an_online_workshop_needs_a_zone(setup):
    partner, pm, course, kind = setup
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(
            partner=partner, user=pm, data=online(course, kind, time_zone=""), sessions=[session()]
        )
    assert "time zone" in errors_of(excinfo)["time_zone"][0]


def test_enrollment_times_without_a_zone_are_the_workshops_wall_clock(setup, geography):
    partner, pm, course, kind = setup
    opens = datetime.datetime.combine(SOON - datetime.timedelta(days=20), datetime.time(8))
    workshop = workshop_create(
        partner=partner,
        user=pm,
        data=in_person(course, kind, ZipCode.objects.get(code="99501"), enrollment_opens_at=opens),
        sessions=[session()],
    )
    local = workshop.enrollment_opens_at.astimezone(ZoneInfo("America/Anchorage"))
    assert local.replace(tzinfo=None) == opens


# --- Program year, sessions ----------------------------------------------------------------


def test_the_program_year_is_the_first_sessions(setup):
    partner, pm, course, kind = setup
    june = datetime.date(SOON.year + 2, 6, 29)
    july = datetime.date(SOON.year + 2, 7, 2)
    workshop = workshop_create(
        partner=partner,
        user=pm,
        data=online(course, kind),
        sessions=[session(july), session(june)],
    )
    assert workshop.program_year == program_year_for(june)
    assert [s.date for s in workshop.sessions.all()] == [june, july]


def test_at_least_one_session(setup):
    partner, pm, course, kind = setup
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(partner=partner, user=pm, data=online(course, kind), sessions=[])
    assert errors_of(excinfo)["sessions"] == ["Add at least one session."]


def test_a_session_ends_after_it_starts(setup):
    partner, pm, course, kind = setup
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(
            partner=partner,
            user=pm,
            data=online(course, kind),
            sessions=[session(start=(13, 0), end=(9, 0))],
        )
    assert "must end after it starts" in errors_of(excinfo)["sessions"][0]


def test_sessions_may_not_overlap(setup):
    partner, pm, course, kind = setup
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(
            partner=partner,
            user=pm,
            data=online(course, kind),
            sessions=[session(start=(9, 0), end=(12, 0)), session(start=(11, 30), end=(15, 0))],
        )
    assert "overlap" in errors_of(excinfo)["sessions"][0]
    assert not Workshop.objects.exists()


def test_back_to_back_sessions_are_fine(setup):
    partner, pm, course, kind = setup
    workshop = workshop_create(
        partner=partner,
        user=pm,
        data=online(course, kind),
        sessions=[session(start=(9, 0), end=(12, 0)), session(start=(12, 0), end=(15, 0))],
    )
    assert workshop.sessions.count() == 2


def test_every_problem_is_reported_at_once(setup):
    partner, pm, course, _kind = setup
    other_kind = WorkshopKindFactory()
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(
            partner=partner,
            user=pm,
            data=online(course, other_kind, capacity=0),
            sessions=[],
        )
    assert {"kind", "capacity", "sessions"} <= set(errors_of(excinfo))


# --- Catalogue, district, capacity, window -------------------------------------------------


def test_the_course_must_be_offered_by_the_partner(setup):
    partner, pm, _course, _kind = setup
    course = CourseFactory(name="CS Principles")
    kind = WorkshopKindFactory(course=course)
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(partner=partner, user=pm, data=online(course, kind), sessions=[session()])
    assert errors_of(excinfo)["course"] == [f"{partner.name} does not offer CS Principles."]


def test_the_kind_must_belong_to_the_course(setup):
    partner, pm, course, _kind = setup
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(
            partner=partner,
            user=pm,
            data=online(course, WorkshopKindFactory(name="Other course's kind")),
            sessions=[session()],
        )
    assert "is not a kind of CS Explorations" in errors_of(excinfo)["kind"][0]


def test_a_reserved_district_must_be_a_partner_district(setup):
    partner, pm, course, kind = setup
    stranger = DistrictFactory(name="Faraway School District")
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(
            partner=partner,
            user=pm,
            data=online(course, kind, reserved_for=stranger),
            sessions=[session()],
        )
    assert "no partnership with Faraway School District" in errors_of(excinfo)["reserved_for"][0]

    ours = DistrictPartnershipFactory(partner=partner).district
    workshop = workshop_create(
        partner=partner, user=pm, data=online(course, kind, reserved_for=ours), sessions=[session()]
    )
    assert workshop.reserved_for == ours


def test_capacity_cannot_go_below_enrollments(setup):
    partner, pm, course, kind = setup
    workshop = WorkshopFactory(partner=partner, course=course, kind=kind, state="draft")
    enroll(workshop)
    enroll(workshop)
    enroll(workshop, status="waitlisted")
    with pytest.raises(ValidationError) as excinfo:
        workshop_update(workshop=workshop, user=pm, data={"capacity": 1})
    assert "2 teachers are enrolled" in errors_of(excinfo)["capacity"][0]
    assert workshop_update(workshop=workshop, user=pm, data={"capacity": 2}).capacity == 2


def test_raising_the_capacity_of_a_published_workshop_promotes_the_waitlist(setup):
    partner, pm, course, kind = setup
    workshop = WorkshopFactory(partner=partner, course=course, kind=kind, capacity=1)
    enroll(workshop)
    first, second = enroll(workshop, status="waitlisted"), enroll(workshop, status="waitlisted")
    workshop_update(workshop=workshop, user=pm, data={"capacity": 2})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("enrolled", "waitlisted")


def test_the_enrollment_window_is_sane(setup):
    partner, pm, course, kind = setup
    zone = ZoneInfo("America/Chicago")
    first = datetime.datetime.combine(SOON, datetime.time(9), tzinfo=zone)
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(
            partner=partner,
            user=pm,
            data=online(
                course,
                kind,
                enrollment_opens_at=first,
                enrollment_closes_at=first - datetime.timedelta(days=1),
            ),
            sessions=[session()],
        )
    errors = errors_of(excinfo)
    assert errors["enrollment_closes_at"] == ["Enrollment must close after it opens."]
    assert errors["enrollment_opens_at"] == ["Enrollment must open before the first session."]
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(
            partner=partner,
            user=pm,
            data=online(course, kind, enrollment_closes_at=first + datetime.timedelta(days=2)),
            sessions=[session()],
        )
    assert "by the end of the last session" in errors_of(excinfo)["enrollment_closes_at"][0]


# --- Facilitators --------------------------------------------------------------------------


def test_an_accredited_facilitator_is_assigned(setup):
    partner, pm, course, kind = setup
    person = FacilitatorFactory()
    accredit(person, course, YEAR)
    workshop = workshop_create(
        partner=partner,
        user=pm,
        data=online(course, kind),
        sessions=[session()],
        facilitators=[person],
    )
    assert list(workshop.facilitators.all()) == [person]


@pytest.mark.parametrize("status", [None, "lapsed", "in_training", "other_year", "other_course"])
def test_a_facilitator_not_accredited_is_refused_by_name(setup, status):
    partner, pm, course, kind = setup
    person = FacilitatorFactory(first_name="Ada", last_name="Lovelace")
    if status == "other_year":
        accredit(person, course, "2019-20")
    elif status == "other_course":
        accredit(person, CourseFactory(), YEAR)
    elif status:
        Accreditation.objects.create(
            facilitator=person, course=course, program_year=YEAR, status=status
        )
    with pytest.raises(ValidationError) as excinfo:
        workshop_create(
            partner=partner,
            user=pm,
            data=online(course, kind),
            sessions=[session()],
            facilitators=[person],
        )
    assert errors_of(excinfo)["facilitators"] == [
        f"Ada Lovelace is not accredited for CS Explorations in {YEAR}."
    ]


def test_publishing_checks_accreditation_again(setup):
    partner, pm, course, kind = setup
    person = FacilitatorFactory(first_name="Grace", last_name="Hopper")
    accreditation = accredit(person, course, YEAR)
    workshop = workshop_create(
        partner=partner,
        user=pm,
        data=online(course, kind),
        sessions=[session()],
        facilitators=[person],
    )
    accreditation.status = AccreditationStatus.LAPSED
    accreditation.save()
    with pytest.raises(ValidationError) as excinfo:
        workshop_publish(workshop=workshop, user=pm)
    assert "Grace Hopper is not accredited" in errors_of(excinfo)["facilitators"][0]
    workshop.refresh_from_db()
    assert workshop.state == WorkshopState.DRAFT


# --- Who may -------------------------------------------------------------------------------


def test_only_the_partners_program_managers_and_admins_may(setup, regional_manager, make_user):
    partner, _pm, course, kind = setup
    partner.regional_manager = regional_manager
    partner.save()
    other_pm = ProgramManagerFactory(partner=PartnerFactory()).user
    for person in (regional_manager, other_pm, make_user(role="teacher")):
        with pytest.raises(PermissionDenied):
            workshop_create(
                partner=partner, user=person, data=online(course, kind), sessions=[session()]
            )
    admin = make_user(role="program_admin")
    workshop = workshop_create(
        partner=partner, user=admin, data=online(course, kind), sessions=[session()]
    )
    with pytest.raises(PermissionDenied):
        workshop_publish(workshop=workshop, user=other_pm)
    with pytest.raises(PermissionDenied):
        workshop_cancel(workshop=workshop, user=regional_manager)


def test_unknown_fields_are_refused(setup):
    partner, pm, course, kind = setup
    with pytest.raises(ValidationError):
        workshop_create(
            partner=partner,
            user=pm,
            data={**online(course, kind), "state": "published"},
            sessions=[session()],
        )


def test_changes_are_audited_with_the_actor(setup):
    partner, pm, course, kind = setup
    workshop = workshop_create(
        partner=partner, user=pm, data=online(course, kind), sessions=[session()]
    )
    workshop_publish(workshop=workshop, user=pm)
    entries = LogEntry.objects.get_for_object(workshop)
    assert entries.count() >= 2
    assert {entry.actor for entry in entries} == {pm}


# --- Sessions on update --------------------------------------------------------------------


def test_update_keeps_existing_sessions_and_their_codes(setup):
    partner, pm, course, kind = setup
    workshop = workshop_create(
        partner=partner,
        user=pm,
        data=online(course, kind),
        sessions=[session(start=(9, 0), end=(10, 0)), session(start=(11, 0), end=(12, 0))],
    )
    first, second = workshop.sessions.all()
    codes = {first.pk: first.attendance_code, second.pk: second.attendance_code}
    # Swap the two times: the unique (date, start) is crossed mid-way.
    workshop_update(
        workshop=workshop,
        user=pm,
        data={},
        sessions=[
            {"id": first.pk, **session(start=(11, 0), end=(12, 0))},
            {"id": second.pk, **session(start=(9, 0), end=(10, 0))},
            session(day=SOON + datetime.timedelta(days=1)),
        ],
    )
    rows = {s.pk: s for s in workshop.sessions.all()}
    assert len(rows) == 3
    assert rows[first.pk].start_time == datetime.time(11)
    assert rows[second.pk].start_time == datetime.time(9)
    assert {pk: rows[pk].attendance_code for pk in codes} == codes


def test_a_session_with_attendance_is_not_removed(setup):
    partner, pm, course, kind = setup
    workshop = WorkshopFactory(partner=partner, course=course, kind=kind, state="draft", sessions=2)
    first, second = workshop.sessions.all()
    Attendance.objects.create(session=first, enrollment=enroll(workshop), method="checklist")
    with pytest.raises(ValidationError) as excinfo:
        workshop_update(
            workshop=workshop,
            user=pm,
            data={},
            sessions=[{"id": second.pk, **session(second.date)}],
        )
    assert "attendance" in errors_of(excinfo)["sessions"][0]
    assert workshop.sessions.count() == 2


# --- States --------------------------------------------------------------------------------


def test_publish_then_not_again(setup):
    partner, pm, course, kind = setup
    workshop = workshop_create(
        partner=partner, user=pm, data=online(course, kind), sessions=[session()]
    )
    assert workshop_publish(workshop=workshop, user=pm).state == WorkshopState.PUBLISHED
    with pytest.raises(ValidationError, match="Only a draft can be published"):
        workshop_publish(workshop=workshop, user=pm)


def test_a_workshop_in_the_past_is_not_published(setup):
    partner, pm, course, kind = setup
    past = timezone.localdate() - datetime.timedelta(days=3)
    workshop = workshop_create(
        partner=partner, user=pm, data=online(course, kind), sessions=[session(past)]
    )
    with pytest.raises(ValidationError) as excinfo:
        workshop_publish(workshop=workshop, user=pm)
    assert "in the future" in errors_of(excinfo)["sessions"][0]


def test_an_online_workshop_needs_its_link_to_publish(setup):
    partner, pm, course, kind = setup
    workshop = workshop_create(
        partner=partner, user=pm, data=online(course, kind, online_url=""), sessions=[session()]
    )
    with pytest.raises(ValidationError) as excinfo:
        workshop_publish(workshop=workshop, user=pm)
    assert "online_url" in errors_of(excinfo)


def test_states_follow_the_clock(setup):
    partner, _pm, course, kind = setup
    day = datetime.date(2030, 1, 14)
    workshop = WorkshopFactory(
        partner=partner, course=course, kind=kind, starts_on=day, sessions=2,
        time_zone="Pacific/Honolulu",
    )  # fmt: skip
    workshop = Workshop.objects.prefetch_related("sessions").get(pk=workshop.pk)
    hst = ZoneInfo("Pacific/Honolulu")
    before = datetime.datetime(2030, 1, 14, 8, 59, tzinfo=hst)
    during = datetime.datetime(2030, 1, 14, 9, 0, tzinfo=hst)
    between = datetime.datetime(2030, 1, 14, 20, 0, tzinfo=hst)
    after = datetime.datetime(2030, 1, 15, 15, 0, tzinfo=hst)
    assert effective_state(workshop, before) == WorkshopState.PUBLISHED
    assert effective_state(workshop, during) == WorkshopState.IN_PROGRESS
    assert effective_state(workshop, between) == WorkshopState.IN_PROGRESS
    assert effective_state(workshop, after) == WorkshopState.ENDED

    assert workshops_advance_states(before) == {"in_progress": 0, "ended": 0}
    assert workshops_advance_states(during) == {"in_progress": 1, "ended": 0}
    workshop.refresh_from_db()
    assert workshop.state == WorkshopState.IN_PROGRESS
    assert workshops_advance_states(after) == {"in_progress": 0, "ended": 1}
    workshop.refresh_from_db()
    assert workshop.state == WorkshopState.ENDED
    assert workshops_advance_states(after) == {"in_progress": 0, "ended": 0}


def test_the_clock_leaves_drafts_and_cancelled_alone_and_jumps_to_ended(setup):
    partner, _pm, course, kind = setup
    past = timezone.localdate() - datetime.timedelta(days=10)
    draft = WorkshopFactory(
        partner=partner, course=course, kind=kind, starts_on=past, state="draft"
    )
    gone = WorkshopFactory(
        partner=partner, course=course, kind=kind, starts_on=past, state="cancelled"
    )
    missed = WorkshopFactory(partner=partner, course=course, kind=kind, starts_on=past)
    out = io.StringIO()
    call_command("advance_workshop_states", stdout=out)
    assert "1 ended" in out.getvalue()
    states = dict(Workshop.objects.values_list("pk", "state"))
    assert states == {draft.pk: "draft", gone.pk: "cancelled", missed.pk: "ended"}


def test_cancel_emails_enrolled_and_waitlisted_after_commit(setup, committed):
    partner, pm, course, kind = setup
    workshop = WorkshopFactory(partner=partner, course=course, kind=kind)
    enrolled = enroll(workshop)
    waiting = enroll(workshop, status="waitlisted")
    enroll(workshop, status="cancelled")
    with committed():
        workshop_cancel(workshop=workshop, user=pm, reason="The venue flooded.")
        assert mail.outbox == []  # not before the commit
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [enrolled.teacher.email, waiting.teacher.email]
    )
    assert "The venue flooded." in mail.outbox[0].body
    assert mail.outbox[0].subject == f"Cancelled: {workshop.display_title}"
    workshop.refresh_from_db()
    assert workshop.state == WorkshopState.CANCELLED
    with pytest.raises(ValidationError, match="already cancelled"):
        workshop_cancel(workshop=workshop, user=pm)


def test_a_running_or_ended_workshop_is_not_cancelled_nor_changed(setup):
    partner, pm, course, kind = setup
    workshop = WorkshopFactory(
        partner=partner, course=course, kind=kind, starts_on=timezone.localdate().replace(year=2020)
    )
    with pytest.raises(ValidationError, match="ended"):
        workshop_cancel(workshop=workshop, user=pm)
    with pytest.raises(ValidationError, match="no longer be changed"):
        workshop_update(workshop=workshop, user=pm, data={"capacity": 5})


def test_a_draft_can_be_cancelled(setup):
    partner, pm, course, kind = setup
    workshop = SessionFactory(
        workshop=WorkshopFactory(partner=partner, course=course, kind=kind, state="draft")
    ).workshop
    assert workshop_cancel(workshop=workshop, user=pm).state == WorkshopState.CANCELLED


def test_cancel_enqueues_one_email_task_per_person_after_commit(setup, committed):
    partner, pm, course, kind = setup
    workshop = WorkshopFactory(partner=partner, course=course, kind=kind)
    people = [enroll(workshop), enroll(workshop, status="waitlisted")]
    enqueued = []

    def record(sender, task_result, **kwargs):
        enqueued.append((task_result.task.name, list(task_result.args)))

    task_enqueued.connect(record)
    try:
        with committed():
            workshop_cancel(workshop=workshop, user=pm, reason="Snow.")
            assert enqueued == []  # not before the commit
    finally:
        task_enqueued.disconnect(record)
    assert enqueued == [(send_workshop_cancellation.name, [p.pk, "Snow."]) for p in people]
    assert len(mail.outbox) == 2


def test_the_cancellation_task_skips_who_cancelled_meanwhile(setup):
    partner, _pm, course, kind = setup
    workshop = WorkshopFactory(partner=partner, course=course, kind=kind, state="cancelled")
    gone = enroll(workshop, status="cancelled")
    still = enroll(workshop)
    assert send_workshop_cancellation.call(gone.pk, "") is False
    assert send_workshop_cancellation.call(still.pk, "") is True
    assert [m.to for m in mail.outbox] == [[still.teacher.email]]
    assert "Other workshops: " in mail.outbox[0].body
