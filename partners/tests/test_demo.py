"""The demo seed: fixed logins, a consistent program, idempotence, reset and determinism."""

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command

import geography.loader
from accounts.models import Role, User
from geography.models import Region, RegionCounty, RegionState, RegionZip, State
from pages.models import TermSheet
from partners.demo import demo_logins, demo_seed
from partners.models import MIN_PROGRAM_MANAGER_FTE, OrganizationType, Partner, ProgramManager

# A few states keep the tests fast: California is split into county regions, New York has the
# Bronx ZIP-level region, the New England three make the "Northern New England" group.
STATES = ["CA", "NY", "OR", "WA", "ID", "NV", "VT", "NH", "ME", "RI", "CT", "DE"]

EXPECTED_LOGINS = {
    "admin@demo.test": Role.PROGRAM_ADMIN,
    "regional-manager@demo.test": Role.REGIONAL_MANAGER,
    "program-manager@demo.test": Role.PROGRAM_MANAGER,
    "facilitator@demo.test": Role.FACILITATOR,
    "teacher@demo.test": Role.TEACHER,
    "applicant@demo.test": Role.APPLICANT,
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo():
    geography.loader.load_geography(states=STATES)


@pytest.fixture
def seeded(geo):
    report = demo_seed()
    assert report.created
    return report


def demo_counts() -> dict[str, int]:
    return {
        "users": User.objects.filter(is_demo=True).count(),
        "partners": Partner.objects.filter(is_demo=True).count(),
        "regions": Region.objects.filter(is_demo=True).count(),
        "program_managers": ProgramManager.objects.count(),
        "states": RegionState.objects.count(),
        "counties": RegionCounty.objects.count(),
        "zips": RegionZip.objects.count(),
    }


def snapshot() -> dict[str, list]:
    return {
        "partners": list(
            Partner.objects.filter(is_demo=True)
            .order_by("name")
            .values_list("name", "status", "city", "organization_type", "regional_manager__email")
        ),
        "regions": list(
            Region.objects.filter(is_demo=True)
            .order_by("name")
            .values_list("name", "status", "partner__name")
        ),
        "users": sorted(User.objects.filter(is_demo=True).values_list("email", "role")),
        "managers": sorted(
            ProgramManager.objects.values_list("partner__name", "user__email", "fte_share")
        ),
    }


def test_fixed_logins_have_their_roles_and_the_demo_password(seeded):
    assert [email for email, _ in demo_logins()] == list(EXPECTED_LOGINS)
    for email, label in demo_logins():
        user = User.objects.get(email=email)
        assert user.is_demo
        assert user.role == EXPECTED_LOGINS[email]
        assert label == Role(user.role).label
        assert authenticate(None, email=email, password=settings.DEMO_PASSWORD) == user
        assert authenticate(None, email=email, password="wrong") is None
    admin = User.objects.get(email="admin@demo.test")
    assert admin.is_staff and admin.is_superuser
    assert (
        not User.objects.filter(is_demo=True, is_staff=True)
        .exclude(role=Role.PROGRAM_ADMIN)
        .exists()
    )


def test_every_role_has_people_on_fictional_domains(seeded):
    roles = Counter(User.objects.filter(is_demo=True).values_list("role", flat=True))
    assert set(roles) == set(Role.values)
    assert roles[Role.TEACHER] == 50
    assert roles[Role.FACILITATOR] == 15
    assert roles[Role.APPLICANT] == 10
    assert 4 <= roles[Role.REGIONAL_MANAGER] <= 6
    for email in User.objects.filter(is_demo=True).values_list("email", flat=True):
        domain = email.rsplit("@", 1)[1]
        assert domain in {"demo.test", "example.org", "example.com"} or domain.endswith(
            ".example.org"
        ), email


def test_regions_statuses_match_their_partners(seeded):
    regions = Region.objects.filter(is_demo=True).select_related("partner")
    assert {r.status for r in regions} == set(Region.Status.values)
    for region in regions:
        if region.status == Region.Status.SERVED:
            assert region.partner is not None, region
            assert region.partner.status == Partner.Status.ACTIVE
            assert region.partner.active_since is not None
        elif region.status == Region.Status.ONBOARDING:
            assert region.partner.status == Partner.Status.ONBOARDING
        else:
            assert region.partner is None, region
    # Whole states, county regions (California is split) and a ZIP-level region (the Bronx).
    assert RegionCounty.objects.filter(county__state__code="CA").count() == 58
    assert not RegionState.objects.filter(state__code="CA").exists()
    assert RegionZip.objects.filter(zip_code__city="Bronx").count() >= 5
    assert RegionState.objects.filter(state__code="WA").exists()
    # Every partner serves at least one region; onboarding partners have no start date yet.
    assert not Partner.objects.filter(is_demo=True, regions__isnull=True).exists()
    assert (
        not Partner.objects.filter(status=Partner.Status.ONBOARDING)
        .exclude(active_since=None)
        .exists()
    )


def test_every_partner_is_complete(seeded):
    terms = TermSheet.objects.current()
    assert terms is not None
    partners = Partner.objects.filter(is_demo=True).prefetch_related("program_managers__user")
    assert partners.count() >= 8
    for partner in partners:
        managers = list(partner.program_managers.all())
        assert 1 <= len(managers) <= 3, partner
        assert partner.program_manager_fte() >= MIN_PROGRAM_MANAGER_FTE, partner
        for pm in managers:
            assert Decimal("0.05") <= pm.fte_share <= Decimal("1.00")
            assert pm.user.role == Role.PROGRAM_MANAGER and pm.user.is_demo
        assert partner.organization_type in OrganizationType.values
        assert partner.description and partner.city and partner.state_id
        assert partner.website == f"https://{partner.slug[:63].strip('-')}.example.org"
        assert partner.contact_email.endswith("@example.org")
        assert partner.regional_manager.role == Role.REGIONAL_MANAGER
        assert partner.terms_version == terms


def test_fixed_managers_have_something_to_show(seeded):
    pm = User.objects.get(email="program-manager@demo.test")
    mine = Partner.objects.visible_to(pm)
    assert mine.count() >= 2
    assert mine.filter(status=Partner.Status.ACTIVE).exists()
    rm = User.objects.get(email="regional-manager@demo.test")
    assert Partner.objects.visible_to(rm).count() >= 2


def test_seeded_rows_pass_full_clean(seeded):
    for model in (Partner, Region):
        for obj in model.objects.filter(is_demo=True):
            obj.full_clean()
    for pm in ProgramManager.objects.all()[:20]:
        pm.full_clean()
    for user in User.objects.filter(is_demo=True).order_by("pk")[:40]:
        user.full_clean()
    for user in User.objects.filter(is_demo=True, role=Role.PROGRAM_MANAGER)[:10]:
        user.full_clean()


def test_second_run_changes_nothing(seeded):
    before = demo_counts()
    report = demo_seed()
    assert not report.created
    assert "already exists" in report.message
    assert demo_counts() == before


def test_reset_keeps_non_demo_rows_and_is_deterministic(geo):
    washington = State.objects.get(code="WA")
    person = User.objects.create_user("real.person@example.com", "x-Pass-123", role=Role.TEACHER)
    real_partner = Partner.objects.create(name="Real Org", organization_type="nonprofit")
    real_region = Region.objects.create(name="Washington", status=Region.Status.OPEN)
    RegionState.objects.create(region=real_region, state=washington)

    demo_seed()
    first = snapshot()
    counts = demo_counts()
    report = demo_seed(reset=True)
    assert report.created and report.deleted > 0
    assert snapshot() == first
    assert demo_counts() == counts

    person.refresh_from_db()
    real_partner.refresh_from_db()
    real_region.refresh_from_db()
    assert not (person.is_demo or real_partner.is_demo or real_region.is_demo)
    assert real_region.name == "Washington" and real_region.partner is None
    assert list(RegionState.objects.filter(state=washington)) == list(real_region.state_links.all())
    assert Region.objects.filter(is_demo=True, name="Washington").count() == 0
    assert Partner.objects.filter(is_demo=False).count() == 1
    assert User.objects.filter(is_demo=False).count() == 1


def test_scale_two_gives_more_of_everything(geo):
    demo_seed()
    one = demo_counts()
    demo_seed(scale=2, reset=True)
    two = demo_counts()
    assert two["partners"] > one["partners"]
    assert two["regions"] > one["regions"]
    assert two["users"] > one["users"]
    assert User.objects.filter(role=Role.TEACHER, is_demo=True).count() == 100


def test_loads_geography_when_empty(monkeypatch):
    calls = []
    real = geography.loader.load_geography

    def load(**kwargs):
        calls.append(kwargs)
        return real(states=["OR", "WA", "ID", "NV", "CT"])

    monkeypatch.setattr(geography.loader, "load_geography", load)
    report = demo_seed()
    assert calls == [{}]
    assert report.geography_loaded
    assert Region.objects.filter(is_demo=True).exists()


def test_command_seeds_once_and_prints_logins(geo):
    out = StringIO()
    call_command("seed_demo", "--logins-only", stdout=out)
    assert not User.objects.exists()
    for email, label in demo_logins():
        assert email in out.getvalue() and label in out.getvalue()
    assert settings.DEMO_PASSWORD in out.getvalue()

    out = StringIO()
    call_command("seed_demo", verbosity=0, stdout=out)
    assert "seeded" in out.getvalue()
    assert "admin@demo.test" in out.getvalue()
    counts = demo_counts()

    out = StringIO()
    call_command("seed_demo", verbosity=0, stdout=out)
    assert "already exists" in out.getvalue()
    assert "admin@demo.test" in out.getvalue()
    assert demo_counts() == counts
