"""District partnership services: the area rule, duplicates, the course and year rules, who."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from core.program_years import program_year_for
from districts import services
from districts.models import DistrictCommitment, DistrictPartnership
from districts.tests.factories import (
    CourseFactory,
    DistrictCommitmentFactory,
    DistrictPartnershipFactory,
    district_with_schools,
    served_region,
)
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

pytestmark = pytest.mark.django_db

KING = "53033"
TODAY = datetime.date.today()
THIS_YEAR = program_year_for(TODAY)
LAST_YEAR = program_year_for(TODAY - datetime.timedelta(days=366))
NEXT_YEAR = program_year_for(TODAY + datetime.timedelta(days=366))
TWO_YEARS_AGO = program_year_for(TODAY - datetime.timedelta(days=2 * 366))


@pytest.fixture
def partner(geography):
    partner = PartnerFactory(name="Puget Sound Computing")
    served_region(partner, counties=[KING])
    return partner


@pytest.fixture
def manager(partner, program_manager):
    ProgramManagerFactory(partner=partner, user=program_manager)
    return program_manager


@pytest.fixture
def course(partner):
    course = CourseFactory(name="CS Explorations")
    partner.courses.add(course)
    return course


def create(partner, user, district, **kwargs):
    values = {
        "since": datetime.date(2025, 9, 1),
        "contact_name": "Ana Ortiz",
        "contact_title": "CS Coordinator",
        "contact_email": "ana.ortiz@example.org",
        "contact_phone": "",
        "notes": "",
    }
    values.update(kwargs)
    return services.partnership_create(partner=partner, user=user, district=district, **values)


def refused(call, *args, **kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message_dict


# --- The area rule ------------------------------------------------------------------------------


def test_a_district_with_a_school_in_the_region_is_in_the_area(partner, manager):
    seattle = district_with_schools("98101")  # King County
    partnership = create(partner, manager, seattle)
    assert partnership.partner == partner
    assert partnership.created_by == manager


def test_one_school_inside_is_enough_for_a_district_across_region_lines(partner, manager):
    across = district_with_schools("98901", "98101")  # Yakima and Seattle
    assert create(partner, manager, across).pk


def test_a_district_whose_schools_are_all_outside_is_refused_by_the_district_field(
    partner, manager
):
    yakima = district_with_schools("98901")  # Washington, but not King County
    errors = refused(create, partner, manager, yakima)
    assert "outside" in errors["district"][0]
    assert not DistrictPartnership.objects.exists()


def test_the_district_office_zip_in_the_region_counts(partner, manager):
    from geography.models import ZipCode

    office_in_seattle = district_with_schools("98901", zip_code=ZipCode.objects.get(code="98101"))
    assert create(partner, manager, office_in_seattle).pk


def test_without_schools_a_district_in_a_state_the_regions_touch_is_accepted(partner, manager):
    no_schools = district_with_schools()  # Washington, no schools imported
    closed_only = district_with_schools("98901", active=False)
    assert create(partner, manager, no_schools).pk
    assert create(partner, manager, closed_only).pk


def test_without_schools_a_district_in_another_state_is_refused(partner, manager):
    from geography.models import State

    alaska = district_with_schools(state=State.objects.get(code="AK"))
    assert "district" in refused(create, partner, manager, alaska)


def test_a_zip_region_of_the_partner_places_schools_too(geography, program_admin):
    bronx = PartnerFactory(name="Bronx CS")
    served_region(bronx, zips=["10451"])
    assert create(bronx, program_admin, district_with_schools("10451")).pk
    assert "district" in refused(create, bronx, program_admin, district_with_schools("10452"))


def test_another_partners_region_is_not_the_area(partner, manager):
    other = PartnerFactory()
    served_region(other, states=["NY"])
    assert "district" in refused(create, partner, manager, district_with_schools("10001"))


# --- Duplicates, dates, fields ------------------------------------------------------------------


def test_a_second_partnership_with_the_same_district_is_a_field_error(partner, manager):
    district = district_with_schools("98101")
    create(partner, manager, district)
    errors = refused(create, partner, manager, district)
    assert errors["district"] == ["You already have a partnership with this district."]
    assert DistrictPartnership.objects.count() == 1


def test_a_race_past_the_duplicate_check_is_the_same_field_error(partner, manager, monkeypatch):
    district = district_with_schools("98101")
    create(partner, manager, district)
    # As if another request had inserted between this one's check and its insert.
    monkeypatch.setattr(services, "_check_district", lambda partner, district: None)
    errors = refused(create, partner, manager, district)
    assert errors["district"] == ["You already have a partnership with this district."]
    assert DistrictPartnership.objects.count() == 1


def test_two_partners_may_each_work_with_one_district(partner, manager, program_admin):
    neighbour = PartnerFactory()
    served_region(neighbour, zips=["98101"], name="Downtown Seattle")  # carved out of King
    district = district_with_schools("98101", "98104")
    create(neighbour, program_admin, district)
    assert create(partner, manager, district).pk
    assert DistrictPartnership.objects.filter(district=district).count() == 2


def test_every_fault_is_reported_at_once(partner, manager, course):
    yakima = district_with_schools("98901")
    errors = refused(
        create,
        partner,
        manager,
        yakima,
        since=TODAY + datetime.timedelta(days=3),
        contact_name="",
        contact_email="not an email",
    )
    assert set(errors) >= {"district", "since", "contact_name", "contact_email"}


def test_a_date_before_1990_is_a_typo(partner, manager):
    errors = refused(
        create, partner, manager, district_with_schools("98101"), since=datetime.date(202, 1, 1)
    )
    assert "1990" in errors["since"][0]


def test_create_with_a_first_commitment(partner, manager, course):
    partnership = create(
        partner,
        manager,
        district_with_schools("98101"),
        program_year=THIS_YEAR,
        course=course,
        teachers=12,
    )
    commitment = partnership.commitments.get()
    assert (commitment.program_year, commitment.course, commitment.teachers) == (
        THIS_YEAR,
        course,
        12,
    )


def test_a_refused_first_commitment_saves_nothing(partner, manager, course):
    errors = refused(
        create,
        partner,
        manager,
        district_with_schools("98101"),
        program_year=THIS_YEAR,
        course=course,
        teachers=None,
    )
    assert "teachers" in errors
    assert not DistrictPartnership.objects.exists()


def test_update_changes_the_contact_and_keeps_the_district(partner, manager):
    partnership = create(partner, manager, district_with_schools("98101"))
    services.partnership_update(
        partnership=partnership,
        user=manager,
        data={"contact_name": "Sam Lee", "contact_email": "sam.lee@example.org"},
    )
    partnership.refresh_from_db()
    assert (partnership.contact_name, partnership.contact_email) == (
        "Sam Lee",
        "sam.lee@example.org",
    )
    errors = refused(
        services.partnership_update,
        partnership=partnership,
        user=manager,
        data={"district": district_with_schools("98104")},
    )
    assert "district" in errors
    errors = refused(
        services.partnership_update,
        partnership=partnership,
        user=manager,
        data={"since": TODAY + datetime.timedelta(days=1), "contact_email": "x"},
    )
    assert set(errors) == {"since", "contact_email"}
    partnership.refresh_from_db()
    assert partnership.contact_email == "sam.lee@example.org"


def test_delete_takes_this_years_commitments_along(partner, manager, course):
    partnership = create(
        partner, manager, district_with_schools("98101"), program_year=THIS_YEAR, course=course,
        teachers=3,
    )  # fmt: skip
    services.partnership_delete(partnership=partnership, user=manager)
    assert not DistrictPartnership.objects.exists()
    assert not DistrictCommitment.objects.exists()


def test_delete_is_refused_while_past_years_commitments_are_the_record(partner, manager, course):
    partnership = create(
        partner, manager, district_with_schools("98101"), program_year=THIS_YEAR, course=course,
        teachers=3,
    )  # fmt: skip
    DistrictCommitmentFactory(partnership=partnership, program_year=TWO_YEARS_AGO, course=course)
    with pytest.raises(ValidationError) as error:
        services.partnership_delete(partnership=partnership, user=manager)
    assert error.value.code == "has_history"
    assert TWO_YEARS_AGO in error.value.messages[0]
    assert DistrictCommitment.objects.count() == 2
    assert services.partnership_past_years(partnership) == [TWO_YEARS_AGO]


def test_commitment_set_asks_before_replacing_another_number(partnership, manager, course):
    kwargs = {"partnership": partnership, "user": manager, "program_year": THIS_YEAR}
    services.commitment_set(**kwargs, course=course, teachers=1)
    with pytest.raises(ValidationError) as error:
        services.commitment_set(**kwargs, course=course, teachers=4, confirm_replace=False)
    assert error.value.message_dict == {
        "confirm_replace": [
            f"This replaces the 1 teacher committed for {course.name} in {THIS_YEAR}. "
            "Tick the box to replace them."
        ]
    }
    assert DistrictCommitment.objects.get().teachers == 1
    # The same number, or a confirmed change, goes through.
    services.commitment_set(**kwargs, course=course, teachers=1, confirm_replace=False)
    services.commitment_set(**kwargs, course=course, teachers=4)
    assert DistrictCommitment.objects.get().teachers == 4


# --- Commitments --------------------------------------------------------------------------------


@pytest.fixture
def partnership(partner):
    return DistrictPartnershipFactory(partner=partner, district=district_with_schools("98101"))


def test_commitment_set_creates_then_updates_the_one_row(partnership, manager, course):
    first = services.commitment_set(
        partnership=partnership, user=manager, program_year=THIS_YEAR, course=course, teachers=8
    )
    second = services.commitment_set(
        partnership=partnership, user=manager, program_year=THIS_YEAR, course=course, teachers=15
    )
    assert first.pk == second.pk
    assert DistrictCommitment.objects.get().teachers == 15
    services.commitment_set(
        partnership=partnership, user=manager, program_year=NEXT_YEAR, course=course, teachers=4
    )
    assert DistrictCommitment.objects.count() == 2


@pytest.mark.parametrize("year", [LAST_YEAR, THIS_YEAR, NEXT_YEAR])
def test_commitments_within_the_window(partnership, manager, course, year):
    services.commitment_set(
        partnership=partnership, user=manager, program_year=year, course=course, teachers=1
    )
    assert DistrictCommitment.objects.get().program_year == year


@pytest.mark.parametrize("year", [TWO_YEARS_AGO, "2099-00", "nonsense", ""])
def test_years_outside_the_window_are_a_field_error(partnership, manager, course, year):
    errors = refused(
        services.commitment_set,
        partnership=partnership,
        user=manager,
        program_year=year,
        course=course,
        teachers=5,
    )
    assert list(errors) == ["program_year"]


def test_a_course_the_partner_does_not_offer_is_a_field_error(partnership, manager, course):
    not_offered = CourseFactory(name="CS Principles")
    errors = refused(
        services.commitment_set,
        partnership=partnership,
        user=manager,
        program_year=THIS_YEAR,
        course=not_offered,
        teachers=5,
    )
    assert errors == {"course": ["CS Principles is not a course Puget Sound Computing offers."]}


def test_an_inactive_course_is_a_field_error(partner, partnership, manager):
    retired = CourseFactory(name="CS Retired", is_active=False)
    partner.courses.add(retired)
    errors = refused(
        services.commitment_set,
        partnership=partnership,
        user=manager,
        program_year=THIS_YEAR,
        course=retired,
        teachers=5,
    )
    assert list(errors) == ["course"]


@pytest.mark.parametrize("teachers", [0, -3, 5001])
def test_teachers_between_1_and_5000(partnership, manager, course, teachers):
    errors = refused(
        services.commitment_set,
        partnership=partnership,
        user=manager,
        program_year=THIS_YEAR,
        course=course,
        teachers=teachers,
    )
    assert list(errors) == ["teachers"]


def test_commitment_delete_within_the_window_only(partnership, manager, course):
    current = DistrictCommitmentFactory(partnership=partnership, course=course)
    old = DistrictCommitmentFactory(
        partnership=partnership, course=course, program_year=TWO_YEARS_AGO
    )
    services.commitment_delete(commitment=current, user=manager)
    errors = refused(services.commitment_delete, commitment=old, user=manager)
    assert list(errors) == ["program_year"]
    assert list(DistrictCommitment.objects.all()) == [old]


# --- Who may ------------------------------------------------------------------------------------


@pytest.fixture
def outsiders(partner, make_user):
    """Signed-in people who may not change the partner's records."""
    regional = make_user(role="regional_manager")
    partner.regional_manager = regional
    partner.save()
    other_pm = make_user(role="program_manager")
    ProgramManagerFactory(user=other_pm)
    return [regional, other_pm, make_user(role="teacher"), make_user(role="regional_manager")]


def test_only_the_partners_managers_and_admins_write(
    partner, partnership, course, outsiders, manager, program_admin
):
    district = district_with_schools("98104")
    commitment = DistrictCommitmentFactory(partnership=partnership, course=course)
    for user in outsiders:
        with pytest.raises(PermissionDenied):
            create(partner, user, district)
        with pytest.raises(PermissionDenied):
            services.partnership_update(partnership=partnership, user=user, data={"notes": "x"})
        with pytest.raises(PermissionDenied):
            services.commitment_set(
                partnership=partnership, user=user, program_year=THIS_YEAR, course=course,
                teachers=99,
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            services.commitment_delete(commitment=commitment, user=user)
        with pytest.raises(PermissionDenied):
            services.partnership_delete(partnership=partnership, user=user)
    assert DistrictPartnership.objects.count() == 1
    assert DistrictCommitment.objects.get().teachers == 10
    assert create(partner, program_admin, district).created_by == program_admin


def test_writes_are_audited_with_their_actor(partnership, manager, course):
    commitment = services.commitment_set(
        partnership=partnership, user=manager, program_year=THIS_YEAR, course=course, teachers=7
    )
    entry = LogEntry.objects.get_for_object(commitment).get()
    assert entry.actor == manager
    assert entry.cid.startswith("district_partnership-")
    services.partnership_delete(partnership=partnership, user=manager)
    deleted = LogEntry.objects.filter(action=LogEntry.Action.DELETE)
    assert deleted.count() == 2
    assert {entry.actor for entry in deleted} == {manager}


# --- Demo data ----------------------------------------------------------------------------------


@pytest.fixture
def demo_program(geography):
    """Four active partners and an inactive one, each with demo districts in its area."""
    import random as _random

    from partners.models import Partner

    areas = {
        "Alpha CS": (["53033"], ["98101", "98104", "98105", "98106", "98107", "98108", "98109"]),
        "Beta CS": (["36061"], ["10001", "10002", "10003"]),
        "Gamma CS": (["15003"], ["96813", "96814", "96815", "96816"]),
        "Delta CS": (["02020"], ["99501", "99502", "99503"]),
        "Gone CS": (["53077"], ["98901", "98902"]),
    }
    partners = []
    pick = _random.Random(7)
    for name, (counties, zips) in areas.items():
        status = Partner.Status.INACTIVE if name == "Gone CS" else Partner.Status.ACTIVE
        partner = PartnerFactory(name=name, status=status)
        served_region(partner, counties=counties)
        for course_name in pick.sample(["CS Foundations", "CS Explorations", "CS Principles"], 2):
            partner.courses.add(CourseFactory(name=course_name))
        for code in zips:
            district_with_schools(code, is_demo=True)
        district_with_schools("98901", name="Not a demo district")  # left alone
        partners.append(partner)
    return partners


def demo_snapshot():
    return sorted(
        (
            p.partner.name,
            p.district.nces_id,
            p.contact_name,
            p.contact_email,
            p.since,
            tuple(sorted((c.program_year, c.course.name, c.teachers) for c in p.commitments.all())),
        )
        for p in DistrictPartnership.objects.select_related("partner", "district").prefetch_related(
            "commitments__course"
        )
    )


def test_demo_partnerships(demo_program):
    import random as _random

    from districts.demo_partnerships import demo_partnerships, demo_partnerships_delete
    from districts.selectors import districts_in_area

    today = datetime.date(2026, 11, 2)
    created = demo_partnerships(rng=_random.Random(1), partners=demo_program, today=today)
    assert created == DistrictPartnership.objects.count() + DistrictCommitment.objects.count()

    by_partner = {partner.name: partner for partner in demo_program}
    assert not DistrictPartnership.objects.filter(partner=by_partner["Gone CS"]).exists()
    assert not DistrictPartnership.objects.filter(district__is_demo=False).exists()
    for name in ("Alpha CS", "Beta CS", "Gamma CS", "Delta CS"):
        partner = by_partner[name]
        partnerships = DistrictPartnership.objects.filter(partner=partner)
        assert 2 <= partnerships.count() <= 6, name
        in_area = districts_in_area(partner)
        assert all(in_area.filter(pk=p.district_id).exists() for p in partnerships), name
        assert all(p.contact_email.endswith("@example.org") for p in partnerships)
        offered = set(partner.courses.all())
        assert {
            c.course for c in DistrictCommitment.objects.filter(partnership__partner=partner)
        } <= offered

    this_year = DistrictCommitment.objects.filter(program_year="2026-27")
    at_risk = {
        name
        for name, p in by_partner.items()
        if not this_year.filter(partnership__partner=p).exists()
    }
    assert at_risk == {"Beta CS", "Gone CS"}  # the second active partner by name
    assert DistrictCommitment.objects.filter(program_year="2025-26").exists()
    assert set(DistrictCommitment.objects.values_list("program_year", flat=True)) == {
        "2025-26",
        "2026-27",
    }

    first = demo_snapshot()
    assert demo_partnerships_delete() == created
    assert demo_partnerships(rng=_random.Random(1), partners=demo_program, today=today) == created
    assert demo_snapshot() == first
