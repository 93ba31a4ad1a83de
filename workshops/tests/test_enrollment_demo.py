"""The enrollment demo: deterministic, within capacity, waitlists only behind full workshops,
and the demo teacher login in one upcoming and one ended workshop."""

import datetime
import random

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from districts.tests.factories import DistrictFactory, SchoolFactory
from partners.tests.factories import PartnerFactory

from ..demo_enrollment import demo_enrollments
from ..models import Enrollment, EnrollmentStatus, WorkshopState
from .factories_enrollment import workshop_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    partner = PartnerFactory(is_demo=True)
    district = DistrictFactory(is_demo=True)
    for _ in range(6):
        SchoolFactory(district=district)
    workshops = [
        workshop_in(10 + 5 * n, partner=partner, capacity=4, is_demo=True) for n in range(8)
    ]
    workshops.append(
        workshop_in(-40, partner=partner, capacity=6, state=WorkshopState.ENDED, is_demo=True)
    )
    workshop_in(20, partner=partner, is_demo=True, state=WorkshopState.DRAFT)
    workshop_in(20, partner=partner)  # not a demo workshop: left alone
    UserFactory(email="teacher@demo.test", role="teacher", is_demo=True)
    for _ in range(25):
        UserFactory(role="teacher", is_demo=True)
    UserFactory(role="program_manager", is_demo=True)
    return partner, workshops


def snapshot():
    return sorted(
        Enrollment.objects.values_list(
            "workshop_id", "teacher_id", "status", "school_id", "certificate_code"
        )
    )


def test_demo_enrollments(demo, django_assert_max_num_queries):
    partner, workshops = demo
    today = timezone.localdate()
    with django_assert_max_num_queries(10):
        created = demo_enrollments(rng=random.Random(3), partners=[partner], today=today)
    teachers = User.objects.filter(role="teacher")
    made = teachers.count() - 26  # the pool lacked some: made, at the demo's schools
    assert created == Enrollment.objects.count() + made > 0
    assert not teachers.filter(school__isnull=True, school_zip__isnull=True).exists()
    assert not Enrollment.objects.exclude(workshop__in=workshops).exists()
    assert not Enrollment.objects.exclude(teacher__role="teacher").exists()
    counted = {
        w.pk: w
        for w in partner.workshops.annotate(
            enrolled=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ENROLLED)),
            waiting=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITLISTED)),
        )
    }
    for workshop in workshops:
        row = counted[workshop.pk]
        assert row.enrolled <= workshop.capacity
        if row.waiting:
            assert row.enrolled == workshop.capacity  # a waitlist only behind a full workshop
    assert any(counted[w.pk].waiting for w in workshops)
    ended = workshops[-1]
    assert counted[ended.pk].waiting == 0 and counted[ended.pk].enrolled > 0
    mine = Enrollment.objects.filter(teacher__email="teacher@demo.test", status="enrolled")
    assert {e.workshop.state for e in mine} == {WorkshopState.PUBLISHED, WorkshopState.ENDED}
    assert mine.count() == 2
    # The ordering fields the pages and the reminders rely on.
    assert not Enrollment.objects.filter(status="enrolled", enrolled_at__isnull=True).exists()
    assert not Enrollment.objects.filter(status="waitlisted", waitlisted_at__isnull=True).exists()
    assert not Enrollment.objects.filter(enrolled_at__gt=timezone.now()).exists()


def test_demo_enrollments_are_deterministic_and_run_once(demo):
    partner, _ = demo
    today = timezone.localdate()
    before = list(User.objects.values_list("pk", flat=True))
    demo_enrollments(rng=random.Random(3), partners=[partner], today=today)
    first = snapshot()
    assert demo_enrollments(rng=random.Random(3), partners=[partner], today=today) == 0
    # Back to the state before: no enrollments, none of the teachers it made or placed.
    Enrollment.objects.all().delete()
    User.objects.filter(pk__gt=max(before)).delete()
    User.objects.filter(pk__in=before).update(school=None, school_zip=None)
    demo_enrollments(rng=random.Random(3), partners=[partner], today=today)
    assert snapshot() == first


def test_reserved_demo_workshops_take_their_districts_schools(demo):
    partner, _ = demo
    district = DistrictFactory(is_demo=True)
    inside = {SchoolFactory(district=district).pk for _ in range(3)}
    reserved = workshop_in(12, partner=partner, reserved_for=district, is_demo=True)
    demo_enrollments(rng=random.Random(5), partners=[partner], today=timezone.localdate())
    schools = set(reserved.enrollments.values_list("school_id", flat=True))
    assert schools and schools <= inside


def test_nothing_to_do_without_demo_workshops(db):
    assert demo_enrollments(rng=random.Random(1), partners=[], today=datetime.date(2026, 9, 1)) == 0
