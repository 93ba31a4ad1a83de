"""Demo attendance and teaching reports for ended demo workshops."""

import datetime
import random

import pytest

from workshops.demo_attendance import demo_attendance
from workshops.models import Attendance, TeachingReport, WorkshopState

from .factories_attendance import assign_facilitator, workshop_with_teachers

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def demo():
    ended, enrolled = workshop_with_teachers(
        teachers=40,
        sessions=3,
        starts_on=datetime.date(2026, 8, 3),
        state=WorkshopState.ENDED,
        is_demo=True,
    )
    assign_facilitator(ended)
    partner = ended.partner
    workshop_with_teachers(
        teachers=5, starts_on=TODAY + datetime.timedelta(days=20), partner=partner, is_demo=True
    )
    workshop_with_teachers(
        teachers=5,
        starts_on=datetime.date(2026, 9, 1),
        partner=partner,
        is_demo=True,
        state=WorkshopState.CANCELLED,
    )
    workshop_with_teachers(teachers=5, starts_on=datetime.date(2026, 9, 1), partner=partner)
    return partner, ended, enrolled


def test_demo_attendance(demo, django_assert_max_num_queries):
    partner, ended, enrolled = demo
    with django_assert_max_num_queries(12):
        created = demo_attendance(rng=random.Random(5), partners=[partner], today=TODAY)
    assert created == Attendance.objects.count() + TeachingReport.objects.count()
    assert set(Attendance.objects.values_list("session__workshop", flat=True)) == {ended.pk}
    per_teacher = [e.attendances.count() for e in enrolled]
    full = per_teacher.count(3)
    none = per_teacher.count(0)
    assert full > len(enrolled) / 2  # most attend every session
    assert len(enrolled) - full - none > 0  # some only part
    attendees = len(enrolled) - none
    reports = TeachingReport.objects.all()
    assert attendees * 0.25 < reports.count() < attendees * 0.75
    for report in reports:
        assert report.workshop == ended and report.course == ended.course
        assert report.program_year == "2026-27"
        assert report.female_students <= report.students
        assert report.urm_students <= report.students
        report.full_clean()


def test_demo_attendance_is_deterministic_and_idempotent(demo):
    partner, _, _ = demo
    demo_attendance(rng=random.Random(5), partners=[partner], today=TODAY)
    first = sorted(Attendance.objects.values_list("session_id", "enrollment_id", "method"))
    Attendance.objects.all().delete()
    TeachingReport.objects.all().delete()
    demo_attendance(rng=random.Random(5), partners=[partner], today=TODAY)
    assert sorted(Attendance.objects.values_list("session_id", "enrollment_id", "method")) == first
    # A second run on top adds nothing twice.
    before = Attendance.objects.count(), TeachingReport.objects.count()
    demo_attendance(rng=random.Random(5), partners=[partner], today=TODAY)
    assert (Attendance.objects.count(), TeachingReport.objects.count()) == before


def test_nothing_for_other_partners(demo):
    assert demo_attendance(rng=random.Random(5), partners=[], today=TODAY) == 0
