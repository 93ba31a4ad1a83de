"""/api/v1/workshops/<workshop_pk>/sessions/<session_pk>/attendance/: read and set, scoped."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from workshops.models import Attendance, EnrollmentStatus

from .factories_attendance import (
    AttendanceFactory,
    EnrollmentFactory,
    assign_facilitator,
    program_manager_of,
    workshop_with_teachers,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 7, 20)
NOW = datetime.datetime(2026, 7, 20, 10, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.fixture(autouse=True)
def _frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(datetime.UTC))


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def world(regional_manager):
    workshop, enrollments = workshop_with_teachers(teachers=3, sessions=2, starts_on=DAY)
    workshop.partner.regional_manager = regional_manager
    workshop.partner.save()
    facilitator = assign_facilitator(workshop)
    return workshop, enrollments, facilitator, list(workshop.sessions.all())


def endpoint(workshop, session) -> str:
    return reverse(
        "api:workshop-attendance-session",
        kwargs={"workshop_pk": workshop.pk, "session_pk": session.pk},
    )


def test_get_the_checklist(api, world):
    workshop, (a, b, c), facilitator, (first, _) = world
    AttendanceFactory(enrollment=b, session=first)
    api.force_authenticate(facilitator)
    response = api.get(endpoint(workshop, first))
    assert response.status_code == 200
    data = response.json()
    assert (data["workshop"], data["session"], data["date"], data["time_zone"]) == (
        workshop.pk,
        first.pk,
        "2026-07-20",
        "America/Los_Angeles",
    )
    assert data["is_open"] is True
    rows = {row["enrollment"]: row for row in data["teachers"]}
    assert set(rows) == {a.pk, b.pk, c.pk}
    assert rows[b.pk]["attended"] is True and rows[b.pk]["method"] == "checklist"
    assert rows[a.pk]["attended"] is False
    assert "@" not in rows[a.pk]["teacher"] or not a.teacher.get_full_name()


def test_put_sets_the_attendance(api, world):
    workshop, (a, b, c), facilitator, (first, _) = world
    AttendanceFactory(enrollment=b, session=first)
    api.force_authenticate(facilitator)
    response = api.put(endpoint(workshop, first), {"enrollment_ids": [a.pk, c.pk]}, format="json")
    assert response.status_code == 200
    assert {r["enrollment"] for r in response.json()["teachers"] if r["attended"]} == {a.pk, c.pk}
    assert set(first.attendances.values_list("enrollment_id", flat=True)) == {a.pk, c.pk}


def test_put_refusals_are_400_keyed_by_field(api, world):
    workshop, (a, _, _), facilitator, (first, second) = world
    waitlisted = EnrollmentFactory(workshop=workshop, status=EnrollmentStatus.WAITLISTED)
    api.force_authenticate(facilitator)
    for body in ({"enrollment_ids": [a.pk, waitlisted.pk]}, {"enrollment_ids": ["x"]}, {}):
        response = api.put(endpoint(workshop, first), body, format="json")
        assert response.status_code == 400
        assert "enrollment_ids" in response.json()
    # The second session (tomorrow) is not open yet.
    response = api.put(endpoint(workshop, second), {"enrollment_ids": [a.pk]}, format="json")
    assert response.status_code == 400
    assert "can be taken from" in response.json()["enrollment_ids"][0]
    assert not Attendance.objects.exists()


def test_program_managers_and_admins_put(api, world, program_admin):
    workshop, (a, _, _), _, (first, _) = world
    for user in (program_manager_of(workshop.partner), program_admin):
        api.force_authenticate(user)
        response = api.put(endpoint(workshop, first), {"enrollment_ids": [a.pk]}, format="json")
        assert response.status_code == 200


def test_the_partners_regional_manager_reads_only(api, world, regional_manager):
    workshop, (a, _, _), _, (first, _) = world
    api.force_authenticate(regional_manager)
    assert api.get(endpoint(workshop, first)).status_code == 200
    response = api.put(endpoint(workshop, first), {"enrollment_ids": [a.pk]}, format="json")
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_out_of_scope_is_404(api, world, make_user):
    workshop, (a, _, _), _, (first, _) = world
    elsewhere, _ = workshop_with_teachers(teachers=0, sessions=1)
    outsiders = [
        ProgramManagerFactory(partner=PartnerFactory()).user,
        make_user(role="regional_manager"),
        make_user(role="facilitator"),
        assign_facilitator(elsewhere),
        a.teacher,
    ]
    for user in outsiders:
        api.force_authenticate(user)
        assert api.get(endpoint(workshop, first)).status_code == 404
        response = api.put(endpoint(workshop, first), {"enrollment_ids": [a.pk]}, format="json")
        assert response.status_code == 404
    # A session of another workshop under this one's address: 404 even for its facilitator.
    api.force_authenticate(world[2])
    assert api.get(endpoint(workshop, elsewhere.sessions.get())).status_code == 404
    assert not Attendance.objects.exists()


def test_anonymous_is_403(api, world):
    workshop, (a, _, _), _, (first, _) = world
    assert api.get(endpoint(workshop, first)).status_code == 403
    response = api.put(endpoint(workshop, first), {"enrollment_ids": [a.pk]}, format="json")
    assert response.status_code == 403


def test_get_queries_do_not_grow_with_teachers(api, django_assert_max_num_queries):
    workshop, enrollments = workshop_with_teachers(teachers=30, sessions=1, starts_on=DAY)
    facilitator = assign_facilitator(workshop)
    for enrollment in enrollments[::2]:
        AttendanceFactory(enrollment=enrollment, session=workshop.sessions.get())
    api.force_authenticate(facilitator)
    with django_assert_max_num_queries(6):
        response = api.get(endpoint(workshop, workshop.sessions.get()))
    assert sum(row["attended"] for row in response.json()["teachers"]) == 15


def test_the_schema_documents_the_endpoint_without_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    # This module's routes only: the schema test in api/ covers the whole API.
    generator = SchemaGenerator(
        patterns=[path("api/v1/workshops/", include("workshops.api_urls_attendance"))]
    )
    schema = generator.get_schema(request=None, public=True)
    path_ = "/api/v1/workshops/{workshop_pk}/sessions/{session_pk}/attendance/"
    assert set(schema["paths"][path_]) == {"get", "put"}
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache
