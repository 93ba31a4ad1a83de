import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from geography.models import ZipCode
from partners.tests.factories import PartnerFactory
from workshops.models import WorkshopState
from workshops.scheduling import (
    haversine_miles,
    partner_workshops,
    public_workshops,
    workshop_counts,
    workshops_near,
)

from .factories import CourseFactory, WorkshopFactory, enroll

TODAY = timezone.localdate()
FUTURE = TODAY + datetime.timedelta(days=20)
PAST = TODAY - datetime.timedelta(days=20)


def in_person(code: str, **kwargs):
    zip_code = ZipCode.objects.get(code=code)
    return WorkshopFactory(
        is_online=False,
        online_url="",
        venue=f"Venue in {zip_code.city}",
        city=zip_code.city,
        zip_code=zip_code,
        time_zone=zip_code.timezone,
        **kwargs,
    )


def test_haversine_seattle_to_new_york():
    # About 2,400 miles as the crow flies.
    assert 2380 < haversine_miles(47.6114, -122.3305, 40.7484, -73.9967) < 2420


def test_workshops_near_a_zip(geography):
    seattle = in_person("98101")  # Seattle
    olympia = in_person("98501")  # Olympia: ~48 miles south-west as the crow flies
    in_person("99501")  # Anchorage
    in_person("96813")  # Honolulu
    WorkshopFactory()  # online: never near anything

    near = workshops_near(ZipCode.objects.get(code="98104"), 25)
    assert [w.pk for w in near] == [seattle.pk]
    assert near[0].distance_miles < 2

    wider = workshops_near(ZipCode.objects.get(code="98104"), 100).order_by("distance_miles")
    assert [w.pk for w in wider] == [seattle.pk, olympia.pk]
    assert 40 < wider[1].distance_miles < 55


def test_workshops_near_honolulu_finds_hilo_only_far_enough(geography):
    hilo = in_person("96720")
    honolulu = ZipCode.objects.get(code="96813")
    assert list(workshops_near(honolulu, 100)) == []
    assert [w.pk for w in workshops_near(honolulu, 250)] == [hilo.pk]


def test_public_workshops_by_default_open_ones_soonest_first(db):
    later = WorkshopFactory(starts_on=FUTURE + datetime.timedelta(days=5))
    sooner = WorkshopFactory(starts_on=FUTURE)
    WorkshopFactory(starts_on=PAST)  # ended by the clock, though stored as published
    WorkshopFactory(state=WorkshopState.DRAFT)
    WorkshopFactory(state=WorkshopState.CANCELLED)
    assert list(public_workshops()) == [sooner, later]


def test_public_workshops_by_state_follow_the_clock(db):
    ended = WorkshopFactory(starts_on=PAST)
    running = WorkshopFactory(
        starts_on=TODAY - datetime.timedelta(days=1), sessions=5, time_zone="Pacific/Honolulu"
    )
    upcoming = WorkshopFactory(starts_on=FUTURE)
    assert list(public_workshops({"state": "ended"})) == [ended]
    assert list(public_workshops({"state": "in_progress"})) == [running]
    assert list(public_workshops({"state": "published"})) == [upcoming]
    assert set(public_workshops({"state": "all"})) == {ended, running, upcoming}


def test_the_state_changes_at_the_start_in_the_workshops_own_zone(db):
    day = datetime.date(2031, 3, 3)
    workshop = WorkshopFactory(starts_on=day, time_zone="Pacific/Honolulu")
    hst = ZoneInfo("Pacific/Honolulu")
    just_before = datetime.datetime(2031, 3, 3, 8, 59, tzinfo=hst)
    at_start = datetime.datetime(2031, 3, 3, 9, 0, tzinfo=hst)
    assert list(public_workshops(now=just_before)) == [workshop]
    assert list(public_workshops(now=at_start)) == []
    assert list(public_workshops({"state": "in_progress"}, now=at_start)) == [workshop]


def test_public_workshops_by_course_partner_and_dates(db):
    course = CourseFactory(name="CS Principles")
    first = WorkshopFactory(course=course, starts_on=FUTURE)
    second = WorkshopFactory(starts_on=FUTURE + datetime.timedelta(days=10))
    assert list(public_workshops({"course": course})) == [first]
    assert list(public_workshops({"course": course.slug})) == [first]
    assert list(public_workshops({"partner": second.partner.slug})) == [second]
    day = FUTURE + datetime.timedelta(days=5)
    assert list(public_workshops({"date_from": day})) == [second]
    assert list(public_workshops({"date_to": day})) == [first]


def test_partner_workshops_counts_enrollments_and_waitlist(db):
    workshop = WorkshopFactory(sessions=3)
    enroll(workshop)
    enroll(workshop)
    enroll(workshop, status="waitlisted")
    enroll(workshop, status="cancelled")
    WorkshopFactory()  # another partner's
    (row,) = partner_workshops(workshop.partner)
    assert (row.enrolled_count, row.waitlisted_count) == (2, 1)
    assert list(partner_workshops(workshop.partner, "1999-00")) == []


def test_workshop_counts_held_and_scheduled_in_constant_queries(db, django_assert_num_queries):
    year = "2030-31"
    first, second, idle = PartnerFactory(), PartnerFactory(), PartnerFactory()
    for partner in (first, second):
        WorkshopFactory(partner=partner, starts_on=PAST, program_year=year)
        WorkshopFactory(partner=partner, starts_on=FUTURE, program_year=year)
        WorkshopFactory(partner=partner, starts_on=FUTURE, program_year=year, state="draft")
        WorkshopFactory(partner=partner, starts_on=PAST, program_year=year, state="cancelled")
    WorkshopFactory(partner=first, starts_on=FUTURE, program_year=year)
    WorkshopFactory(partner=first, starts_on=FUTURE, program_year="2029-30")
    with django_assert_num_queries(2):
        counts = workshop_counts([first.pk, second.pk, idle.pk], year)
    assert counts == {
        first.pk: {"held": 1, "scheduled": 2},
        second.pk: {"held": 1, "scheduled": 1},
        idle.pk: {"held": 0, "scheduled": 0},
    }
    assert workshop_counts([], year) == {}
