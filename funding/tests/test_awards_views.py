import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from funding.models import Disbursement, FundingAward
from funding.tests.factories import (
    DisbursementFactory,
    FundingAwardFactory,
    IndependentFundingFactory,
    approved_award,
)
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

OVERVIEW = "/manage/funding/"


def award_url(award, rest=""):
    return f"/manage/funding/awards/{award.pk}/{rest}"


@pytest.fixture
def manager(db, regional_manager):
    return ProgramManagerFactory(partner=PartnerFactory(regional_manager=regional_manager))


@pytest.fixture
def draft(manager):
    return FundingAwardFactory(partner=manager.partner, lines={"food": ("100.00", None)})


# --- Scope -----------------------------------------------------------------------------------


def test_overview_scope(client, manager, program_admin, regional_manager, make_user):
    other_rm = make_user(role="regional_manager")
    approved_award(manager.partner)
    client.force_login(program_admin)
    assert manager.partner.name in client.get(OVERVIEW).content.decode()
    client.force_login(regional_manager)
    assert manager.partner.name in client.get(OVERVIEW).content.decode()
    client.force_login(other_rm)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert manager.partner.name not in response.content.decode()
    for user in (manager.user, make_user(role="teacher")):
        client.force_login(user)
        assert client.get(OVERVIEW).status_code == 404
        assert client.get(OVERVIEW + "?format=csv").status_code == 404
    client.logout()
    assert client.get(OVERVIEW)["Location"].startswith("/accounts/login")


def test_award_page_scope(client, draft, manager, regional_manager, make_user, program_admin):
    outsiders = [ProgramManagerFactory().user, make_user(role="regional_manager")]
    for user in outsiders:
        client.force_login(user)
        assert client.get(award_url(draft)).status_code == 404
        assert client.post(award_url(draft, "lines/"), {"food_requested": "1"}).status_code == 404
        assert client.get(award_url(draft, "propose/")).status_code == 404
    client.force_login(regional_manager)
    page = client.get(award_url(draft))
    assert page.status_code == 200
    assert 'name="food_requested"' not in page.content.decode()
    assert client.post(award_url(draft, "lines/"), {"food_requested": "1"}).status_code == 404
    assert client.post(award_url(draft, "propose/")).status_code == 404
    client.force_login(manager.user)
    page = client.get(award_url(draft)).content.decode()
    assert 'name="food_requested"' in page and 'name="food_awarded"' not in page
    for action in ("approve/", "return/", "close/", "disbursements/new/"):
        assert client.post(award_url(draft, action)).status_code == 404
    assert client.get("/manage/funding/awards/new/").status_code == 404
    client.logout()
    assert client.get(award_url(draft)).status_code == 302
    client.force_login(program_admin)
    assert client.get(award_url(draft)).status_code == 200
    assert client.get("/manage/funding/awards/999999/").status_code == 404


# --- Workflow --------------------------------------------------------------------------------


def test_manager_edits_requested_and_proposes(client, draft, manager):
    client.force_login(manager.user)
    response = client.post(
        award_url(draft, "lines/"),
        {"food_requested": "120.50", "venue_requested": "30", "need_justification": "Far away"},
    )
    assert response.status_code == 302
    assert draft.lines.get(category="venue").requested == Decimal("30.00")
    confirm = client.get(award_url(draft, "propose/"))
    assert "Propose the award" in confirm.content.decode()
    draft.refresh_from_db()
    assert draft.status == FundingAward.Status.DRAFT  # GET only asks
    assert client.post(award_url(draft, "propose/")).status_code == 302
    draft.refresh_from_db()
    assert draft.status == FundingAward.Status.PROPOSED
    page = client.get(award_url(draft)).content.decode()
    assert 'name="food_requested"' not in page and "$150.50" in page


def test_bad_amount_is_shown_next_to_the_field(client, draft, manager):
    client.force_login(manager.user)
    response = client.post(award_url(draft, "lines/"), {"food_requested": "-5"})
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()


def test_admin_sets_awarded_and_approves(client, draft, program_admin, manager):
    draft.status = FundingAward.Status.PROPOSED
    draft.save()
    client.force_login(program_admin)
    response = client.post(award_url(draft, "approve/"))
    assert response.status_code == 302  # refused: the line has no awarded amount yet
    draft.refresh_from_db()
    assert draft.status == FundingAward.Status.PROPOSED
    client.post(award_url(draft, "lines/"), {"food_awarded": "95.25"})
    assert client.post(award_url(draft, "approve/")).status_code == 302
    draft.refresh_from_db()
    assert draft.status == FundingAward.Status.APPROVED
    page = client.get(award_url(draft)).content.decode()
    assert "$95.25" in page and str(program_admin) in page


def test_return_to_draft_asks_for_a_reason(client, program_admin):
    award = FundingAwardFactory(status=FundingAward.Status.PROPOSED, lines={"food": ("1", None)})
    client.force_login(program_admin)
    response = client.post(award_url(award, "return/"), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    client.post(award_url(award, "return/"), {"reason": "Ask for <b>venue</b> quotes"})
    award.refresh_from_db()
    assert award.status == FundingAward.Status.DRAFT
    page = client.get(award_url(award)).content.decode()
    assert "Ask for &lt;b&gt;venue&lt;/b&gt; quotes" in page


def test_admin_opens_an_award_and_duplicates_are_a_field_error(client, program_admin):
    partner = PartnerFactory()
    client.force_login(program_admin)
    data = {"partner": partner.pk, "program_year": "2026-27"}
    response = client.post("/manage/funding/awards/new/", data)
    award = FundingAward.objects.get(partner=partner)
    assert response["Location"] == award_url(award)
    again = client.post("/manage/funding/awards/new/", data)
    assert again.status_code == 200
    assert "already has an award for 2026-27" in again.content.decode()


# --- Disbursements ---------------------------------------------------------------------------


def test_disbursement_over_the_remaining_amount_is_a_field_error(client, program_admin):
    award = approved_award(food="1000.00")
    DisbursementFactory(award=award, amount=Decimal("750.00"))
    client.force_login(program_admin)
    data = {"paid_on": "2026-10-01", "amount": "250.01", "reference": "CHK-9"}
    response = client.post(award_url(award, "disbursements/new/"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "$250.00 remains" in body and 'value="CHK-9"' in body
    data["amount"] = "250.00"
    assert client.post(award_url(award, "disbursements/new/"), data).status_code == 302
    assert Disbursement.objects.filter(award=award).count() == 2


def test_disbursement_delete_confirms_and_keeps_the_reason(client, program_admin):
    award = approved_award()
    payment = DisbursementFactory(award=award, amount=Decimal("12.34"))
    client.force_login(program_admin)
    url = award_url(award, f"disbursements/{payment.pk}/delete/")
    assert "$12.34" in client.get(url).content.decode()
    assert Disbursement.objects.filter(pk=payment.pk).exists()
    assert client.post(url, {"reason": "Recorded twice"}).status_code == 302
    assert not Disbursement.objects.filter(pk=payment.pk).exists()
    assert "Recorded twice" in client.get(award_url(award)).content.decode()
    assert client.post(url, {"reason": "again"}).status_code == 404  # double submit


# --- Overview, filters and exports -----------------------------------------------------------


@pytest.fixture
def funded(db):
    first = PartnerFactory(name="=Alpha Computing")
    award = approved_award(first, food="0.10", venue="0.20", other="0.30")
    DisbursementFactory(award=award, amount=Decimal("0.25"))
    IndependentFundingFactory(partner=first, amount=Decimal("0.30"))
    second = PartnerFactory(name="Beta Computing")
    approved_award(second, food="1234.56")
    PartnerFactory(name="Gamma Computing")  # no award
    return first, second


def test_overview_totals_row_and_filters(client, funded, program_admin):
    client.force_login(program_admin)
    body = client.get(OVERVIEW + "?program_year=2026-27").content.decode()
    assert "$1,235.16" in body  # 0.60 + 1234.56
    assert "33.3%" in body  # 0.30 / (0.60 + 0.30)
    body = client.get(OVERVIEW + "?program_year=2026-27&status=none").content.decode()
    assert "Gamma Computing" in body and "Beta Computing" not in body
    body = client.get(OVERVIEW + "?program_year=2026-27&q=beta").content.decode()
    assert "Beta Computing" in body and "Gamma Computing" not in body
    bad = client.get(OVERVIEW + "?program_year=nonsense&regional_manager=abc&state=ZZ")
    assert bad.status_code == 200


def test_overview_csv_parses_back_with_the_same_totals(client, funded, program_admin):
    client.force_login(program_admin)
    response = client.get(OVERVIEW + "?program_year=2026-27&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Partner"] for row in rows] == [
        "'=Alpha Computing",  # never a formula
        "Beta Computing",
        "Gamma Computing",
        "Total",
    ]
    partners, total = rows[:-1], rows[-1]
    for column in ("Awarded", "Disbursed", "Independent funding"):
        assert sum(Decimal(row[column]) for row in partners) == Decimal(total[column])
    assert total["Awarded"] == "1235.16"
    assert rows[0]["Sustainability share (%)"] == "33.3"


def test_overview_xlsx_opens_with_the_same_totals(client, funded, program_admin):
    client.force_login(program_admin)
    response = client.get(OVERVIEW + "?program_year=2026-27&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, total = rows[0], rows[-1]
    awarded = header.index("Awarded")
    assert total[0] == "Total"
    assert Decimal(str(total[awarded])) == Decimal("1235.16")
    assert rows[1][0] == "'=Alpha Computing"


def test_overview_query_count_is_pinned(
    client, funded, program_admin, django_assert_max_num_queries
):
    for _ in range(10):
        approved_award(PartnerFactory())
    client.force_login(program_admin)
    with django_assert_max_num_queries(12):
        response = client.get(OVERVIEW)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234.5"), "$1,234.50"),
        (Decimal("0.005"), "$0.01"),
        (Decimal("-5"), "-$5.00"),
        (None, "—"),
        ("junk", "—"),
    ],
)
def test_usd_filter(value, shown):
    from django.template import Context, Template

    assert Template("{% load money %}{{ x|usd }}").render(Context({"x": value})) == shown
