"""The audit trail browser (/manage/audit/): scope, filters, wording, escaping, CSV, queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from applications.models import Application, DistrictRelationship, Reference
from core.audit import audited
from core.navigation import items_for
from funding.models import Disbursement
from funding.tests.factories import FundingAwardFactory
from geography.tests.factories import RegionFactory
from partners.models import Partner
from partners.tests.factories import PartnerFactory

URL = "/manage/audit/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(program_admin):
    program_admin.first_name, program_admin.last_name = "Avery", "Lindqvist"
    program_admin.save()
    LogEntry.objects.all().delete()  # each test starts from an empty trail
    return program_admin


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def _partner(name: str, by=None, **fields) -> Partner:
    with audited(by, label="test"):
        return PartnerFactory(name=name, **fields)


def _rename(partner: Partner, name: str, by=None) -> None:
    with audited(by, label="test"):
        partner.name = name
        partner.save()


def _changes(response) -> list:
    return response.context["changes"]


def _texts(response) -> list[str]:
    return [part.text for change in _changes(response) for part in change.entries]


# --- Who may enter ------------------------------------------------------------------------------


def test_the_url_is_named():
    assert reverse("audit:log") == URL


def test_a_program_admin_sees_the_trail(admin_client, admin):
    _partner("Evergreen Computing", by=admin)
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert _texts(response) == ["Evergreen Computing"]


@pytest.mark.parametrize(
    "role",
    ["regional_manager", "program_manager", "teacher", "applicant", "facilitator"],
)
def test_every_other_role_gets_not_found(client, role):
    _partner("Evergreen Computing")
    client.force_login(UserFactory(role=role))
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"format": "csv"}).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_deactivated_admin_gets_not_found(client):
    client.force_login(UserFactory(role="program_admin", is_active=False))
    assert client.get(URL).status_code in (302, 404)


def test_a_post_is_refused_and_writes_nothing(admin_client):
    count = LogEntry.objects.count()
    assert admin_client.post(URL, {}).status_code == 405
    assert LogEntry.objects.count() == count


def test_the_navigation_links_it_for_program_admins_only(admin):
    assert "Audit trail" in [item.label for item in items_for(admin)]
    for role in ("regional_manager", "program_manager", "teacher"):
        assert "Audit trail" not in [item.label for item in items_for(UserFactory(role=role))]


# --- What a change shows ------------------------------------------------------------------------


def test_a_change_says_when_who_what_and_how(admin_client, admin):
    partner = _partner("Evergreen Computing", by=admin)
    _rename(partner, "Evergreen CS Hub", by=admin)
    with audited(admin, label="test"):
        partner.status = Partner.Status.INACTIVE
        partner.save()

    response = admin_client.get(URL)
    newest, renamed, created = _changes(response)
    assert newest.actor == admin
    [part] = newest.entries
    assert part.type_label == "Partner"
    assert part.action == "changed"
    assert part.url == reverse("workspace:home", args=[partner.slug])
    assert [(i.label, i.old, i.new) for i in part.items] == [("Status", "Active", "Inactive")]
    assert next((i.label, i.old, i.new) for i in renamed.entries[0].items) == (
        "Name",
        "Evergreen Computing",
        "Evergreen CS Hub",
    )
    assert created.entries[0].action == "created"
    assert ("Name", None, "Evergreen Computing") in [
        (i.label, i.old, i.new) for i in created.entries[0].items
    ]
    html = response.content.decode()
    assert "Avery Lindqvist" in html
    assert admin.email in html
    assert f'href="{URL}?actor={admin.pk}"' in html
    assert "<del>Active</del> → <ins>Inactive</ins>" in html


def test_a_change_without_a_person_is_by_the_system(admin_client, admin):
    _partner("Evergreen Computing")
    response = admin_client.get(URL)
    [change] = _changes(response)
    assert change.actor is None
    assert change.actor_text == "System"
    assert "System" in response.content.decode()
    # And searching for the person shown, "System", finds it; a person's name does not.
    _partner("Fir Computing", by=admin)
    assert [c.actor_text for c in _changes(admin_client.get(URL, {"person": "system"}))] == [
        "System"
    ]


def test_a_record_number_that_is_not_a_number_stays_in_its_box(admin_client):
    html = admin_client.get(URL, {"type": "partners.partner", "object": "abc"}).content.decode()
    assert 'name="object" value="abc"' in html and 'inputmode="numeric"' in html


def test_one_save_of_several_records_is_one_change(admin_client, admin):
    region = RegionFactory(name="Puget Sound")
    with audited(admin, label="test"):
        partner = PartnerFactory(name="Evergreen Computing")
        region.partner = partner
        region.status = "served"
        region.save()
    response = admin_client.get(URL)
    [change] = [c for c in _changes(response) if c.actor == admin]
    assert [part.text for part in change.entries] == ["Evergreen Computing", "Puget Sound"]
    region_part = change.entries[1]
    assert region_part.url == reverse("geography:region_detail", args=[region.slug])
    items = {item.label: (item.old, item.new) for item in region_part.items}
    assert items["Partner"] == ("—", "Evergreen Computing")
    assert items["Status"] == ("Open: needs a partner", "Served")


def test_a_deleted_record_is_named_without_a_link(admin_client, admin):
    partner = _partner("Short Lived Partner", by=admin)
    with audited(admin, label="test"):
        partner.delete()
    response = admin_client.get(URL)
    deleted = _changes(response)[0].entries[0]
    assert deleted.action == "deleted"
    assert deleted.url is None
    assert deleted.text == "Short Lived Partner"
    assert ("Name", "Short Lived Partner", None) in [(i.label, i.old, i.new) for i in deleted.items]


def test_a_role_change_is_on_the_trail_with_the_admin_page(admin_client, admin):
    person = UserFactory(role=Role.TEACHER, first_name="Rae", last_name="Okafor")
    with audited(admin, label="test"):
        person.role = Role.PROGRAM_MANAGER
        person.save()
    response = admin_client.get(URL, {"type": "accounts.user", "object": person.pk})
    [part] = _changes(response)[0].entries
    assert [(i.label, i.old, i.new) for i in part.items] == [("Role", "Teacher", "Program manager")]
    assert part.url == reverse("admin:accounts_user_change", args=[person.pk])


def test_stored_text_is_escaped(admin_client, admin):
    partner = _partner("<script>alert(1)</script>", by=admin)
    _rename(partner, '<img src=x onerror="alert(2)">', by=admin)
    html = admin_client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


# --- Filters ------------------------------------------------------------------------------------


@pytest.fixture
def trail(admin):
    """Two people, two kinds of record, on three days."""
    other = UserFactory(first_name="Jordan", last_name="Baptiste", email="jordan@office.test")
    region = RegionFactory(name="Puget Sound")
    LogEntry.objects.all().delete()
    evergreen = _partner("Evergreen Computing", by=admin)
    summit = _partner("Summit Learning", by=other)
    with audited(other, label="test"):
        region.status = "closed"
        region.save()
    _rename(summit, "Summit CS", by=admin)
    days = {
        "Evergreen Computing": datetime.datetime(2025, 3, 1, 15, tzinfo=datetime.UTC),
        "Summit Learning": datetime.datetime(2025, 3, 5, 15, tzinfo=datetime.UTC),
        "Puget Sound": datetime.datetime(2025, 3, 9, 15, tzinfo=datetime.UTC),
        "Summit CS": datetime.datetime(2025, 3, 12, 15, tzinfo=datetime.UTC),
    }
    for text, when in days.items():
        LogEntry.objects.filter(object_repr=text).update(timestamp=when)
    return {"other": other, "evergreen": evergreen, "summit": summit, "region": region}


def test_filter_by_type(admin_client, trail):
    response = admin_client.get(URL, {"type": "geography.region"})
    assert _texts(response) == ["Puget Sound"]
    labels = dict(response.context["filter"].form.fields["type"].choices)
    assert labels["partners.partner"] == "Partner"
    assert labels["funding.disbursement"] == "Disbursement"


def test_filter_by_object_from_a_link(admin_client, trail):
    summit = trail["summit"]
    response = admin_client.get(URL, {"type": "partners.partner", "object": summit.pk})
    assert _texts(response) == ["Summit CS", "Summit Learning"]
    html = response.content.decode()
    assert f"?type=partners.partner&amp;object={summit.pk}" in html  # each record's own trail


def test_filter_by_object_text(admin_client, trail):
    assert _texts(admin_client.get(URL, {"q": "  summit "})) == ["Summit CS", "Summit Learning"]


def test_filter_by_person_name_or_email(admin_client, trail):
    assert _texts(admin_client.get(URL, {"person": "Baptiste"})) == [
        "Puget Sound",
        "Summit Learning",
    ]
    assert _texts(admin_client.get(URL, {"person": "jordan@office"})) == [
        "Puget Sound",
        "Summit Learning",
    ]
    assert _texts(admin_client.get(URL, {"person": "Avery Lindqvist"})) == [
        "Summit CS",
        "Evergreen Computing",
    ]


def test_filter_by_person_from_a_link(admin_client, trail):
    other = trail["other"]
    response = admin_client.get(URL, {"actor": other.pk})
    assert _texts(response) == ["Puget Sound", "Summit Learning"]
    html = response.content.decode()
    assert "Changes by <strong>Jordan Baptiste</strong> (jordan@office.test)" in html
    assert f'<input type="hidden" name="actor" value="{other.pk}"' in html  # kept on filtering


def test_a_person_whose_account_went_is_found_by_the_kept_email(admin_client, trail):
    other = trail["other"]
    LogEntry.objects.filter(actor=other).update(actor_email=other.email)
    with audited(None, label="test"):
        other.delete()
    response = admin_client.get(URL, {"person": "jordan@office.test"})
    assert "Puget Sound" in _texts(response)
    puget = next(c for c in _changes(response) if c.entries[0].text == "Puget Sound")
    assert puget.actor is None
    assert puget.actor_text == "jordan@office.test"


def test_filter_by_action(admin_client, trail):
    assert _texts(admin_client.get(URL, {"action": "changed"})) == ["Summit CS", "Puget Sound"]
    created = _texts(admin_client.get(URL, {"action": "created"}))
    assert "Evergreen Computing" in created
    assert "Summit CS" not in created


def test_filter_by_dates(admin_client, trail):
    response = admin_client.get(URL, {"date_from": "2025-03-05", "date_to": "2025-03-09"})
    assert _texts(response) == ["Puget Sound", "Summit Learning"]
    assert _texts(admin_client.get(URL, {"date_from": "2025-03-12"})) == ["Summit CS"]
    html = admin_client.get(URL, {"date_from": "2025-03-05"}).content.decode()
    assert 'value="2025-03-05"' in html  # kept


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"type": "auth.permission"}, "type", "Choose a record type from the list."),
        ({"object": "12"}, "type", "Choose the record's type"),
        ({"type": "partners.partner", "object": "abc"}, "object", "Enter the record's number"),
        ({"type": "partners.partner", "object": "-3"}, "object", "Enter the record's number"),
        ({"type": "partners.partner", "object": "1" * 40}, "object", "Enter the record's number"),
        ({"action": "exploded"}, "action", "Choose created, changed or deleted."),
        ({"date_from": "2025-13-45"}, "date_from", "Enter a date as YYYY-MM-DD"),
        ({"date_to": "yesterday"}, "date_to", "Enter a date as YYYY-MM-DD"),
        (
            {"date_from": "2025-03-10", "date_to": "2025-03-01"},
            "date_to",
            "The end date must be on or after the start date.",
        ),
        ({"actor": "abc"}, "person", "The person in that link is not known here."),
        ({"actor": "999999"}, "person", "The person in that link is not known here."),
        ({"person": "x" * 500}, "person", "at most 300 characters"),
        ({"q": "x" * 500}, "q", "at most 300 characters"),
    ],
)
def test_bad_filters_say_what_to_fix_next_to_the_field(admin_client, trail, query, field, message):
    response = admin_client.get(URL, query)
    assert response.status_code == 200
    errors = response.context["filter"].form.errors
    assert message in " ".join(errors[field]), errors
    assert _changes(response) == []
    html = response.content.decode()
    assert "Fix the filters above to see the changes." in html
    assert "Nothing is listed yet: 1 thing to fix." in html  # a search saves nothing
    assert "Download CSV" not in html
    # What was typed stays in its field, to be corrected (a select offers only its choices).
    for name, value in query.items():
        if name in ("object", "q", "person", "date_from", "date_to"):
            assert f'name="{name}" value="{value}"' in html


def test_a_bad_page_number_gives_a_page(admin_client, trail):
    for page in ("abc", "-1", "99999", "1" * 30):
        assert admin_client.get(URL, {"page": page}).status_code == 200


# --- CSV ----------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_has_the_filtered_trail(admin_client, trail):
    rows = _csv(admin_client.get(URL, {"type": "partners.partner", "format": "csv"}))
    assert rows[0][:4] == ["When", "Change", "Who", "Email"]
    records = [(row[4], row[6], row[7]) for row in rows[1:]]
    assert records == [
        ("Partner", "Summit CS", "changed"),
        ("Partner", "Summit Learning", "created"),
        ("Partner", "Evergreen Computing", "created"),
    ]
    assert rows[1][2] == "Avery Lindqvist"
    assert "Name: Summit Learning → Summit CS" in rows[1][8]


def test_the_csv_keeps_formulas_out(admin_client, admin):
    _partner('=HYPERLINK("http://x")', by=admin)
    rows = _csv(admin_client.get(URL, {"format": "csv"}))
    assert rows[1][6] == '\'=HYPERLINK("http://x")'


def test_bad_filters_give_the_page_not_a_file(admin_client, trail):
    response = admin_client.get(URL, {"format": "csv", "date_from": "nope"})
    assert response["Content-Type"].startswith("text/html")


# --- Queries ------------------------------------------------------------------------------------


def _make_changes(count: int, admin) -> None:
    """`count` changes: every other one creates a partner and gives it the region, the next
    renames that partner. A page of them names partners, a region and a person, and links
    each record."""
    region = RegionFactory(name="Puget Sound")
    LogEntry.objects.all().delete()
    partner = None
    for n in range(count):
        if n % 2:
            _rename(partner, f"Partner {n} renamed", by=admin)
            continue
        with audited(admin, label="test"):
            partner = PartnerFactory(name=f"Partner {n}")
            region.partner = partner
            region.status = "served"
            region.save()


@pytest.mark.parametrize("count", [5, 50])
def test_the_page_takes_a_fixed_number_of_queries(
    admin_client, admin, django_assert_num_queries, count
):
    _make_changes(count, admin)
    admin_client.get(URL)  # the content types, once
    with django_assert_num_queries(8):
        response = admin_client.get(URL)
    assert len(_changes(response)) == count
    assert sum(len(change.entries) for change in _changes(response)) == count + (count + 1) // 2


# --- Coverage of the one trail ------------------------------------------------------------------


def test_an_application_s_references_and_districts_are_audited(applicant):
    application = Application.objects.create(applicant=applicant, legal_name="Hub")
    with audited(applicant, label="test"):
        Reference.objects.create(
            application=application,
            name="Dana Ruiz",
            organization="Valley ESD",
            email="dana@valley.test",
            phone="555-0100",
        )
        DistrictRelationship.objects.create(
            application=application, district_name="Valley SD", relationship="Partner since 2020"
        )
    types = set(
        LogEntry.objects.filter(actor=applicant).values_list("content_type__model", flat=True)
    )
    assert {"reference", "districtrelationship"} <= types


def test_money_and_dates_read_as_people_write_them(admin_client, admin):
    award = FundingAwardFactory()
    with audited(admin, label="test"):
        Disbursement.objects.create(
            award=award,
            amount=Decimal("1250.00"),
            paid_on=datetime.date(2025, 10, 3),
            reference="CHK-1",
            created_by=admin,
        )
    response = admin_client.get(URL, {"type": "funding.disbursement"})
    [part] = _changes(response)[0].entries
    items = {item.label: item.new for item in part.items}
    assert items["Paid on"] == "Oct 3, 2025"
    assert items["Amount"] == "1250.00"
    assert items["Award"] == str(award)
    assert items["Created by"] == "Avery Lindqvist"
    assert part.url == reverse("funding:award", args=[award.pk])


def test_a_client_cannot_set_the_correlation_id_of_its_changes(client, django_user_model):
    """auditlog reads X-Correlation-ID by default; here only `audited` blocks set one."""
    from auditlog.models import LogEntry

    from accounts.tests.factories import UserFactory

    user = UserFactory(role="teacher", password="a-long-password-1")
    client.force_login(user)
    client.post(
        "/accounts/profile/",
        {"first_name": "Ada", "last_name": "Lovelace", "email": user.email},
        HTTP_X_CORRELATION_ID="forged-cid",
    )
    change = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.UPDATE)
    assert change.changes_dict["first_name"][1] == "Ada"
    assert change.cid != "forged-cid"


def test_a_new_record_does_not_list_its_related_rows_as_raw_text(admin_client, admin):
    """auditlog writes a created row's to-many relations as "app.Model.None": not shown."""
    from workshops.tests.factories import CourseFactory

    with audited(admin, label="course"):
        CourseFactory(name="CS Adventures")
    body = admin_client.get(URL).content.decode()
    assert "CS Adventures" in body
    assert ".None" not in body
