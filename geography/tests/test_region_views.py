import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from geography.forms import MAX_UPLOAD_BYTES, rows_from_csv, rows_from_text
from geography.loader import load_geography
from geography.models import County, Region, RegionCounty, RegionState, RegionZip, State, ZipCode
from geography.tests.factories import RegionFactory
from partners.tests.factories import PartnerFactory


@pytest.fixture
def wa_or(db):
    load_geography(states=["WA", "OR"])
    return State.objects.get(code="WA"), State.objects.get(code="OR")


@pytest.fixture
def admin_client(client, program_admin):
    client.force_login(program_admin)
    return client


def _county(name: str, state: str = "WA") -> County:
    return County.objects.get(name=name, state__code=state)


def _form(**values) -> dict:
    data = {"name": "Cascadia", "status": "open", "partner": "", "description": ""}
    data.update(values)
    return data


def _text(response) -> str:
    return html.unescape(response.content.decode())


# --- Who may enter ------------------------------------------------------------------------------


def _urls(region: Region) -> list[str]:
    return [
        reverse("geography:region_list"),
        reverse("geography:region_create"),
        reverse("geography:region_counties"),
        reverse("geography:region_detail", args=[region.slug]),
        reverse("geography:region_update", args=[region.slug]),
        reverse("geography:region_zips", args=[region.slug]),
    ]


@pytest.mark.django_db
def test_program_admins_enter_every_page(admin_client):
    for url in _urls(RegionFactory()):
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["regional_manager", "program_manager", "teacher", "applicant", "facilitator"]
)
def test_everyone_else_signed_in_gets_not_found(client, role):
    client.force_login(UserFactory(role=role))
    for url in _urls(RegionFactory()):
        assert client.get(url).status_code == 404, url
        assert client.post(url, _form()).status_code == 404, url
    assert Region.objects.count() == 1


@pytest.mark.django_db
def test_an_inactive_admin_gets_not_found(client):
    client.force_login(UserFactory(role="program_admin", is_active=False))
    assert client.get(reverse("geography:region_list")).status_code in (302, 404)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in _urls(RegionFactory()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.django_db
def test_a_missing_region_is_not_found(admin_client):
    assert admin_client.get(reverse("geography:region_detail", args=["nowhere"])).status_code == 404


# --- Create and edit ----------------------------------------------------------------------------


def test_admin_creates_a_region_with_states_and_counties(wa_or, admin_client, program_admin):
    wa, oregon = wa_or
    multnomah = _county("Multnomah County", "OR")
    response = admin_client.post(
        reverse("geography:region_create"),
        _form(states=[wa.pk], county_states=[oregon.pk], counties=[multnomah.pk]),
    )

    region = Region.objects.get(name="Cascadia")
    assert response.status_code == 302
    assert response["Location"] == reverse("geography:region_detail", args=[region.slug])
    assert list(region.states.all()) == [wa]
    assert list(region.counties.all()) == [multnomah]
    assert region.status == "open" and region.partner is None


def test_a_state_in_another_region_is_refused_with_its_name_and_nothing_saved(wa_or, admin_client):
    wa, oregon = wa_or
    king = _county("King County")
    other = RegionFactory(name="Puget Sound")
    RegionState.objects.create(region=other, state=wa)
    RegionCounty.objects.create(region=other, county=king)

    response = admin_client.post(
        reverse("geography:region_create"),
        _form(name="North by Northwest", states=[wa.pk, oregon.pk], counties=[king.pk]),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["states"] == [
        "Washington is already in region 'Puget Sound' at state level."
    ]
    assert form.errors["counties"] == [
        "King County, WA is already in region 'Puget Sound' at county level."
    ]
    text = _text(response)
    assert "Washington is already in region 'Puget Sound' at state level." in text
    # What was typed is kept.
    assert 'value="North by Northwest"' in text
    assert re.search(rf'name="states" value="{oregon.pk}"[^>]* checked>', text)
    assert re.search(rf'name="counties" value="{king.pk}"[^>]* checked>', text)
    assert re.search(r"Washington <span class=\"owner\">· in Puget Sound</span>", text)
    assert not Region.objects.filter(name="North by Northwest").exists()
    assert RegionState.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "with_partner", "message"),
    [
        ("served", False, "A served region needs its Regional Partner"),
        ("onboarding", False, "A onboarding region needs its Regional Partner"),
        ("open", True, "An open or closed region has no partner"),
        ("closed", True, "An open or closed region has no partner"),
    ],
)
def test_the_form_explains_the_status_and_partner_rule(admin_client, status, with_partner, message):
    partner = PartnerFactory()
    response = admin_client.post(
        reverse("geography:region_create"),
        _form(status=status, partner=partner.pk if with_partner else ""),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["partner"][0].startswith(message)
    assert message in _text(response)
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_a_served_region_with_its_partner_is_saved(admin_client):
    partner = PartnerFactory()
    response = admin_client.post(
        reverse("geography:region_create"), _form(status="served", partner=partner.pk)
    )
    assert response.status_code == 302
    assert Region.objects.get().partner == partner


def test_edit_replaces_the_links_and_the_zip_index_follows(wa_or, admin_client, committed):
    wa, oregon = wa_or
    king, pierce = _county("King County"), _county("Pierce County")
    region = RegionFactory(name="Cascadia")
    with committed():
        RegionState.objects.create(region=region, state=oregon)
        RegionCounty.objects.create(region=region, county=king)
    assert ZipCode.objects.get(code="98101").matched_on == "county"
    assert ZipCode.objects.get(code="97204").matched_on == "state"

    with committed():
        response = admin_client.post(
            reverse("geography:region_update", args=[region.slug]),
            _form(name="Cascadia", county_states=[wa.pk], counties=[pierce.pk]),
        )

    assert response.status_code == 302
    assert not region.state_links.exists()
    assert list(region.counties.all()) == [pierce]
    seattle, tacoma, portland = (ZipCode.objects.get(code=c) for c in ["98101", "98402", "97204"])
    assert (seattle.region, seattle.matched_on) == (None, "")
    assert (tacoma.region, tacoma.matched_on) == (region, "county")
    assert (portland.region, portland.matched_on) == (None, "")


def test_edit_form_starts_from_the_region(wa_or, admin_client):
    wa, _ = wa_or
    region = RegionFactory(name="Cascadia", description="The Pacific Northwest.")
    RegionCounty.objects.create(region=region, county=_county("King County"))
    response = admin_client.get(reverse("geography:region_update", args=[region.slug]))
    form = response.context["form"]
    assert form["name"].value() == "Cascadia"
    assert form["county_states"].value() == [wa.pk]
    text = _text(response)
    assert "The Pacific Northwest." in text
    assert "<legend>Washington" in text  # its county group is listed
    assert "Multnomah" not in text  # Oregon's counties are not


def test_counties_are_listed_only_for_the_chosen_states(wa_or, admin_client):
    wa, _oregon = wa_or
    other = RegionFactory(name="Puget Sound")
    RegionCounty.objects.create(region=other, county=_county("King County"))
    response = admin_client.get(
        reverse("geography:region_counties"), {"county_states": [wa.pk]}, HTTP_HX_REQUEST="true"
    )
    text = _text(response)
    assert response.status_code == 200
    assert text.count('type="checkbox"') == wa.counties.count() == 39
    assert 'King County <span class="owner">· in Puget Sound</span>' in text
    assert "Multnomah" not in text

    # The region being edited is not "another region".
    response = admin_client.get(
        reverse("geography:region_counties"), {"county_states": [wa.pk], "region": other.slug}
    )
    assert "in Puget Sound" not in _text(response)


def test_without_javascript_the_form_lists_counties_and_saves_nothing(wa_or, admin_client):
    wa, _ = wa_or
    response = admin_client.post(
        reverse("geography:region_create"),
        _form(name="", county_states=[wa.pk], show_counties="1"),
    )
    assert response.status_code == 200
    assert not response.context["form"].is_bound  # not judged yet: no errors shown
    assert "King County" in _text(response)
    assert not Region.objects.exists()


# --- ZIP import ---------------------------------------------------------------------------------


def test_pasted_zips_get_a_report_with_line_numbers(wa_or, admin_client):
    region = RegionFactory(name="Seattle Core")
    RegionZip.objects.create(
        region=RegionFactory(name="Eastside"), zip_code_id=ZipCode.objects.get(code="98004").pk
    )
    pasted = (
        "98101, 98102\n\n98104-1234\n 98109 \n98121 1234\n9810\nabcde 98101-12\n00000\n98004\n98101"
    )
    response = admin_client.post(
        reverse("geography:region_zips", args=[region.slug]), {"zips": pasted, "mode": "add"}
    )

    assert response.status_code == 200
    report = response.context["report"]
    got = [(line.line, line.value, line.outcome.value) for line in report.lines]
    assert got == [
        (1, "98101", "accepted"),
        (1, "98102", "accepted"),
        (3, "98104-1234", "accepted"),
        (4, "98109", "accepted"),
        (5, "98121 1234", "accepted"),
        (6, "9810", "malformed"),
        (7, "abcde", "malformed"),
        (7, "98101-12", "malformed"),
        (8, "00000", "unknown"),
        (9, "98004", "claimed"),
        (10, "98101", "duplicate"),
    ]
    assert region.zip_links.count() == 5
    text = _text(response)
    assert "5 ZIP codes linked" in text
    assert "98004 is already in region 'Eastside' at ZIP level." in text
    assert "98101 is already on line 1." in text
    assert ">Each entry of the pasted list, by line</caption>" in text


def test_a_csv_upload_reads_the_zip_column(wa_or, admin_client):
    region = RegionFactory()
    upload = SimpleUploadedFile(
        "zips.csv",
        b"\xef\xbb\xbfCity,ZIP Code\nSeattle,98101\nSeattle,98101-1234\n"
        b"Nowhere,1234\n,\nTacoma,98402\n",
        content_type="text/csv",
    )
    response = admin_client.post(
        reverse("geography:region_zips", args=[region.slug]), {"csv_file": upload, "mode": "add"}
    )
    report = response.context["report"]
    assert [(line.line, line.outcome.value) for line in report.lines] == [
        (2, "accepted"),
        (3, "duplicate"),
        (4, "malformed"),
        (6, "accepted"),
    ]
    assert set(region.zip_links.values_list("zip_code__code", flat=True)) == {"98101", "98402"}
    assert "Each entry of the file, by line" in _text(response)


def test_replace_mode_swaps_the_zip_list(wa_or, admin_client):
    region = RegionFactory()
    RegionZip.objects.create(region=region, zip_code=ZipCode.objects.get(code="98101"))
    admin_client.post(
        reverse("geography:region_zips", args=[region.slug]),
        {"zips": "98102\n98103", "mode": "replace"},
    )
    assert set(region.zip_links.values_list("zip_code__code", flat=True)) == {"98102", "98103"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"98101\n" * (MAX_UPLOAD_BYTES // 6 + 1), "the limit is 976.6\xa0KB"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This file is not a CSV text file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "This file is not a CSV text file"),
        (b"\x01\x02\x03garbage\x04", "This file is not a CSV text file"),
        (b"zip\n", "This file has no ZIP codes in it."),
    ],
)
def test_unfit_uploads_are_refused_beside_the_field(admin_client, content, message):
    region = RegionFactory()
    upload = SimpleUploadedFile("zips.csv", content, content_type="text/csv")
    response = admin_client.post(
        reverse("geography:region_zips", args=[region.slug]), {"csv_file": upload, "mode": "add"}
    )
    assert response.status_code == 200
    assert response.context["report"] is None
    assert message in " ".join(response.context["form"].errors["csv_file"])
    assert not RegionZip.objects.exists()


@pytest.mark.django_db
def test_one_source_of_zips_at_a_time(admin_client):
    region = RegionFactory()
    url = reverse("geography:region_zips", args=[region.slug])
    response = admin_client.post(url, {"zips": "  \n", "mode": "add"})
    assert response.context["form"].errors["zips"] == [
        "Paste some ZIP codes, or upload a CSV file."
    ]
    upload = SimpleUploadedFile("zips.csv", b"98101\n", content_type="text/csv")
    response = admin_client.post(url, {"zips": "98101", "csv_file": upload, "mode": "add"})
    assert response.context["form"].non_field_errors() == [
        "Paste ZIP codes or upload a file, not both."
    ]


def test_rows_from_text_keeps_line_numbers_and_zip_plus_four():
    assert rows_from_text("\n98101 1234 98102\n98103;98104,,98105\t98106") == [
        (2, "98101 1234"),
        (2, "98102"),
        (3, "98103"),
        (3, "98104"),
        (3, "98105"),
        (3, "98106"),
    ]


def test_rows_from_csv_finds_the_zip_column():
    assert rows_from_csv(b"98101\n98102\n") == [(1, "98101"), (2, "98102")]
    assert rows_from_csv(b"name;zipcode\nA;98101\nB;98102\n") == [(2, "98101"), (3, "98102")]
    assert rows_from_csv(b"ZIP\r\n98101\r\n\r\n98102\r\n") == [(2, "98101"), (4, "98102")]
    assert rows_from_csv("zip\n98101\n".encode("utf-16")) == [(2, "98101")]


# --- History ------------------------------------------------------------------------------------


def test_history_shows_who_changed_the_status_from_what_to_what(wa_or, client):
    wa, _ = wa_or
    admin = UserFactory(role="program_admin", first_name="Avery", last_name="Lindqvist")
    client.force_login(admin)
    partner = PartnerFactory(name="Evergreen Computing")
    client.post(reverse("geography:region_create"), _form(states=[wa.pk]))
    region = Region.objects.get()
    response = client.post(
        reverse("geography:region_update", args=[region.slug]),
        _form(status="served", partner=partner.pk),
    )
    assert response.status_code == 302

    response = client.get(reverse("geography:region_detail", args=[region.slug]))
    history = response.context["history"]
    assert [change.actor for change in history] == ["Avery Lindqvist", "Avery Lindqvist"]
    latest = {item.label: (item.old, item.new, item.values) for item in history[0].items}
    assert latest == {
        "Status": ("Open: needs a partner", "Served", []),
        "Regional Partner": ("—", "Evergreen Computing", []),
        "Removed states": (None, None, ["Washington"]),
    }
    first = [item.label for item in history[1].items]
    assert first == ["Created the region", "Name", "Status", "Added states"]
    text = _text(response)
    assert "<del>Open: needs a partner</del> → <ins>Served</ins>" in text


def test_history_groups_a_zip_import_into_one_change(wa_or, admin_client):
    region = RegionFactory()
    admin_client.post(
        reverse("geography:region_zips", args=[region.slug]),
        {"zips": "98101\n98102\n98103", "mode": "add"},
    )
    response = admin_client.get(reverse("geography:region_detail", args=[region.slug]))
    imported, created = response.context["history"]
    [item] = imported.items
    assert (item.label, item.values) == ("Added ZIP codes", ["98101", "98102", "98103"])
    assert created.actor == "System"  # the factory wrote it outside any request


# --- List ---------------------------------------------------------------------------------------


def _regions(count: int, wa: State) -> None:
    partner = PartnerFactory()
    counties = list(wa.counties.all()[:count])
    zips = list(ZipCode.objects.filter(state=wa)[:count])
    for n in range(count):
        served = n % 3 == 0
        region = RegionFactory(
            status="served" if served else "open", partner=partner if served else None
        )
        RegionCounty.objects.create(region=region, county=counties[n])
        RegionZip.objects.create(region=region, zip_code=zips[n])
    RegionState.objects.create(region=region, state=wa)


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_takes_a_fixed_number_of_queries(
    wa_or, admin_client, django_assert_max_num_queries, count
):
    wa, _ = wa_or
    _regions(count, wa)
    with django_assert_max_num_queries(9):
        response = admin_client.get(reverse("geography:region_list"), {"state": "WA"})
    assert len(response.context["page"].object_list) == count


def test_the_list_filters_by_status_state_and_name(wa_or, admin_client):
    _wa, oregon = wa_or
    partner = PartnerFactory(name="Evergreen Computing")
    puget = RegionFactory(name="Puget Sound", status="served", partner=partner)
    RegionCounty.objects.create(region=puget, county=_county("King County"))
    willamette = RegionFactory(name="Willamette", status="open")
    RegionState.objects.create(region=willamette, state=oregon)
    RegionFactory(name="Empty Quarter", status="closed")
    url = reverse("geography:region_list")

    def names(**params):
        response = admin_client.get(url, params)
        return [region.name for region in response.context["page"]]

    assert names() == ["Empty Quarter", "Puget Sound", "Willamette"]
    assert names(status="served") == ["Puget Sound"]
    assert names(state="WA") == ["Puget Sound"]
    assert names(state="OR") == ["Willamette"]
    assert names(q="sound") == ["Puget Sound"]
    assert names(state="OR", status="served") == []

    response = admin_client.get(url, {"state": "OR"})
    counts = {value: n for value, _, n in response.context["status_counts"]}
    assert counts == {"served": 0, "onboarding": 0, "open": 1, "closed": 0}
    text = _text(response)
    assert '<span class="count" data-status-count="all">1</span>' in text
    response = admin_client.get(url)
    row = next(line for line in _text(response).splitlines() if "Puget Sound" in line)
    assert row  # the row exists; its cells follow
    assert "Evergreen Computing" in _text(response)
