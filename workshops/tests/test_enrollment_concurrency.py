"""Capacity is exact under concurrency (the issue's required test).

Real threads, each with its own database connection, call the service at the same moment;
only PostgreSQL locks rows (SQLite serialises whole-database writes and has no
`select_for_update`), so the test runs there.
"""

import threading

import pytest
from django.db import connection, connections

from ..enrollment import enrollment_create
from ..models import Enrollment, EnrollmentStatus
from .factories_enrollment import EnrollmentFactory, teacher, workshop_in

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Row locks (select_for_update) need PostgreSQL; SQLite cannot race this way.",
    ),
    pytest.mark.django_db(transaction=True),
]


def race(calls):
    """Run each call in its own thread, all released at once; (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=10)
            outcome = call()
            with lock:
                results.append(outcome)
        except Exception as error:  # noqa: BLE001 - every failure is reported by the test
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_twelve_teachers_at_the_last_place():
    workshop = workshop_in(30, capacity=5)
    for _ in range(4):
        EnrollmentFactory(workshop=workshop)
    school = EnrollmentFactory(workshop=workshop_in(30)).school
    people = [teacher() for _ in range(12)]

    results, errors = race(
        [
            (
                lambda person=person: enrollment_create(
                    workshop=workshop, teacher=person, school=school
                )
            )
            for person in people
        ]
    )

    assert errors == []
    assert len(results) == 12
    statuses = sorted(r.status for r in results)
    assert statuses.count(EnrollmentStatus.ENROLLED) == 1
    assert statuses.count(EnrollmentStatus.WAITLISTED) == 11
    assert workshop.enrollments.filter(status=EnrollmentStatus.ENROLLED).count() == 5
    # The waitlist is in the order the lock served them: by time, which is also insertion.
    waiting = list(workshop.enrollments.waitlisted())
    assert len(waiting) == 11
    times = [e.waitlisted_at for e in waiting]
    assert times == sorted(times) and len(set(times)) == 11
    assert [e.pk for e in waiting] == sorted(e.pk for e in waiting)


def test_the_same_teacher_twice_at_once_ends_with_one_row():
    workshop = workshop_in(30, capacity=5)
    school = EnrollmentFactory(workshop=workshop_in(30)).school
    person = teacher()

    results, errors = race(
        [lambda: enrollment_create(workshop=workshop, teacher=person, school=school)] * 2
    )

    assert len(results) == 1
    assert len(errors) == 1
    assert "already enrolled" in str(errors[0])
    assert errors[0].code == "already_enrolled"
    assert Enrollment.objects.filter(workshop=workshop, teacher=person).count() == 1
