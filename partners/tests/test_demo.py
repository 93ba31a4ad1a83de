"""The demo seed: fixed logins, a consistent program, idempotence, reset and determinism."""

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

import geography.loader
from accounts.models import Role, User
from core.program_years import previous_program_year, program_year_for
from districts.models import School
from geography.models import Region, RegionCounty, RegionState, RegionZip, State
from metrics.models import Metric, Target
from metrics.selectors import partner_figures, program_totals
from pages.models import TermSheet
from partners.demo import demo_logins, demo_seed
from partners.models import MIN_PROGRAM_MANAGER_FTE, OrganizationType, Partner, ProgramManager
from workshops.models import Enrollment

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
    # The named teachers and each active partner's own local teachers.
    active = Partner.objects.filter(is_demo=True, status=Partner.Status.ACTIVE).count()
    assert roles[Role.TEACHER] > 50 + 20 * active
    assert roles[Role.FACILITATOR] == 15
    assert roles[Role.APPLICANT] == 10
    assert 4 <= roles[Role.REGIONAL_MANAGER] <= 6
    for email in User.objects.filter(is_demo=True).values_list("email", flat=True):
        domain = email.rsplit("@", 1)[1]
        assert domain in {"demo.test", "example.org", "example.com"} or domain.endswith(
            ".example.org"
        ), email


def test_teachers_are_local_and_the_figures_add_up(seeded):
    """Each partner's workshops are filled by teachers of its own region, a few come back the
    next year, a few visit another partner's online workshop; partial attendance and shares
    of independent funding look like a program's (metrics.selectors reads them)."""
    today = timezone.localdate()
    current = program_year_for(today)
    last = previous_program_year(current)
    attended = Enrollment.objects.filter(attendances__isnull=False).distinct()
    home = School.objects.filter(pk=OuterRef("teacher__school")).values(
        "zip_code__region__partner"
    )[:1]
    mine = attended.filter(teacher__school__isnull=False).annotate(home=Subquery(home))
    local = mine.filter(home=F("workshop__partner")).count()
    assert local >= 0.85 * mine.count()
    assert local < mine.count()  # some visit another partner
    by_year = {
        year: set(
            attended.filter(workshop__program_year=year).values_list("teacher", "workshop__partner")
        )
        for year in (last, current)
    }
    returning = by_year[last] & by_year[current]
    assert 0.1 * len(by_year[current]) < len(returning) < 0.5 * len(by_year[current])

    active = list(
        Partner.objects.filter(is_demo=True, status=Partner.Status.ACTIVE).values_list(
            "pk", "active_since"
        )
    )
    ids = [pk for pk, _ in active]
    for year in (last, current):
        totals = program_totals(year)
        figures = partner_figures(ids, year, today=today)
        summed = sum(f.values[Metric.TEACHERS_ATTENDED] for f in figures.values())
        assert 0.85 * summed <= totals.teachers <= summed
        assert totals.teachers > 10 * len(ids)
        completed = sum(f.values[Metric.TEACHERS_COMPLETED] for f in figures.values())
        assert completed < summed  # some attended only part of a workshop
        shares = [f.values[Metric.SUSTAINABILITY_SHARE] for f in figures.values()]
        known = [s for s in shares if s is not None]
        assert known and all(Decimal("0.04") <= s <= Decimal("0.61") for s in known)
    # Growth targets only where there was a year before; FTE targets near today's figure.
    targets = Target.objects.filter(partner__in=ids)
    assert not targets.filter(metric=Metric.TEACHER_GROWTH, program_year=last).exists()
    assert targets.filter(metric=Metric.TEACHER_GROWTH, program_year=current).exists()
    assert targets.filter(metric=Metric.PM_FTE, program_year=current).count() == len(ids)
    # Nothing before a partner became active.
    for pk, since in active:
        if since and program_year_for(since) > last:
            assert (
                partner_figures([pk], last, today=today)[pk].values[Metric.SUSTAINABILITY_SHARE]
                is None
            )


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
    teachers = User.objects.filter(role=Role.TEACHER, is_demo=True)
    one_teachers = teachers.count()
    demo_seed(scale=2, reset=True)
    two = demo_counts()
    assert two["partners"] > one["partners"]
    assert two["regions"] > one["regions"]
    assert two["users"] > one["users"]
    assert teachers.count() > one_teachers


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
