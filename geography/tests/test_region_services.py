import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from geography import services
from geography.loader import load_geography
from geography.models import County, Region, RegionCounty, RegionState, RegionZip, State, ZipCode
from geography.services import ZipOutcome, region_create, region_update, region_zips_import
from geography.tests.factories import RegionFactory
from partners.tests.factories import PartnerFactory


@pytest.fixture
def wa_or(db):
    load_geography(states=["WA", "OR"])
    return State.objects.get(code="WA"), State.objects.get(code="OR")


def _county(name: str, state: str = "WA") -> County:
    return County.objects.get(name=name, state__code=state)


def _create(user, **kwargs) -> Region:
    values = {
        "user": user,
        "name": "Cascadia",
        "status": Region.Status.OPEN,
        "partner": None,
        "description": "",
        "states": [],
        "counties": [],
    }
    return region_create(**(values | kwargs))


def test_create_links_states_and_counties_and_freshens_the_zip_index(
    wa_or, program_admin, committed
):
    wa, _oregon = wa_or
    multnomah = _county("Multnomah County", "OR")
    with committed():
        region = _create(program_admin, states=[wa], counties=[multnomah])

    assert region.slug == "cascadia"
    assert list(region.state_links.values_list("state__code", flat=True)) == ["WA"]
    assert list(region.county_links.values_list("county__name", flat=True)) == ["Multnomah County"]
    seattle = ZipCode.objects.get(code="98101")
    portland = ZipCode.objects.get(code="97204")
    assert (seattle.region, seattle.matched_on) == (region, "state")
    assert (portland.region, portland.matched_on) == (region, "county")
    assert ZipCode.objects.get(code="97301").region is None  # Salem: Marion County, not chosen
    assert LogEntry.objects.filter(actor=program_admin).count() == 3  # region + two links


def test_create_refuses_a_state_or_county_of_another_region_and_saves_nothing(wa_or, program_admin):
    wa, _ = wa_or
    king = _county("King County")
    other = RegionFactory(name="Puget Sound")
    RegionState.objects.create(region=other, state=wa)
    RegionCounty.objects.create(region=other, county=king)

    with pytest.raises(ValidationError) as refused:
        _create(program_admin, states=[wa], counties=[king])

    assert refused.value.message_dict == {
        "states": ["Washington is already in region 'Puget Sound' at state level."],
        "counties": ["King County, WA is already in region 'Puget Sound' at county level."],
    }
    assert not Region.objects.filter(name="Cascadia").exists()
    assert RegionState.objects.count() == RegionCounty.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "with_partner", "message"),
    [
        ("served", False, "A served region needs its Regional Partner"),
        ("onboarding", False, "A onboarding region needs its Regional Partner"),
        ("open", True, "An open or closed region has no partner"),
        ("closed", True, "An open or closed region has no partner"),
    ],
)
def test_the_partner_must_match_the_status(program_admin, status, with_partner, message):
    partner = PartnerFactory() if with_partner else None
    with pytest.raises(ValidationError) as refused:
        _create(program_admin, status=status, partner=partner)
    assert list(refused.value.message_dict) == ["partner"]
    assert refused.value.message_dict["partner"][0].startswith(message)
    assert not Region.objects.exists()


def test_names_are_unique_whatever_their_case(program_admin):
    RegionFactory(name="Cascadia")
    with pytest.raises(ValidationError) as refused:
        _create(program_admin, name="CASCADIA")
    assert refused.value.message_dict == {"name": ["There is already a region named 'CASCADIA'."]}


def test_a_region_slug_never_shadows_a_workspace_path(program_admin):
    assert _create(program_admin, name="New").slug == "new-region"
    assert _create(program_admin, name="Counties").slug == "counties-region"


def test_update_replaces_the_links_and_the_zip_index_follows(wa_or, program_admin, committed):
    _wa, oregon = wa_or
    king, pierce = _county("King County"), _county("Pierce County")
    with committed():
        region = _create(program_admin, counties=[king, pierce])
    assert ZipCode.objects.get(code="98101").region == region  # Seattle, King County
    before = Region.objects.get(pk=region.pk).updated_at

    partner = PartnerFactory(name="Oregon Computing")
    with committed():
        region = region_update(
            region=region,
            user=program_admin,
            name="Cascadia South",
            status=Region.Status.SERVED,
            partner=partner,
            description="Pierce County and Oregon.",
            states=[oregon],
            counties=[pierce],
        )

    region.refresh_from_db()
    assert (region.name, region.slug, region.status, region.partner) == (
        "Cascadia South",
        "cascadia",  # the address stays
        "served",
        partner,
    )
    assert list(region.state_links.values_list("state__code", flat=True)) == ["OR"]
    assert list(region.county_links.values_list("county__name", flat=True)) == ["Pierce County"]
    seattle, tacoma, portland = (ZipCode.objects.get(code=c) for c in ["98101", "98402", "97204"])
    assert (seattle.region, seattle.matched_on) == (None, "")
    assert (tacoma.region, tacoma.matched_on) == (region, "county")
    assert (portland.region, portland.matched_on) == (region, "state")
    assert region.updated_at > before
    removed = LogEntry.objects.get(action=LogEntry.Action.DELETE)
    assert removed.object_repr == "Cascadia South: King County, WA"
    assert removed.actor == program_admin


def test_update_refuses_what_another_region_has(wa_or, program_admin):
    wa, _ = wa_or
    RegionState.objects.create(region=RegionFactory(name="Evergreen"), state=wa)
    region = _create(program_admin)
    with pytest.raises(ValidationError) as refused:
        region_update(
            region=region,
            user=program_admin,
            name="Cascadia",
            status="open",
            partner=None,
            description="",
            states=[wa],
            counties=[],
        )
    assert refused.value.message_dict["states"] == [
        "Washington is already in region 'Evergreen' at state level."
    ]
    assert not region.state_links.exists()


def test_a_lost_race_becomes_a_validation_error(wa_or, program_admin, monkeypatch):
    """Another save claims the state between the check and the insert: the database refuses,
    and the person reads why instead of a server error."""
    wa, _ = wa_or
    RegionState.objects.create(region=RegionFactory(name="Evergreen"), state=wa)
    real_validate, calls = services.region_validate, []

    def validate_too_early(**kwargs):
        calls.append(kwargs)
        if len(calls) > 1:  # the first check ran before the other save committed
            real_validate(**kwargs)

    monkeypatch.setattr(services, "region_validate", validate_too_early)
    with pytest.raises(ValidationError) as refused:
        _create(program_admin, states=[wa])
    assert refused.value.message_dict == {
        "states": ["Washington is already in region 'Evergreen' at state level."]
    }
    assert not Region.objects.filter(name="Cascadia").exists()


def test_zip_import_reports_every_line(wa_or, program_admin, committed):
    region = RegionFactory(name="Seattle Core")
    other = RegionFactory(name="Eastside")
    RegionZip.objects.create(region=other, zip_code=ZipCode.objects.get(code="98004"))
    rows = [
        (1, "98101"),
        (2, "98104-1234"),
        (3, " 98109 "),
        (4, "98121 1234"),
        (5, "9810"),
        (6, "abcde"),
        (7, "98101-12"),
        (8, "00000"),
        (9, "98004"),
        (10, "98101"),
    ]
    with committed():
        report = region_zips_import(region=region, user=program_admin, rows=rows, replace=False)

    got = [(line.line, line.outcome, line.zip_code) for line in report.lines]
    assert got == [
        (1, ZipOutcome.ACCEPTED, "98101"),
        (2, ZipOutcome.ACCEPTED, "98104"),
        (3, ZipOutcome.ACCEPTED, "98109"),
        (4, ZipOutcome.ACCEPTED, "98121"),
        (5, ZipOutcome.MALFORMED, ""),
        (6, ZipOutcome.MALFORMED, ""),
        (7, ZipOutcome.MALFORMED, ""),
        (8, ZipOutcome.UNKNOWN, "00000"),
        (9, ZipOutcome.CLAIMED, "98004"),
        (10, ZipOutcome.DUPLICATE, "98101"),
    ]
    details = {line.line: line.detail for line in report.lines}
    assert "five digits" in details[5] and "98101-1234" in details[5]
    assert details[8] == "00000 is not a known US ZIP code."
    assert details[9] == "98004 is already in region 'Eastside' at ZIP level."
    assert details[10] == "98101 is already on line 1."
    assert (report.accepted, report.problems, report.added, report.removed) == (4, 6, 4, 0)
    assert set(region.zip_links.values_list("zip_code__code", flat=True)) == {
        "98101",
        "98104",
        "98109",
        "98121",
    }
    seattle = ZipCode.objects.get(code="98101")
    assert (seattle.region, seattle.matched_on) == (region, "zip")
    assert ZipCode.objects.get(code="98004").region == other


def test_zip_import_adds_or_replaces(wa_or, program_admin):
    region = RegionFactory()
    region_zips_import(
        region=region, user=program_admin, rows=[(1, "98101"), (2, "98102")], replace=False
    )
    report = region_zips_import(
        region=region, user=program_admin, rows=[(1, "98102"), (2, "98103")], replace=False
    )
    assert (report.added, report.removed) == (1, 0)
    assert report.lines[0].detail == "Already in this region."
    assert region.zip_links.count() == 3

    report = region_zips_import(
        region=region, user=program_admin, rows=[(1, "98103"), (2, "98104")], replace=True
    )
    assert (report.added, report.removed) == (1, 2)
    assert set(region.zip_links.values_list("zip_code__code", flat=True)) == {"98103", "98104"}


def test_replacing_with_nothing_valid_keeps_the_zip_codes(wa_or, program_admin):
    region = RegionFactory()
    region_zips_import(region=region, user=program_admin, rows=[(1, "98101")], replace=False)
    report = region_zips_import(
        region=region, user=program_admin, rows=[(1, "oops"), (2, "00000")], replace=True
    )
    assert report.replace_refused
    assert (report.added, report.removed) == (0, 0)
    assert region.zip_links.count() == 1


def test_zip_import_lost_race_links_nothing(wa_or, program_admin, monkeypatch):
    region = RegionFactory()

    def claimed_meanwhile(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: geography_regionzip.zip_code_id")

    monkeypatch.setattr(RegionZip.objects, "create", claimed_meanwhile)
    with pytest.raises(ValidationError, match="nothing was saved"):
        region_zips_import(region=region, user=program_admin, rows=[(1, "98101")], replace=False)
    assert not RegionZip.objects.exists()


def test_zip_import_refuses_too_many_rows(program_admin):
    rows = [(n, "98101") for n in range(services.MAX_ZIP_ROWS + 1)]
    with pytest.raises(ValidationError, match="At most 5,000"):
        region_zips_import(region=RegionFactory(), user=program_admin, rows=rows, replace=False)


def test_zip_import_says_when_a_zip_leaves_a_state_or_county_region(
    wa_or, program_admin, committed
):
    wa, _ = wa_or
    with committed():
        RegionState.objects.create(region=RegionFactory(name="Evergreen"), state=wa)
    report = region_zips_import(
        region=RegionFactory(name="Seattle Core"),
        user=program_admin,
        rows=[(1, "98101")],
        replace=False,
    )
    [line] = report.lines
    assert line.outcome == ZipOutcome.ACCEPTED
    assert line.detail == "Moves here from region 'Evergreen' (state level)."
