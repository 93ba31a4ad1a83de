from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from funding.models import IndependentFunding, SpendingReport
from funding.tests.factories import (
    IndependentFundingFactory,
    SpendingLineFactory,
    SpendingReportFactory,
)
from funding.tests.factories_spending import attended, scene, submitted_line, workshop_of

D = Decimal
BASE = "/api/v1/funding"


@pytest.fixture
def s(db):
    return scene()


@pytest.fixture
def api():
    return APIClient()


def partner_urls(s, report):
    p = f"{BASE}/partners/{s.partner.pk}"
    funding = IndependentFundingFactory(partner=s.partner)
    return [
        f"{p}/spending-reports/",
        f"{p}/spending-reports/{report.pk}/",
        f"{p}/spending-reports/{report.pk}/lines/",
        f"{p}/independent-funding/",
        f"{p}/independent-funding/{funding.pk}/",
        f"{p}/sustainability/",
    ]


def test_partner_routes_answer_only_inside_the_scope(api, s):
    report = SpendingReportFactory(award=s.award)
    urls = partner_urls(s, report)
    for address in urls:
        assert api.get(address).status_code == 403, address  # anonymous
    for who in ("other_pm", "other_rm", "teacher"):
        api.force_authenticate(getattr(s, who))
        for address in urls:
            assert api.get(address).status_code == 404, (who, address)
    for who in ("pm", "rm", "admin"):
        api.force_authenticate(getattr(s, who))
        for address in urls:
            assert api.get(address).status_code == 200, (who, address)


def test_a_regional_manager_reads_but_cannot_write(api, s):
    report = SpendingReportFactory(award=s.award)
    SpendingLineFactory(report=report)
    funding = IndependentFundingFactory(partner=s.partner)
    p = f"{BASE}/partners/{s.partner.pk}"
    api.force_authenticate(s.rm)
    assert api.post(f"{p}/spending-reports/{report.pk}/submit/", {}).status_code == 403
    assert api.delete(f"{p}/independent-funding/{funding.pk}/").status_code == 403
    assert api.post(f"{p}/independent-funding/", {}).status_code == 403
    report.refresh_from_db()
    assert report.status == "draft"
    assert IndependentFunding.objects.count() == 1
    api.force_authenticate(s.other_pm)
    assert api.delete(f"{p}/independent-funding/{funding.pk}/").status_code == 404


def test_a_manager_files_a_report_through_the_api(api, s):
    p = f"{BASE}/partners/{s.partner.pk}"
    api.force_authenticate(s.pm)
    created = api.post(
        f"{p}/spending-reports/",
        {"award": s.award.pk, "period_start": "2026-07-01", "period_end": "2026-12-31"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    report = created.json()
    assert (report["status"], report["total"], report["lines"]) == ("draft", "0.00", [])
    ours = workshop_of(s.partner)
    line = api.post(
        f"{p}/spending-reports/{report['id']}/lines/",
        {
            "category": "food",
            "workshop": ours.pk,
            "spent_on": "2026-09-12",
            "description": "Lunch",
            "amount": "1000.01",
        },
        format="json",
    )
    assert line.status_code == 201, line.json()
    assert line.json()["amount"] == "1000.01"
    detail = api.get(f"{p}/spending-reports/{report['id']}/").json()
    assert detail["over"] == [
        {"category": "food", "awarded": "1000.00", "spent": "1000.01", "over": "0.01"}
    ]
    refused = api.post(f"{p}/spending-reports/{report['id']}/submit/", {}, format="json")
    assert refused.status_code == 400
    assert "Over the awarded amount" in refused.json()["note"][0]
    done = api.post(
        f"{p}/spending-reports/{report['id']}/submit/", {"note": "Extra day."}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["status"] == "submitted"
    again = api.post(f"{p}/spending-reports/{report['id']}/submit/", {}, format="json")
    assert again.status_code == 400
    assert "already submitted" in again.json()["non_field_errors"][0]


def test_bad_input_is_a_400_keyed_by_field(api, s):
    from partners.tests.factories import PartnerFactory

    p = f"{BASE}/partners/{s.partner.pk}"
    api.force_authenticate(s.pm)
    other_award = scene("Desert Code").award  # another partner's award is not one of ours
    response = api.post(
        f"{p}/spending-reports/",
        {"award": other_award.pk, "period_start": "2026-07-01", "period_end": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "award" in response.json()
    response = api.post(
        f"{p}/spending-reports/",
        {"award": s.award.pk, "period_start": "2026-07-01", "period_end": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "period_end" in response.json()
    report = SpendingReportFactory(award=s.award)
    theirs = workshop_of(PartnerFactory())
    response = api.post(
        f"{p}/spending-reports/{report.pk}/lines/",
        {
            "category": "food",
            "workshop": theirs.pk,
            "spent_on": "2026-09-12",
            "description": "x",
            "amount": "-1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"workshop", "amount"} <= set(response.json())
    response = api.post(f"{p}/spending-reports/{report.pk}/submit/", {}, format="json")
    assert response.status_code == 400  # no lines
    assert SpendingReport.objects.get(pk=report.pk).status == "draft"


def test_independent_funding_crud_and_sustainability(api, s):
    p = f"{BASE}/partners/{s.partner.pk}"
    api.force_authenticate(s.pm)
    assert api.get(f"{p}/sustainability/").json() == [
        {
            "program_year": "2026-27",
            "awarded": "1500.00",
            "independent": "0.00",
            "share": "0.0",
            "trend": None,
        }
    ]
    created = api.post(
        f"{p}/independent-funding/",
        {
            "program_year": "2026-27",
            "kind": "district_fees",
            "source": "Yakima SD",
            "amount": "375",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api.get(f"{p}/sustainability/").json()[0]["share"] == "20.0"
    patched = api.patch(f"{p}/independent-funding/{pk}/", {"amount": "1500.00"}, format="json")
    assert patched.status_code == 200 and patched.json()["amount"] == "1500.00"
    assert api.get(f"{p}/sustainability/").json()[0]["share"] == "50.0"
    bad = api.post(
        f"{p}/independent-funding/",
        {"program_year": "2026-28", "kind": "other", "source": "x", "amount": "0"},
        format="json",
    )
    assert bad.status_code == 400 and {"program_year", "amount"} <= set(bad.json())
    listed = api.get(f"{p}/independent-funding/?program_year=2026-27").json()
    assert listed["count"] == 1
    assert api.delete(f"{p}/independent-funding/{pk}/").status_code == 204
    assert not IndependentFunding.objects.exists()


def test_cost_per_teacher_is_scoped_to_the_users_partners(api, s):
    mine = workshop_of(s.partner)
    attended(mine)
    submitted_line(s.award, "80.00", workshop=mine)
    other = scene("Desert Code")
    theirs = workshop_of(other.partner)
    attended(theirs)
    attended(theirs)
    submitted_line(other.award, "50.00", workshop=theirs)

    def partners_seen(user):
        api.force_authenticate(user)
        response = api.get(f"{BASE}/cost-per-teacher/?program_year=2026-27")
        assert response.status_code == 200
        return response.json()

    data = partners_seen(s.pm)
    assert [row["partner"] for row in data["partners"]] == [s.partner.pk]
    assert data["partners"][0]["per_teacher"] == "80.00"
    assert [row["workshop"] for row in data["workshops"]] == [mine.pk]
    # The program's figure is every partner together: 130.00 for 3 teachers.
    assert data["program"] == {"spent": "130.00", "teachers": 3, "per_teacher": "43.33"}
    assert [r["partner"] for r in partners_seen(s.rm)["partners"]] == [s.partner.pk]
    admin = partners_seen(s.admin)
    assert {r["partner"] for r in admin["partners"]} == {s.partner.pk, other.partner.pk}

    api.force_authenticate(s.teacher)
    assert api.get(f"{BASE}/cost-per-teacher/").status_code == 403
    api.force_authenticate(None)
    assert api.get(f"{BASE}/cost-per-teacher/").status_code == 403
    api.force_authenticate(s.admin)
    assert api.get(f"{BASE}/cost-per-teacher/?program_year=junk").status_code == 400


def test_lists_run_a_fixed_number_of_queries(api, s, django_assert_max_num_queries):
    for _ in range(4):
        report = SpendingReportFactory(award=s.award)
        SpendingLineFactory(report=report)
        IndependentFundingFactory(partner=s.partner)
    p = f"{BASE}/partners/{s.partner.pk}"
    api.force_authenticate(s.pm)
    with django_assert_max_num_queries(6):
        assert api.get(f"{p}/spending-reports/").status_code == 200
    with django_assert_max_num_queries(6):
        assert api.get(f"{p}/independent-funding/").status_code == 200
    with django_assert_max_num_queries(12):
        assert api.get(f"{BASE}/cost-per-teacher/").status_code == 200


def test_records_of_a_deleted_account_stay_editable(api, s):
    """`created_by` empties when its account is deleted (SET_NULL); full_clean refused the
    record ever after ("This field cannot be blank"), a 400 on every edit."""
    creator = UserFactory(role="program_manager")
    funding = IndependentFundingFactory(partner=s.partner, created_by=creator)
    report = SpendingReportFactory(award=s.award, created_by=creator)
    SpendingLineFactory(report=report)
    creator.delete()
    api.force_authenticate(s.pm)
    p = f"{BASE}/partners/{s.partner.pk}"
    response = api.patch(
        f"{p}/independent-funding/{funding.pk}/", {"amount": "750.00"}, format="json"
    )
    assert response.status_code == 200, response.content
    response = api.post(f"{p}/spending-reports/{report.pk}/submit/", format="json")
    assert response.status_code == 200, response.content
