"""API tokens: made on /accounts/tokens/, shown once, acting exactly as their owner."""

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from accounts.services import api_token_create
from districts.tests.factories import DistrictPartnershipFactory
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

pytestmark = pytest.mark.django_db

TOKENS = "/accounts/tokens/"


def token_of(response) -> str:
    match = re.search(r'id="new-token"[^>]*value="([^"]+)"', response.content.decode())
    assert match, "the new token is on the page"
    return match[1]


def api_client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


@pytest.fixture
def two_partners(make_user):
    rm = make_user(role="regional_manager")
    mine = PartnerFactory(name="Mine", regional_manager=rm)
    theirs = PartnerFactory(name="Theirs")
    pm = ProgramManagerFactory(partner=mine).user
    return {
        "pm": pm,
        "rm": rm,
        "mine": mine,
        "theirs": theirs,
        "my_partnership": DistrictPartnershipFactory(partner=mine),
        "their_partnership": DistrictPartnershipFactory(partner=theirs),
    }


def partnerships(partner) -> str:
    return f"/api/v1/partners/{partner.pk}/partnerships/"


def test_a_token_is_shown_once_and_only_its_hash_is_kept(client, program_manager):
    client.force_login(program_manager)
    assert client.get(TOKENS).status_code == 200

    response = client.post(TOKENS)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = token_of(response)
    row = AuthToken.objects.get(user=program_manager)
    assert token.startswith(row.token_key)
    assert token not in (row.digest, row.token_key)

    again = client.get(TOKENS).content.decode()
    assert token not in again
    assert f"{row.token_key}…" in again


def test_a_token_acts_as_its_user_within_their_scope(two_partners):
    _row, token = api_token_create(user=two_partners["pm"])
    api = api_client(token)

    response = api.get(partnerships(two_partners["mine"]))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [two_partners["my_partnership"].pk]
    # Another partner's records: 404, as for the program manager's own session.
    assert api.get(partnerships(two_partners["theirs"])).status_code == 404
    their = two_partners["their_partnership"]
    assert api.get(f"{partnerships(two_partners['theirs'])}{their.pk}/").status_code == 404
    response = api.patch(
        f"{partnerships(two_partners['theirs'])}{their.pk}/",
        {"contact_name": "Changed"},
        content_type="application/json",
    )
    assert response.status_code == 404
    their.refresh_from_db()
    assert their.contact_name != "Changed"


def test_a_token_writes_without_a_csrf_token_only_where_its_user_may(two_partners):
    mine = two_partners["my_partnership"]
    url = f"{partnerships(two_partners['mine'])}{mine.pk}/"
    _row, pm_token = api_token_create(user=two_partners["pm"])
    _row, rm_token = api_token_create(user=two_partners["rm"])

    strict = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {pm_token}")
    response = strict.patch(url, {"contact_name": "Dana"}, content_type="application/json")
    assert response.status_code == 200, response.content
    # The partner's regional manager reads it, and may not change it: with a token too.
    assert api_client(rm_token).get(url).status_code == 200
    response = api_client(rm_token).patch(
        url, {"contact_name": "Eve"}, content_type="application/json"
    )
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.contact_name == "Dana"


def test_an_inactive_users_token_fails_everywhere(two_partners):
    pm = two_partners["pm"]
    _row, token = api_token_create(user=pm)
    pm.is_active = False
    pm.save()
    api = api_client(token)
    assert api.get(partnerships(two_partners["mine"])).status_code in (401, 403)
    assert api.get("/api/v1/regions/").status_code in (401, 403)  # even the public ones


def test_revoked_expired_and_made_up_tokens_fail(two_partners, client):
    pm = two_partners["pm"]
    url = partnerships(two_partners["mine"])
    row, token = api_token_create(user=pm)
    assert api_client(token).get(url).status_code == 200

    client.force_login(pm)
    response = client.post(reverse("accounts:token_revoke", args=[row.token_key]))
    assert response.status_code == 302
    assert api_client(token).get(url).status_code in (401, 403)
    assert not AuthToken.objects.filter(user=pm).exists()

    row, token = api_token_create(user=pm)
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - datetime.timedelta(1))
    assert api_client(token).get(url).status_code in (401, 403)
    assert api_client(token[:-4] + "abcd").get(url).status_code in (401, 403)


def test_nobody_revokes_someone_elses_token(two_partners, client):
    row, token = api_token_create(user=two_partners["pm"])
    client.force_login(two_partners["rm"])
    response = client.post(reverse("accounts:token_revoke", args=[row.token_key]))
    assert response.status_code == 404
    assert api_client(token).get(partnerships(two_partners["mine"])).status_code == 200


def test_a_token_opens_no_page_only_the_api(two_partners):
    _row, token = api_token_create(user=two_partners["pm"])
    response = api_client(token).get(reverse("workspace:home", args=[two_partners["mine"].slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_tokens_per_person_are_limited(client, teacher, settings):
    settings.API_TOKENS_PER_USER = 2
    client.force_login(teacher)
    assert client.post(TOKENS).status_code == 200
    assert client.post(TOKENS).status_code == 200
    response = client.post(TOKENS)
    assert response.status_code == 400
    assert "Revoke one first" in response.content.decode()
    assert AuthToken.objects.filter(user=teacher).count() == 2


def test_making_and_revoking_a_token_is_in_the_audit_trail(program_manager, client):
    client.force_login(program_manager)
    client.post(TOKENS)
    row = AuthToken.objects.get(user=program_manager)
    client.post(reverse("accounts:token_revoke", args=[row.token_key]))
    entries = LogEntry.objects.get_for_model(AuthToken).order_by("timestamp")
    assert [(entry.action, entry.actor) for entry in entries] == [
        (LogEntry.Action.CREATE, program_manager),
        (LogEntry.Action.DELETE, program_manager),
    ]
    assert all(row.digest not in str(entry.changes) for entry in entries)


def test_signing_in_is_needed_to_make_a_token(client):
    response = client.post(TOKENS)
    assert response.status_code == 302
    assert not AuthToken.objects.exists()
