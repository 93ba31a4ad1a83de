import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from partners.tests.factories import ProgramManagerFactory
from workshops.models import Workshop, WorkshopState

from .factories import CourseFactory, WorkshopFactory, WorkshopKindFactory, enroll

SOON = timezone.localdate() + datetime.timedelta(days=30)
LIST = reverse("api:workshop-list")


def detail(pk):
    return reverse("api:workshop-detail", args=[pk])


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def pm(db, regional_manager):
    pm = ProgramManagerFactory()
    pm.partner.regional_manager = regional_manager
    pm.partner.save()
    return pm


def payload(partner, **extra) -> dict:
    course = CourseFactory(name="CS Explorations")
    kind = WorkshopKindFactory(course=course)
    partner.courses.add(course)
    return {
        "partner": partner.pk,
        "course": course.slug,
        "kind": kind.pk,
        "is_online": True,
        "time_zone": "America/Denver",
        "online_url": "https://meet.example.org/a",
        "capacity": 12,
        "sessions": [{"date": SOON.isoformat(), "start_time": "09:00", "end_time": "12:00"}],
        **extra,
    }


def test_anyone_reads_open_workshops(api, db, django_assert_max_num_queries):
    shown = WorkshopFactory(title="Open one", time_zone="Pacific/Honolulu")
    enroll(shown)
    for _ in range(5):
        WorkshopFactory(sessions=2)
    WorkshopFactory(state=WorkshopState.DRAFT)
    with django_assert_max_num_queries(7):
        response = api.get(LIST)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 6
    row = next(r for r in rows if r["id"] == shown.pk)
    assert row["title"] == "Open one"
    assert row["places_left"] == 19
    assert row["state"] == "published"
    assert row["sessions"][0]["starts_at"].endswith("-10:00")
    assert "online_url" not in row


def test_the_list_filters_by_zip_and_miles(api, geography):
    from geography.models import ZipCode

    hilo = ZipCode.objects.get(code="96720")
    near = WorkshopFactory(
        is_online=False,
        online_url="",
        venue="Hilo High",
        zip_code=hilo,
        time_zone="Pacific/Honolulu",
    )
    WorkshopFactory()
    rows = api.get(LIST, {"zip": "96813", "miles": "250"}).json()["results"]
    assert [r["id"] for r in rows] == [near.pk]
    assert rows[0]["distance_miles"] > 150
    response = api.get(LIST, {"zip": "00001"})
    assert response.status_code == 400
    assert "We do not know the ZIP code 00001" in response.json()["zip"][0]


def test_drafts_read_only_in_scope(api, pm, regional_manager, make_user):
    draft = WorkshopFactory(partner=pm.partner, state=WorkshopState.DRAFT)
    assert api.get(detail(draft.pk)).status_code == 404
    api.force_authenticate(ProgramManagerFactory().user)
    assert api.get(detail(draft.pk)).status_code == 404
    for person in (pm.user, regional_manager):
        api.force_authenticate(person)
        assert api.get(detail(draft.pk)).status_code == 200


def test_a_program_manager_creates_publishes_and_cancels(api, pm):
    api.force_authenticate(pm.user)
    response = api.post(LIST, payload(pm.partner), format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["state"] == "draft"
    assert response.json()["time_zone"] == "America/Denver"
    response = api.patch(detail(pk), {"capacity": 30}, format="json")
    assert response.status_code == 200 and response.json()["capacity"] == 30
    response = api.post(reverse("api:workshop-publish", args=[pk]))
    assert response.json()["state"] == "published"
    response = api.post(reverse("api:workshop-publish", args=[pk]))
    assert response.status_code == 400
    response = api.post(reverse("api:workshop-cancel", args=[pk]), {"reason": "x"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"


def test_refusals_are_400_keyed_by_field(api, pm):
    api.force_authenticate(pm.user)
    data = payload(pm.partner)
    data["sessions"] = []
    response = api.post(LIST, data, format="json")
    assert response.status_code == 400
    assert response.json()["sessions"] == ["Add at least one session."]


def test_write_scope(api, pm, regional_manager, make_user):
    workshop = WorkshopFactory(partner=pm.partner, state=WorkshopState.DRAFT)
    public = WorkshopFactory(partner=pm.partner)
    publish = reverse("api:workshop-publish", args=[workshop.pk])
    # Anonymous: 403 for every write.
    assert api.post(LIST, payload(pm.partner), format="json").status_code == 403
    assert api.post(publish).status_code == 403
    assert api.patch(detail(public.pk), {"capacity": 3}, format="json").status_code == 403
    # Another partner's program manager: 404, even for the public one.
    api.force_authenticate(ProgramManagerFactory().user)
    assert api.post(publish).status_code == 404
    assert api.patch(detail(public.pk), {"capacity": 3}, format="json").status_code == 404
    assert api.post(LIST, payload(pm.partner), format="json").status_code == 404
    # The partner's regional manager: reads, but may not write (403).
    api.force_authenticate(regional_manager)
    assert api.post(publish).status_code == 403
    assert api.patch(detail(public.pk), {"capacity": 3}, format="json").status_code == 403
    Workshop.objects.filter(pk=public.pk, capacity=20).get()
    # PUT and DELETE do not exist.
    api.force_authenticate(pm.user)
    assert api.delete(detail(public.pk)).status_code == 405
    assert api.put(detail(public.pk), {}, format="json").status_code == 405


def test_bad_ids_are_404_not_500(api, pm):
    api.force_authenticate(pm.user)
    assert api.get(detail(999999)).status_code == 404
    assert api.post(reverse("api:workshop-cancel", args=[999999])).status_code == 404


def test_an_online_workshop_has_no_zip_code_and_the_schema_allows_it(api, db):
    workshop = WorkshopFactory(is_online=True)
    assert api.get(detail(workshop.pk)).json()["zip_code"] is None
    schema = api.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    zip_code = schema.json()["components"]["schemas"]["Workshop"]["properties"]["zip_code"]
    assert zip_code["nullable"] is True
