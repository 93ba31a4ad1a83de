"""/api/v1/partners/<id>/events/ and /registrations/: scope, registering, cancelling."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from partners.tests.factories import PartnerFactory

from ..models import EventRegistration, RegistrationStatus
from .factories import EventFactory, MeetupFactory, RegistrationFactory, in_days, manager_of

pytestmark = pytest.mark.django_db


def events_url(partner) -> str:
    return f"/api/v1/partners/{partner.pk}/events/"


def registrations_url(partner, pk=None) -> str:
    base = f"/api/v1/partners/{partner.pk}/registrations/"
    return f"{base}{pk}/" if pk else base


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    partner_a, partner_b = PartnerFactory(), PartnerFactory()
    rm = UserFactory(role="regional_manager")
    partner_a.regional_manager = rm
    partner_a.save()
    pm_a, pm_b = manager_of(partner_a), manager_of(partner_b)
    summit = EventFactory()
    registration = RegistrationFactory(event=summit, user=pm_a, partner=partner_a)
    hosted = MeetupFactory(host_partner=partner_a)
    return {
        "a": partner_a,
        "b": partner_b,
        "rm": rm,
        "pm_a": pm_a,
        "pm_b": pm_b,
        "summit": summit,
        "hosted": hosted,
        "registration": registration,
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_events_are_those_hosted_or_attended(world):
    EventFactory()  # nobody of partner A registered
    MeetupFactory()  # another partner's
    api = as_user(world["pm_a"])
    assert ids(api.get(events_url(world["a"]))) == {world["summit"].pk, world["hosted"].pk}
    detail = api.get(f"{events_url(world['a'])}{world['summit'].pk}/")
    assert detail.status_code == 200
    assert "online_url" not in detail.json()


def test_other_partners_manager_gets_404_everywhere(world):
    api = as_user(world["pm_b"])
    a = world["a"]
    assert api.get(events_url(a)).status_code == 404
    assert api.get(registrations_url(a)).status_code == 404
    assert api.get(registrations_url(a, world["registration"].pk)).status_code == 404
    assert api.post(registrations_url(a), {"event": world["summit"].pk}).status_code == 404
    assert api.delete(registrations_url(a, world["registration"].pk)).status_code == 404


def test_regional_manager_of_another_partner_gets_404(world):
    api = as_user(UserFactory(role="regional_manager"))
    assert api.get(events_url(world["a"])).status_code == 404
    assert api.get(registrations_url(world["a"])).status_code == 404


def test_anonymous_gets_403(world):
    api = APIClient()
    assert api.get(events_url(world["a"])).status_code == 403
    assert api.get(registrations_url(world["a"])).status_code == 403


def test_regional_manager_reads_but_cannot_write(world):
    api = as_user(world["rm"])
    assert ids(api.get(registrations_url(world["a"]))) == {world["registration"].pk}
    other = EventFactory()
    response = api.post(registrations_url(world["a"]), {"event": other.pk})
    assert response.status_code == 403
    response = api.delete(registrations_url(world["a"], world["registration"].pk))
    assert response.status_code == 403
    world["registration"].refresh_from_db()
    assert world["registration"].status == RegistrationStatus.REGISTERED


def test_program_manager_registers_themselves_and_a_colleague(world):
    api = as_user(world["pm_a"])
    other = EventFactory()
    response = api.post(registrations_url(world["a"]), {"event": other.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"]["id"] == world["pm_a"].pk and body["partner"] == world["a"].pk
    colleague = manager_of(world["a"])
    response = api.post(
        registrations_url(world["a"]), {"event": other.pk, "user": colleague.pk}, format="json"
    )
    assert response.status_code == 201
    assert EventRegistration.objects.filter(event=other).count() == 2


def test_registering_someone_not_a_manager_of_the_partner_is_400(world):
    api = as_user(world["pm_a"])
    other = EventFactory()
    for user in (world["pm_b"], UserFactory(role="teacher")):
        response = api.post(
            registrations_url(world["a"]), {"event": other.pk, "user": user.pk}, format="json"
        )
        assert response.status_code == 400
        assert "user" in response.json()
    assert not EventRegistration.objects.filter(event=other).exists()


def test_service_refusals_are_400_with_messages(world):
    api = as_user(world["pm_a"])
    response = api.post(registrations_url(world["a"]), {"event": world["summit"].pk})
    assert response.status_code == 400
    assert "already registered" in str(response.json())
    closed = EventFactory(starts_on=in_days(5), registration_closes_on=in_days(-1))
    response = api.post(registrations_url(world["a"]), {"event": closed.pk})
    assert response.status_code == 400
    assert "closed" in str(response.json())
    response = api.post(registrations_url(world["a"]), {"event": 999999})
    assert response.status_code == 400 and "event" in response.json()
    response = api.post(registrations_url(world["a"]), {"event": "x"})
    assert response.status_code == 400


def test_delete_cancels_and_a_second_delete_is_400(world):
    api = as_user(world["pm_a"])
    url = registrations_url(world["a"], world["registration"].pk)
    assert api.delete(url).status_code == 204
    world["registration"].refresh_from_db()
    assert world["registration"].status == RegistrationStatus.CANCELLED
    response = api.delete(url)
    assert response.status_code == 400
    assert "already cancelled" in str(response.json())


def test_admin_may_write_for_any_partner(world, program_admin):
    api = as_user(program_admin)
    other = EventFactory()
    response = api.post(
        registrations_url(world["b"]), {"event": other.pk, "user": world["pm_b"].pk}
    )
    assert response.status_code == 201
    # Without `user`, the admin would register themselves: not a program manager here.
    response = api.post(registrations_url(world["b"]), {"event": EventFactory().pk})
    assert response.status_code == 400


def test_list_query_count(world, django_assert_max_num_queries):
    for _ in range(10):
        RegistrationFactory(partner=world["a"])
    api = as_user(world["pm_a"])
    with django_assert_max_num_queries(8):
        response = api.get(registrations_url(world["a"]))
    assert len(response.json()["results"]) == 11
