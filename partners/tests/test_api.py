import datetime
from decimal import Decimal

import pytest
from django.core import mail

from applications.models import Invitation
from partners.models import ProgramManager
from partners.tests.factories import CheckInNoteFactory, PartnerFactory, ProgramManagerFactory


@pytest.fixture
def world(db, make_user):
    rm_a = make_user(role="regional_manager")
    rm_b = make_user(role="regional_manager")
    a = PartnerFactory(name="Alpha Computing", regional_manager=rm_a)
    b = PartnerFactory(name="Beta Coding", regional_manager=rm_b)
    manager_a = ProgramManagerFactory(partner=a, fte_share=Decimal("0.40"))
    manager_a2 = ProgramManagerFactory(partner=a, fte_share=Decimal("0.30"))
    manager_b = ProgramManagerFactory(partner=b, fte_share=Decimal("0.50"))
    return {
        "a": a,
        "b": b,
        "rm_a": rm_a,
        "rm_b": rm_b,
        "pm_a": manager_a.user,
        "pm_b": manager_b.user,
        "manager_a": manager_a,
        "manager_a2": manager_a2,
        "admin": make_user(role="program_admin"),
    }


def managers_url(partner):
    return f"/api/v1/partners/{partner.pk}/program-managers/"


def commitments_url(partner):
    return f"/api/v1/partners/{partner.pk}/commitments/"


def check_ins_url(partner):
    return f"/api/v1/partners/{partner.pk}/check-ins/"


def as_user(client, user):
    client.force_login(user)
    return client


# --- Scope ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", [managers_url, commitments_url, check_ins_url])
def test_anonymous_is_refused(client, world, url):
    assert client.get(url(world["a"])).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("url", [managers_url, commitments_url])
@pytest.mark.parametrize(
    ("who", "status"),
    [("pm_a", 200), ("rm_a", 200), ("admin", 200), ("pm_b", 404), ("rm_b", 404)],
)
def test_reads_are_scoped(client, world, url, who, status):
    assert as_user(client, world[who]).get(url(world["a"])).status_code == status


@pytest.mark.django_db
def test_unknown_partner_is_404(client, world):
    assert (
        as_user(client, world["admin"]).get("/api/v1/partners/999999/commitments/").status_code
        == 404
    )


# --- Program managers -------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_gives_shares_total_state_and_invitations(client, world):
    Invitation.objects.create(partner=world["a"], email="kim@example.org", fte_share="0.2")
    data = as_user(client, world["rm_a"]).get(managers_url(world["a"])).json()
    assert data["total_fte"] == "0.70" and data["minimum_fte"] == "0.50"
    assert data["state"] == "met"
    emails = {row["user"]["email"] for row in data["results"]}
    assert emails == {world["pm_a"].email, world["manager_a2"].user.email}
    row = next(r for r in data["results"] if r["user"]["email"] == world["pm_a"].email)
    assert row["fte_share"] == "0.40" and row["user"]["name"] == world["pm_a"].get_full_name()
    assert [i["email"] for i in data["pending_invitations"]] == ["kim@example.org"]


@pytest.mark.django_db
def test_the_schema_documents_the_list_as_the_one_object_it_is(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/partners/{partner_pk}/program-managers/"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ProgramManagerList"}


@pytest.mark.django_db
def test_manager_invites_through_the_service(client, world, committed):
    with committed():
        response = as_user(client, world["pm_a"]).post(
            managers_url(world["a"]),
            {"name": "Kim", "email": "Kim@Example.org", "fte_share": "0.25"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "kim@example.org"
    assert Invitation.objects.get(partner=world["a"]).fte_share == Decimal("0.25")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_inviting_a_current_manager_is_400_on_email(client, world):
    response = as_user(client, world["pm_a"]).post(
        managers_url(world["a"]),
        {"name": "Again", "email": world["manager_a2"].user.email, "fte_share": "0.25"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "email" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [{"name": "K", "email": "k@example.org", "fte_share": "3"},
     {"name": "K", "email": "nope", "fte_share": "0.2"},
     {}],
)  # fmt: skip
def test_bad_invitations_are_400(client, world, body):
    response = as_user(client, world["pm_a"]).post(
        managers_url(world["a"]), body, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_regional_manager_cannot_write(client, world):
    client = as_user(client, world["rm_a"])
    invite = {"name": "K", "email": "k@example.org", "fte_share": "0.2"}
    assert (
        client.post(managers_url(world["a"]), invite, content_type="application/json").status_code
        == 403
    )
    url = f"{managers_url(world['a'])}{world['manager_a2'].pk}/?confirm_below_minimum=true"
    assert client.delete(url).status_code == 403
    assert (
        client.patch(url, {"fte_share": "0.5"}, content_type="application/json").status_code == 403
    )
    assert ProgramManager.objects.filter(partner=world["a"]).count() == 2
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_other_partners_manager_gets_404_for_writes(client, world):
    client = as_user(client, world["pm_b"])
    url = f"{managers_url(world['a'])}{world['manager_a2'].pk}/?confirm_below_minimum=true"
    assert client.delete(url).status_code == 404
    # Partner A's manager through partner B's address is not found either.
    url = f"{managers_url(world['b'])}{world['manager_a2'].pk}/?confirm_below_minimum=true"
    assert client.delete(url).status_code == 404
    assert ProgramManager.objects.filter(partner=world["a"]).count() == 2


@pytest.mark.django_db
def test_delete_below_the_minimum_needs_the_confirmation(client, world):
    client = as_user(client, world["pm_a"])
    url = f"{managers_url(world['a'])}{world['manager_a2'].pk}/"
    response = client.delete(url)
    assert response.status_code == 400 and "confirm_below_minimum" in response.json()
    assert client.delete(url + "?confirm_below_minimum=true").status_code == 204
    assert not ProgramManager.objects.filter(pk=world["manager_a2"].pk).exists()
    data = client.get(managers_url(world["a"])).json()
    assert data["state"] == "missed" and data["total_fte"] == "0.40"
    commitments = client.get(commitments_url(world["a"])).json()["commitments"]
    assert commitments[0]["key"] == "program_managers" and commitments[0]["state"] == "missed"


@pytest.mark.django_db
def test_the_last_manager_cannot_be_deleted(client, world):
    url = f"{managers_url(world['b'])}{ProgramManager.objects.get(partner=world['b']).pk}/"
    response = as_user(client, world["admin"]).delete(url + "?confirm_below_minimum=true")
    assert response.status_code == 400
    assert ProgramManager.objects.filter(partner=world["b"]).exists()


@pytest.mark.django_db
def test_patch_changes_a_share_with_the_same_rule(client, world):
    client = as_user(client, world["pm_a"])
    url = f"{managers_url(world['a'])}{world['manager_a'].pk}/"
    response = client.patch(url, {"fte_share": "0.10"}, content_type="application/json")
    assert response.status_code == 400 and "confirm_below_minimum" in response.json()
    response = client.patch(
        url, {"fte_share": "0.10", "confirm_below_minimum": True}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["fte_share"] == "0.10"
    assert client.put(url, {"fte_share": "0.5"}, content_type="application/json").status_code == 405


@pytest.mark.django_db
def test_delete_of_a_missing_manager_is_404(client, world):
    url = f"{managers_url(world['a'])}999999/?confirm_below_minimum=true"
    assert as_user(client, world["pm_a"]).delete(url).status_code == 404


# --- Commitments ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_commitments_for_this_and_another_year(client, world):
    client = as_user(client, world["pm_a"])
    data = client.get(commitments_url(world["a"])).json()
    assert data["partner"] == world["a"].pk
    keys = [row["key"] for row in data["commitments"]]
    assert "program_managers" in keys and "community" in keys
    community = next(r for r in data["commitments"] if r["key"] == "community")
    assert community["state"] == "at_risk" and community["state_label"] == "At risk"
    assert community["action_url"] == f"/manage/partners/{world['a'].slug}/events/"
    data = client.get(commitments_url(world["a"]), {"program_year": "2020-21"}).json()
    assert data["program_year"] == "2020-21"
    community = next(r for r in data["commitments"] if r["key"] == "community")
    assert community["state"] == "missed"


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["2026", "2026-28", "x" * 50])
def test_a_malformed_program_year_is_400(client, world, year):
    response = as_user(client, world["pm_a"]).get(
        commitments_url(world["a"]), {"program_year": year}
    )
    assert response.status_code == 400 and "program_year" in response.json()


@pytest.mark.django_db
def test_commitments_are_read_only(client, world):
    response = as_user(client, world["admin"]).post(commitments_url(world["a"]), {})
    assert response.status_code == 405


# --- Check-in notes ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("pm_a", 404), ("pm_b", 404), ("rm_b", 404), ("rm_a", 200), ("admin", 200)],
)
def test_check_ins_are_office_only(client, world, who, status):
    CheckInNoteFactory(
        partner=world["a"], body="Staffing worry", happened_on=datetime.date(2026, 9, 2)
    )
    response = as_user(client, world[who]).get(check_ins_url(world["a"]))
    assert response.status_code == status
    if status == 200:
        assert response.json()["results"][0]["body"] == "Staffing worry"
    else:
        assert "Staffing worry" not in response.content.decode()


@pytest.mark.django_db
def test_no_other_partner_endpoint_leaks_check_in_notes_to_managers(client, world):
    CheckInNoteFactory(partner=world["a"], body="Staffing worry")
    client = as_user(client, world["pm_a"])
    for url in (managers_url, commitments_url):
        assert "Staffing worry" not in client.get(url(world["a"])).content.decode()


@pytest.mark.django_db
def test_schema_lists_the_endpoints(client):
    text = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/partners/{partner_pk}/program-managers/" in text
    assert "/api/v1/partners/{partner_pk}/commitments/" in text
    assert "/api/v1/partners/{partner_pk}/check-ins/" in text
