from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from funding.models import Disbursement, FundingAward
from funding.tests.factories import DisbursementFactory, FundingAwardFactory, approved_award
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

AWARDS = "/api/v1/funding/awards/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def manager(db, regional_manager):
    return ProgramManagerFactory(partner=PartnerFactory(regional_manager=regional_manager))


@pytest.fixture
def draft(manager):
    return FundingAwardFactory(partner=manager.partner, lines={"food": ("100.00", None)})


def test_list_is_scoped_and_filterable(api, draft, manager, regional_manager, program_admin):
    other = approved_award(PartnerFactory(), food="10.10")
    api.force_authenticate(program_admin)
    assert {a["id"] for a in api.get(AWARDS).json()["results"]} == {draft.pk, other.pk}
    filtered = api.get(AWARDS, {"status": "approved"}).json()["results"]
    assert [a["id"] for a in filtered] == [other.pk]
    assert filtered[0]["awarded_total"] == "10.10"
    assert api.get(AWARDS, {"partner": manager.partner.pk}).json()["count"] == 1
    assert api.get(AWARDS, {"program_year": "2030-31"}).json()["count"] == 0
    for user in (regional_manager, manager.user):
        api.force_authenticate(user)
        assert [a["id"] for a in api.get(AWARDS).json()["results"]] == [draft.pk]
        assert api.get(f"{AWARDS}{other.pk}/").status_code == 404


@pytest.mark.parametrize("value", ["-4.1e271", "1.5", "9" * 30, "0", "x"])
def test_a_partner_filter_that_is_no_id_is_400_not_500(api, draft, program_admin, value):
    api.force_authenticate(program_admin)
    response = api.get(AWARDS, {"partner": value})
    assert response.status_code == 400
    assert "partner" in response.json()


def test_out_of_scope_is_404_and_anonymous_403(api, draft, make_user):
    for user in (ProgramManagerFactory().user, make_user(role="regional_manager")):
        api.force_authenticate(user)
        assert api.get(f"{AWARDS}{draft.pk}/").status_code == 404
        assert api.post(f"{AWARDS}{draft.pk}/propose/").status_code == 404
        assert api.get(f"{AWARDS}{draft.pk}/disbursements/").status_code == 404
        assert api.post(f"{AWARDS}{draft.pk}/lines/", {}, format="json").status_code == 404
    api.force_authenticate(None)
    assert api.get(AWARDS).status_code == 403
    assert api.get("/api/v1/funding/overview/?program_year=2026-27").status_code == 403


def test_readers_get_403_on_writes(api, draft, manager, regional_manager):
    api.force_authenticate(regional_manager)
    lines = {"lines": {"food": {"requested": "5.00"}}}
    assert api.post(f"{AWARDS}{draft.pk}/lines/", lines, format="json").status_code == 403
    assert api.post(f"{AWARDS}{draft.pk}/propose/").status_code == 403
    api.force_authenticate(manager.user)
    assert api.post(f"{AWARDS}{draft.pk}/approve/").status_code == 403
    assert api.post(f"{AWARDS}{draft.pk}/close/").status_code == 403
    reason = {"reason": "x"}
    assert api.post(f"{AWARDS}{draft.pk}/return-to-draft/", reason).status_code == 403
    awarded = {"lines": {"food": {"awarded": "5.00"}}}
    assert api.post(f"{AWARDS}{draft.pk}/lines/", awarded, format="json").status_code == 403
    payment = {"paid_on": "2026-09-01", "amount": "1.00"}
    assert api.post(f"{AWARDS}{draft.pk}/disbursements/", payment).status_code == 403
    assert (
        api.post(AWARDS, {"partner": manager.partner.pk, "program_year": "2027-28"}).status_code
        == 403
    )


def test_workflow_through_the_api(api, draft, manager, program_admin):
    api.force_authenticate(manager.user)
    response = api.post(
        f"{AWARDS}{draft.pk}/lines/",
        {"lines": {"food": {"requested": "0.10"}, "venue": {"requested": "0.20"}}},
        format="json",
    )
    assert response.status_code == 200 and response.json()["requested_total"] == "0.30"
    assert api.post(f"{AWARDS}{draft.pk}/propose/").json()["status"] == "proposed"
    api.force_authenticate(program_admin)
    refused = api.post(f"{AWARDS}{draft.pk}/approve/")
    assert refused.status_code == 400
    assert set(refused.json()) == {"food_awarded", "venue_awarded"}
    api.post(
        f"{AWARDS}{draft.pk}/lines/",
        {"lines": {"food": {"awarded": "0.10"}, "venue": {"awarded": "0.20"}}},
        format="json",
    )
    approved = api.post(f"{AWARDS}{draft.pk}/approve/").json()
    assert (approved["status"], approved["awarded_total"], approved["remaining"]) == (
        "approved",
        "0.30",
        "0.30",
    )
    over = api.post(
        f"{AWARDS}{draft.pk}/disbursements/", {"paid_on": "2026-09-01", "amount": "0.31"}
    )
    assert over.status_code == 400 and "$0.30 remains" in over.json()["amount"][0]
    paid = api.post(
        f"{AWARDS}{draft.pk}/disbursements/", {"paid_on": "2026-09-01", "amount": "0.30"}
    )
    assert paid.status_code == 201
    assert api.post(f"{AWARDS}{draft.pk}/close/").json()["status"] == "closed"


def test_disbursements_list_for_readers(api, manager, regional_manager):
    award = approved_award(manager.partner)
    DisbursementFactory(award=award, amount=Decimal("12.50"))
    for user in (regional_manager, manager.user):
        api.force_authenticate(user)
        response = api.get(f"{AWARDS}{award.pk}/disbursements/")
        assert [p["amount"] for p in response.json()] == ["12.50"]
    assert Disbursement.objects.count() == 1


def test_admin_creates_awards_and_duplicates_are_400(api, program_admin):
    partner = PartnerFactory()
    api.force_authenticate(program_admin)
    data = {"partner": partner.pk, "program_year": "2026-27"}
    assert api.post(AWARDS, data).status_code == 201
    again = api.post(AWARDS, data)
    assert again.status_code == 400 and "program_year" in again.json()
    assert FundingAward.objects.filter(partner=partner).count() == 1


def test_overview_endpoint_is_scoped(api, manager, regional_manager, program_admin):
    approved_award(manager.partner, food="99.99")
    approved_award(PartnerFactory(), food="0.01")
    url = "/api/v1/funding/overview/"
    api.force_authenticate(program_admin)
    data = api.get(url, {"program_year": "2026-27"}).json()
    assert (len(data["rows"]), data["awarded"]) == (2, "100.00")
    api.force_authenticate(regional_manager)
    data = api.get(url, {"program_year": "2026-27"}).json()
    assert [row["partner"]["id"] for row in data["rows"]] == [manager.partner.pk]
    assert data["awarded"] == "99.99" and data["sustainability_share"] == "0.0"
    assert api.get(url, {"program_year": "2026"}).status_code == 400
    stranger = ProgramManagerFactory()  # a program manager sees only their own partner
    api.force_authenticate(stranger.user)
    rows = api.get(url, {"program_year": "2026-27"}).json()["rows"]
    assert [row["partner"]["id"] for row in rows] == [stranger.partner.pk]


def test_award_list_query_count_is_pinned(api, program_admin, django_assert_max_num_queries):
    for _ in range(8):
        award = approved_award(PartnerFactory(), food="10", venue="20")
        DisbursementFactory(award=award)
    api.force_authenticate(program_admin)
    with django_assert_max_num_queries(6):
        response = api.get(AWARDS)
    assert response.json()["count"] == 8
