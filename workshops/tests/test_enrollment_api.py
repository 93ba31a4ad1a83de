"""The enrollments API: scope (404 outside it), teachers enroll and see their own, staff see
all, cancelling, refusals as 400/403 with messages, and the query count of the list."""

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from districts.tests.factories import SchoolFactory
from partners.tests.factories import PartnerFactory

from ..models import Enrollment, EnrollmentStatus, WorkshopState
from .factories_enrollment import EnrollmentFactory, manager_of, seattle_zip, teacher, workshop_in

pytestmark = pytest.mark.django_db

ENROLLED, WAITLISTED, CANCELLED = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.CANCELLED,
)


def list_url(workshop_pk):
    return reverse("api:workshop-enrollment-list", kwargs={"workshop_pk": workshop_pk})


def detail_url(enrollment, name="detail"):
    return reverse(
        f"api:workshop-enrollment-{name}",
        kwargs={"workshop_pk": enrollment.workshop_id, "pk": enrollment.pk},
    )


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


@pytest.fixture
def world(regional_manager):
    partner = PartnerFactory(regional_manager=regional_manager)
    workshop = workshop_in(30, partner=partner, capacity=2)
    rows = [EnrollmentFactory(workshop=workshop) for _ in range(2)]
    rows.append(EnrollmentFactory(workshop=workshop, status=WAITLISTED))
    return workshop, rows


def ids(response):
    return sorted(row["id"] for row in response.json()["results"])


def test_anonymous_gets_403(api, world):
    workshop, rows = world
    assert api.get(list_url(workshop.pk)).status_code == 403
    assert api.post(list_url(workshop.pk), {}).status_code == 403
    assert api.post(detail_url(rows[0], "cancel")).status_code == 403


def test_staff_see_every_enrollment(api, world, program_admin, regional_manager):
    workshop, rows = world
    for user in (manager_of(workshop.partner), program_admin, regional_manager):
        response = as_user(api, user).get(list_url(workshop.pk))
        assert response.status_code == 200
        assert ids(response) == sorted(r.pk for r in rows)
    data = {r["id"]: r for r in response.json()["results"]}
    assert data[rows[2].pk]["waitlist_position"] == 1
    assert data[rows[0].pk]["waitlist_position"] is None
    assert data[rows[0].pk]["teacher"]["email"] == rows[0].teacher.email
    assert data[rows[0].pk]["school_nces_id"] == rows[0].school.nces_id


def test_filter_by_status(api, world, program_admin):
    workshop, rows = world
    response = as_user(api, program_admin).get(list_url(workshop.pk), {"status": "waitlisted"})
    assert ids(response) == [rows[2].pk]


def test_teachers_see_only_their_own(api, world):
    workshop, rows = world
    response = as_user(api, rows[0].teacher).get(list_url(workshop.pk))
    assert ids(response) == [rows[0].pk]
    assert api.get(detail_url(rows[1])).status_code == 404
    assert api.get(detail_url(rows[0])).status_code == 200
    stranger = teacher()
    assert ids(as_user(api, stranger).get(list_url(workshop.pk))) == []


def test_out_of_scope_is_404(api, world, make_user):
    workshop, rows = world
    other_pm = manager_of(PartnerFactory())
    # Another partner's manager sees the public workshop but none of its enrollments' data
    # beyond what a teacher would: their own (none); a draft of another partner is 404.
    assert ids(as_user(api, other_pm).get(list_url(workshop.pk))) == []
    assert api.get(detail_url(rows[0])).status_code == 404
    assert api.post(detail_url(rows[0], "cancel")).status_code == 404
    other_rm = make_user(role="regional_manager")
    assert ids(as_user(api, other_rm).get(list_url(workshop.pk))) == []
    draft = workshop_in(30, state=WorkshopState.DRAFT)
    assert as_user(api, teacher()).get(list_url(draft.pk)).status_code == 404
    assert api.post(list_url(draft.pk), {"school": SchoolFactory().pk}).status_code == 404
    assert api.get(list_url(999999)).status_code == 404
    assert as_user(api, other_pm).get(list_url(draft.pk)).status_code == 404


def test_teacher_enrolls(api, django_capture_on_commit_callbacks):
    workshop = workshop_in(30, capacity=1)
    person = teacher()
    school = SchoolFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api, person).post(
            list_url(workshop.pk), {"school": school.pk}, format="json"
        )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == ENROLLED and body["school"] == school.pk
    assert len(mail.outbox) == 1
    other = as_user(api, teacher()).post(
        list_url(workshop.pk),
        {"school_name": "Harbor Charter", "school_zip": seattle_zip().code},
        format="json",
    )
    assert other.status_code == 201
    assert other.json()["status"] == WAITLISTED and other.json()["waitlist_position"] == 1
    assert other.json()["school_zip"] == "98101"


def test_enroll_refusals_are_400_or_403_with_messages(api, world, program_admin):
    workshop, rows = world
    response = as_user(api, rows[0].teacher).post(
        list_url(workshop.pk), {"school": SchoolFactory().pk}, format="json"
    )
    assert response.status_code == 400
    assert "already enrolled" in response.json()["non_field_errors"][0]
    response = as_user(api, teacher()).post(list_url(workshop.pk), {}, format="json")
    assert response.status_code == 400 and "school" in response.json()
    response = api.post(list_url(workshop.pk), {"school": 999999}, format="json")
    assert response.status_code == 400 and "school" in response.json()
    response = api.post(
        list_url(workshop.pk), {"school_name": "X", "school_zip": "abc"}, format="json"
    )
    assert response.status_code == 400 and "school_zip" in response.json()
    response = as_user(api, program_admin).post(
        list_url(workshop.pk), {"school": SchoolFactory().pk}, format="json"
    )
    assert response.status_code == 403
    assert "Only teachers" in response.json()["detail"]
    assert Enrollment.objects.count() == 3


def test_cancel(api, world, regional_manager, django_capture_on_commit_callbacks):
    workshop, rows = world
    assert as_user(api, regional_manager).post(detail_url(rows[0], "cancel")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api, rows[0].teacher).post(detail_url(rows[0], "cancel"))
    assert response.status_code == 200 and response.json()["status"] == CANCELLED
    rows[2].refresh_from_db()
    assert rows[2].status == ENROLLED
    assert [m.to for m in mail.outbox] == [[rows[2].teacher.email]]
    again = api.post(detail_url(rows[0], "cancel"))
    assert again.status_code == 400 and "already cancelled" in str(again.json())
    manager = manager_of(workshop.partner)
    response = as_user(api, manager).post(detail_url(rows[1], "cancel"))
    assert response.status_code == 200


def test_list_query_count(api, program_admin, django_assert_max_num_queries):
    workshop = workshop_in(30, capacity=10)
    for _ in range(10):
        EnrollmentFactory(workshop=workshop)
    for _ in range(10):
        EnrollmentFactory(workshop=workshop, status=WAITLISTED)
    as_user(api, program_admin)
    with django_assert_max_num_queries(8):
        response = api.get(list_url(workshop.pk))
    assert response.json()["count"] == 20


def test_schema_lists_the_endpoints(api):
    schema = api.get(reverse("api:schema")).content.decode()
    assert "/api/v1/workshops/{workshop_pk}/enrollments/" in schema
    assert "/api/v1/workshops/{workshop_pk}/enrollments/{id}/cancel/" in schema
