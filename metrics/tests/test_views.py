"""The dashboards' pages: who sees what, what they show, their query counts and the targets form.

The figures themselves are metrics.selectors' (tested in test_selectors*); here a small world of
three partners with a little attendance and a teaching report is enough to see them on a page.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.program_years import program_year_bounds, program_year_for
from geography.models import Region, RegionState, State
from metrics.models import Metric, Target
from metrics.selectors import partner_figures
from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from workshops.models import WorkshopState
from workshops.tests.factories_attendance import (
    AttendanceFactory,
    TeachingReportFactory,
    workshop_with_teachers,
)

YEAR = program_year_for(timezone.localdate())
PROGRAM = "/manage/metrics/"
QUALITY = "/manage/metrics/quality/"
XSS = "<script>alert('x')</script>"


def dashboard(partner) -> str:
    return f"/manage/partners/{partner.slug}/metrics/"


def evidence(partner, metric: str) -> str:
    return f"/manage/partners/{partner.slug}/metrics/{metric}/"


def targets_page(partner) -> str:
    return f"/manage/partners/{partner.slug}/metrics/targets/"


def year_day(days: int) -> datetime.date:
    """A day of the current program year, `days` after it starts (attendance needs no clock)."""
    return program_year_bounds(YEAR)[0] + datetime.timedelta(days=days)


def teachers_came(partner, *, teachers: int, attended: int, students: int = 0):
    """A two-session workshop of the partner this year: `teachers` enrolled, the first
    `attended` of them at both sessions; one teaching report of `students` if any."""
    workshop, enrollments = workshop_with_teachers(
        teachers=teachers,
        sessions=2,
        starts_on=year_day(20),
        partner=partner,
        state=WorkshopState.ENDED,
    )
    for enrollment in enrollments[:attended]:
        for session in workshop.sessions.all():
            AttendanceFactory(enrollment=enrollment, session=session)
    if students:
        TeachingReportFactory(
            teacher=enrollments[0].teacher,
            program_year=YEAR,
            workshop=workshop,
            course=workshop.course,
            school=enrollments[0].school,
            students=students,
            female_students=students // 2,
            urm_students=students // 4,
        )
    return workshop


def served_region(partner, code: str, fips: str, name: str) -> Region:
    state, _ = State.objects.get_or_create(code=code, defaults={"fips": fips, "name": name})
    region = Region.objects.create(name=f"{name} region", status="served", partner=partner)
    RegionState.objects.create(region=region, state=state)
    return region


def build_world(make_user) -> dict:
    """Alpha (3 teachers came, 120 students) and Gamma (1 teacher) coached by rm_a; Beta
    (2 teachers, 30 students) by rm_b. Alpha serves Washington, Beta Oregon, Gamma no region."""
    rm_a = make_user(role="regional_manager")
    rm_b = make_user(role="regional_manager")
    alpha = PartnerFactory(name="Alpha Computing", regional_manager=rm_a)
    beta = PartnerFactory(name="Beta Coding", regional_manager=rm_b)
    gamma = PartnerFactory(name="Gamma Schools", regional_manager=rm_a)
    teachers_came(alpha, teachers=4, attended=3, students=120)
    teachers_came(beta, teachers=2, attended=2, students=30)
    teachers_came(gamma, teachers=1, attended=1)
    served_region(alpha, "WA", "53", "Washington")
    served_region(beta, "OR", "41", "Oregon")
    return {
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "rm_a": rm_a,
        "rm_b": rm_b,
        "pm_alpha": ProgramManagerFactory(partner=alpha).user,
        "admin": make_user(role="program_admin"),
    }


@pytest.fixture
def world(db, make_user):
    return build_world(make_user)


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def row_order(response) -> list[str]:
    """The partner names of the program table, top to bottom."""
    body = text(response).split('<table class="program-table">', 1)[1]
    return re.findall(r'<tr data-partner="([^"]+)"', body)


# --- Scope -------------------------------------------------------------------------------------


def test_program_dashboard_shows_an_admin_every_partner(client, world):
    response = signed_in(client, world["admin"]).get(PROGRAM)
    assert response.status_code == 200
    assert row_order(response) == ["alpha-computing", "beta-coding", "gamma-schools"]


def test_a_regional_manager_sees_only_their_partners(client, world):
    response = signed_in(client, world["rm_a"]).get(PROGRAM)
    assert response.status_code == 200
    assert row_order(response) == ["alpha-computing", "gamma-schools"]
    assert "Beta Coding" not in text(response)
    # Beta's region is ground on the map, not a link to a dashboard this manager cannot open.
    assert 'data-partner="beta-coding"' not in text(response)
    csv = client.get(PROGRAM, {"format": "csv"}).content.decode()
    assert "Alpha Computing" in csv and "Beta Coding" not in csv


def test_a_regional_manager_gets_404_on_another_managers_partner(client, world):
    client = signed_in(client, world["rm_a"])
    assert client.get(dashboard(world["alpha"])).status_code == 200
    assert client.get(dashboard(world["beta"])).status_code == 404
    assert client.get(evidence(world["beta"], "teachers_attended")).status_code == 404


def test_a_program_manager_sees_only_their_own_partners_dashboard(client, world):
    client = signed_in(client, world["pm_alpha"])
    assert client.get(dashboard(world["alpha"])).status_code == 200
    assert client.get(evidence(world["alpha"], "students_reached")).status_code == 200
    assert client.get(dashboard(world["beta"])).status_code == 404
    assert client.get(PROGRAM).status_code == 404
    assert client.get(QUALITY).status_code == 404


@pytest.mark.parametrize("role", ["teacher", "facilitator", "applicant"])
def test_other_roles_get_404_everywhere(client, world, make_user, role):
    client = signed_in(client, make_user(role=role))
    for url in (PROGRAM, QUALITY, dashboard(world["alpha"]), targets_page(world["alpha"])):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in (PROGRAM, QUALITY, dashboard(world["alpha"]), evidence(world["alpha"], "pm_fte")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_the_quality_breakdown_keeps_a_regional_manager_to_their_partners(client, world):
    response = signed_in(client, world["rm_a"]).get(QUALITY, {"by": "partner"})
    assert response.status_code == 200
    assert "Alpha Computing" in text(response)
    assert "Beta Coding" not in text(response)


# --- Navigation --------------------------------------------------------------------------------


def test_the_metrics_item_is_in_the_office_navigation_only(client, world):
    nav = '<a href="/manage/metrics/"'
    assert nav in text(signed_in(client, world["admin"]).get("/manage/partners/"))
    assert nav in text(signed_in(client, world["rm_a"]).get("/manage/partners/"))
    page = signed_in(client, world["pm_alpha"]).get(dashboard(world["alpha"]))
    assert nav not in text(page)
    # The workspace's own section, marked as the current one.
    assert re.search(
        rf'<a href="{dashboard(world["alpha"])}" aria-current="page">Metrics</a>', text(page)
    )


def test_the_partner_switcher_lands_on_the_other_partners_metrics(client, world):
    client = signed_in(client, world["rm_a"])
    response = client.get(
        "/manage/partners/switch/", {"partner": "gamma-schools", "section": "metrics"}
    )
    assert response.status_code == 302
    assert response["Location"] == dashboard(world["gamma"])


# --- The partner dashboard ---------------------------------------------------------------------


def test_the_partner_dashboard_shows_each_figure_against_its_target(client, world):
    alpha = world["alpha"]
    Target.objects.create(
        partner=alpha, program_year=YEAR, metric=Metric.STUDENTS_REACHED, value=100
    )
    Target.objects.create(
        partner=alpha, program_year=YEAR, metric=Metric.PM_FTE, value=Decimal("2")
    )
    response = signed_in(client, world["pm_alpha"]).get(dashboard(alpha))
    page = text(response)
    assert response.status_code == 200
    for group in ("Teachers", "Students", "Implementation", "Diversity", "Workshop quality"):
        assert f">{group}</h2>" in page
    # Students reached: 120 against 100, met, in words; the figure links to its evidence.
    row = page.split('id="metric-students_reached"', 1)[1].split("</tr>", 1)[0]
    assert f'href="{evidence(alpha, "students_reached")}?year={YEAR}"' in row
    assert ">120<" in row and "100" in row
    assert '<span class="state state-met">Met</span>' in row
    # 0.5 FTE of program managers against 2: not there yet, said in words.
    row = page.split('id="metric-pm_fte"', 1)[1].split("</tr>", 1)[0]
    assert "0.50 FTE" in row and "2.00 FTE" in row and "At risk" in row
    # A metric without a target says so instead of a colour.
    row = page.split('id="metric-teachers_attended"', 1)[1].split("</tr>", 1)[0]
    assert "No target" in row and "No status" in row
    # Diversity shares sit beside the region's own share.
    assert "Region&#x27;s own share" in page or "Region's own share" in page


def test_the_partner_dashboard_passes_chart_data_as_json_without_inline_script(client, world):
    page = text(signed_in(client, world["pm_alpha"]).get(dashboard(world["alpha"])))
    assert '<script id="trend-data" type="application/json">' in page
    assert "vendor/chart.js/chart.umd.min.js" in page and "js/dashboards.js" in page
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page)
    assert scripts == []
    # The charts' data table: every year of the trend, each figure a link to its evidence.
    assert f"{evidence(world['alpha'], 'teachers_attended')}?year={YEAR}" in page
    assert "data-trend-charts hidden" in page  # shown by the script only


def test_the_partner_dashboard_lists_implementation_per_course(client, world):
    page = text(signed_in(client, world["pm_alpha"]).get(dashboard(world["alpha"])))
    section = page.split('id="courses-heading"', 1)[1].split("</section>", 1)[0]
    # Three teachers attended the course's workshop, one reports teaching it: 33%.
    assert ">3</td>" in section and ">1<span" in section and "33%" in section


def test_the_year_selector_shows_another_year_and_ignores_a_bad_one(client, world):
    client = signed_in(client, world["pm_alpha"])
    before = program_year_for(year_day(-10))
    response = client.get(dashboard(world["alpha"]), {"year": before})
    assert f"<h1>Metrics, {before}</h1>" in text(response)
    response = client.get(dashboard(world["alpha"]), {"year": "1999-00"})
    assert response.status_code == 200
    assert f"<h1>Metrics, {YEAR}</h1>" in text(response)


def test_program_managers_and_regional_managers_see_targets_without_the_edit_link(client, world):
    for user in (world["pm_alpha"], world["rm_a"]):
        page = text(signed_in(client, user).get(dashboard(world["alpha"])))
        assert targets_page(world["alpha"]) not in page
    page = text(signed_in(client, world["admin"]).get(dashboard(world["alpha"])))
    assert f"{targets_page(world['alpha'])}?year={YEAR}" in page


# --- Evidence ----------------------------------------------------------------------------------


def test_the_evidence_page_lists_the_records_behind_a_figure(client, world):
    response = signed_in(client, world["pm_alpha"]).get(
        evidence(world["alpha"], "teachers_attended")
    )
    assert response.status_code == 200
    page = text(response)
    assert "3 records in" in page
    assert page.count("<tr>") == 4  # the heading row and three teachers


def test_the_evidence_page_is_paginated(client, world, monkeypatch):
    from metrics import views

    monkeypatch.setattr(views, "EVIDENCE_PER_PAGE", 2)
    client = signed_in(client, world["pm_alpha"])
    first = text(client.get(evidence(world["alpha"], "teachers_attended")))
    assert "Page 1 of 2" in first and "1 to 2 on this page" in first
    second = text(client.get(evidence(world["alpha"], "teachers_attended"), {"page": 2}))
    assert "Page 2 of 2" in second


@pytest.mark.parametrize("metric", [m.value for m in Metric])
def test_every_metric_has_an_evidence_page(client, world, metric):
    response = signed_in(client, world["rm_a"]).get(evidence(world["alpha"], metric))
    assert response.status_code == 200
    assert f'href="{dashboard(world["alpha"])}?year={YEAR}#metric-{metric}"' in text(response)


def test_an_unknown_metric_has_no_evidence_page(client, world):
    response = signed_in(client, world["admin"]).get(evidence(world["alpha"], "happiness"))
    assert response.status_code == 404


# --- Query counts ------------------------------------------------------------------------------


def queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


# Each with the session and the user. The partner dashboard: the partner, the figures'
# fingerprint (metrics.cache), the figures over four years, the targets and the survey
# questions. The program dashboard: the partners' ids and the fingerprint, `program_dashboard`
# and the map (the fingerprint, and the outlines on a cache miss).
PARTNER_DASHBOARD_QUERIES = 15
PROGRAM_DASHBOARD_QUERIES = 20
QUALITY_QUERIES = 7


def test_the_partner_dashboard_runs_a_fixed_number_of_queries(client, world, make_user):
    admin = signed_in(client, world["admin"])
    small = queries(admin, dashboard(world["gamma"]))  # one teacher, no report
    for _ in range(3):
        teachers_came(world["alpha"], teachers=3, attended=2, students=25)
    large = queries(admin, dashboard(world["alpha"]))
    assert small == large == PARTNER_DASHBOARD_QUERIES


def test_the_program_dashboard_runs_a_fixed_number_of_queries(client, world, make_user):
    rm = make_user(role="regional_manager")
    lone = PartnerFactory(name="Lone Partner", regional_manager=rm)
    teachers_came(lone, teachers=1, attended=1)
    one = queries(signed_in(client, rm), PROGRAM)
    for i in range(4):
        more = PartnerFactory(name=f"More Partner {i}", regional_manager=rm)
        teachers_came(more, teachers=2, attended=1, students=10)
        Target.objects.create(partner=more, program_year=YEAR, metric=Metric.PM_FTE, value=1)
    served_region(lone, "ID", "16", "Idaho")
    several = queries(signed_in(client, rm), PROGRAM)
    assert one == several == PROGRAM_DASHBOARD_QUERIES
    # The figures and the map's outlines are cached: a second look costs their fingerprints.
    assert queries(client, PROGRAM) == PROGRAM_DASHBOARD_QUERIES - 15


def test_a_cached_dashboard_shows_every_change_at_once(client, world):
    """The dashboards are cached under a fingerprint of what they count (metrics.cache)."""
    signed_in(client, world["admin"])
    gamma = world["gamma"]

    def attended(url) -> str:
        page = text(client.get(url))
        return page.split('id="metric-teachers_attended"', 1)[1].split("</tr>", 1)[0]

    before = attended(dashboard(gamma))
    assert attended(dashboard(gamma)) == before  # served from the cache
    assert queries(client, dashboard(gamma)) == PARTNER_DASHBOARD_QUERIES - 11
    teachers_came(gamma, teachers=2, attended=1)  # enrollments and attendance, as the app makes
    after = attended(dashboard(gamma))
    assert after != before
    program_before = text(client.get(PROGRAM))
    Target.objects.create(partner=gamma, program_year=YEAR, metric=Metric.PM_FTE, value=1)
    assert text(client.get(PROGRAM)) != program_before


def test_the_quality_breakdown_runs_a_fixed_number_of_queries(client, world):
    admin = signed_in(client, world["admin"])
    few = queries(admin, QUALITY, by="partner")
    for _ in range(3):
        teachers_came(world["beta"], teachers=2, attended=1)
    assert few == queries(admin, QUALITY, by="partner") == QUALITY_QUERIES


# --- Sorting -----------------------------------------------------------------------------------


def test_the_program_table_sorts_by_any_metric_both_ways(client, world):
    client = signed_in(client, world["admin"])
    # Students reached: Alpha 120, Beta 30, Gamma 0.
    response = client.get(PROGRAM, {"sort": "-students_reached"})
    assert row_order(response) == ["alpha-computing", "beta-coding", "gamma-schools"]
    response = client.get(PROGRAM, {"sort": "students_reached"})
    assert row_order(response) == ["gamma-schools", "beta-coding", "alpha-computing"]
    # Female students: half of Alpha's and of Beta's (the name breaks the tie); Gamma has no
    # students, so no share, and comes last whichever way.
    for sort in ("female_share", "-female_share"):
        response = client.get(PROGRAM, {"sort": sort})
        assert row_order(response) == ["alpha-computing", "beta-coding", "gamma-schools"]


def test_the_program_table_sorts_by_status_counts(client, world):
    # Gamma misses nothing yet but is at risk on two metrics; Beta on one.
    for partner, metrics in ((world["gamma"], 2), (world["beta"], 1)):
        for metric in [Metric.PM_FTE, Metric.SUMMITS_ATTENDED][:metrics]:
            Target.objects.create(partner=partner, program_year=YEAR, metric=metric, value=5)
    response = signed_in(client, world["admin"]).get(PROGRAM, {"sort": "-at_risk"})
    assert row_order(response) == ["gamma-schools", "beta-coding", "alpha-computing"]


def test_sortable_headers_say_how_the_table_is_sorted(client, world):
    page = text(signed_in(client, world["admin"]).get(PROGRAM, {"sort": "-students_reached"}))
    headers = re.findall(r"<th scope=\"col\"[^>]*>", page.split("program-table", 1)[1])
    sorted_headers = [h for h in headers if "aria-sort" in h]
    assert sorted_headers == ['<th scope="col" class="num" aria-sort="descending">']
    # Its link reverses the order; another column's starts with the largest figure.
    assert "sort=students_reached" in page
    assert "sort=-teachers_attended" in page
    assert "sorted by students reached, descending" in page


def test_an_unknown_sort_falls_back_to_the_partner_name(client, world):
    response = signed_in(client, world["admin"]).get(PROGRAM, {"sort": "salary", "year": YEAR})
    assert response.status_code == 200
    assert row_order(response) == ["alpha-computing", "beta-coding", "gamma-schools"]
    assert 'aria-sort="ascending"' in text(response)


# --- The map -----------------------------------------------------------------------------------


def map_regions(response) -> dict[str, tuple[str, str]]:
    """The coloured regions: partner slug -> (band, accessible name)."""
    return {
        slug: (band, label)
        for slug, band, label in re.findall(
            r'<a href="[^"]+" class="map-region choropleth-[^"]+" data-partner="([^"]+)"'
            r' data-band="([^"]+)" aria-label="([^"]+)">',
            text(response),
        )
    }


def test_the_map_is_coloured_by_the_chosen_metric(client, world):
    client = signed_in(client, world["admin"])
    by_students = map_regions(client.get(PROGRAM, {"metric": "students_reached"}))
    assert set(by_students) == {"alpha-computing", "beta-coding"}  # Gamma has no region
    alpha_band, alpha_label = by_students["alpha-computing"]
    beta_band, beta_label = by_students["beta-coding"]
    assert int(alpha_band) > int(beta_band)  # 120 students is darker than 30
    assert alpha_label == "Alpha Computing (Washington region): Students reached 120"
    assert beta_label == "Beta Coding (Oregon region): Students reached 30"

    by_teachers = map_regions(client.get(PROGRAM, {"metric": "teachers_attended"}))
    assert by_teachers["alpha-computing"][1].endswith("Teachers who attended 3")
    assert by_teachers["beta-coding"][1].endswith("Teachers who attended 2")


def test_the_map_legend_and_table_carry_the_same_figures(client, world):
    page = text(signed_in(client, world["admin"]).get(PROGRAM, {"metric": "students_reached"}))
    legend = page.split('class="map-legend"', 1)[1].split("</ul>", 1)[0]
    assert "(1 partner)" in legend
    assert "Without a region on the map: Gamma Schools." in page
    # Each region links to the partner's dashboard for the year.
    assert f'<a href="{dashboard(world["alpha"])}?year={YEAR}" class="map-region' in page


def test_a_region_without_a_figure_is_labelled_as_such(client, world):
    page = text(signed_in(client, world["admin"]).get(PROGRAM, {"metric": "survey_mean"}))
    label = "Alpha Computing (Washington region): Workshop survey mean, no data"
    assert f'data-band="none" aria-label="{label}"' in page


def test_an_unknown_map_metric_falls_back_to_teachers(client, world):
    response = signed_in(client, world["admin"]).get(PROGRAM, {"metric": "nope"})
    assert response.status_code == 200
    assert "Teachers who attended by region" in text(response)


# --- Targets -----------------------------------------------------------------------------------


def test_an_admin_sets_targets_in_the_units_people_use(client, world):
    alpha = world["alpha"]
    client = signed_in(client, world["admin"])
    form = client.get(targets_page(alpha), {"year": YEAR})
    assert form.status_code == 200
    response = client.post(
        f"{targets_page(alpha)}?year={YEAR}",
        {"teachers_attended": "40", "female_share": "45", "survey_mean": "4.2", "pm_fte": "0.75"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{dashboard(alpha)}?year={YEAR}"
    saved = dict(
        Target.objects.filter(partner=alpha, program_year=YEAR).values_list("metric", "value")
    )
    assert saved == {
        "teachers_attended": Decimal("40.00"),
        "female_share": Decimal("0.45"),
        "survey_mean": Decimal("4.20"),
        "pm_fte": Decimal("0.75"),
    }
    # Back on the form: each target shown as typed, and the history names who set what.
    page = text(client.get(targets_page(alpha), {"year": YEAR}))
    shown = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    shown.pop("csrfmiddlewaretoken", None)
    assert shown == {
        "teachers_attended": "40",
        "female_share": "45",
        "survey_mean": "4.2",
        "pm_fte": "0.75",
    }
    history = page.split('id="history-heading"', 1)[1]
    assert str(world["admin"]) in history
    assert "Female students" in history and "45%" in history
    # Saving the form unchanged keeps every target as it was.
    response = client.post(f"{targets_page(alpha)}?year={YEAR}", shown)
    assert response.status_code == 302
    after = Target.objects.filter(partner=alpha, program_year=YEAR).values_list("metric", "value")
    assert dict(after) == saved


def test_targets_errors_sit_next_to_their_fields_and_keep_what_was_typed(client, world):
    client = signed_in(client, world["admin"])
    response = client.post(
        f"{targets_page(world['alpha'])}?year={YEAR}",
        {"teachers_attended": "12.5", "female_share": "145", "survey_mean": "4"},
    )
    assert response.status_code == 400
    page = text(response)
    for name in ("teachers_attended", "female_share"):
        block = page.split(f'for="id_{name}"', 1)[1].split('class="helptext"', 1)[0]
        assert 'class="errorlist"' in block, name
    assert 'name="teachers_attended" value="12.5"' in page
    assert 'name="female_share" value="145"' in page
    assert 'name="survey_mean" value="4"' in page
    assert not Target.objects.exists()


def test_a_service_refusal_lands_next_to_its_field(client, world, monkeypatch):
    from django.core.exceptions import ValidationError

    from metrics import services

    def refuse(**kwargs):
        raise ValidationError({"pm_fte": "Not more than the partner can staff."})

    monkeypatch.setattr(services, "targets_save", refuse)
    response = signed_in(client, world["admin"]).post(
        f"{targets_page(world['alpha'])}?year={YEAR}", {"pm_fte": "3"}
    )
    assert response.status_code == 400
    block = text(response).split('for="id_pm_fte"', 1)[1].split('class="helptext"', 1)[0]
    assert "Not more than the partner can staff." in block
    assert 'name="pm_fte" value="3"' in text(response)


def test_only_program_admins_have_a_targets_page(client, world):
    for user in (world["pm_alpha"], world["rm_a"]):
        client = signed_in(client, user)
        assert client.get(targets_page(world["alpha"])).status_code == 404
        response = client.post(targets_page(world["alpha"]), {"teachers_attended": "9"})
        assert response.status_code == 404
    assert not Target.objects.exists()


# --- Escaping ----------------------------------------------------------------------------------


def test_a_partner_name_is_escaped_on_every_page(client, world):
    alpha = world["alpha"]
    alpha.name = XSS
    alpha.save()
    client = signed_in(client, world["admin"])
    urls = [
        dashboard(alpha),
        evidence(alpha, "teachers_attended"),
        evidence(alpha, "students_reached"),
        targets_page(alpha),
        PROGRAM,
        PROGRAM + "?metric=students_reached",
        QUALITY + "?by=partner",
        QUALITY + "?by=workshop",
    ]
    for url in urls:
        page = text(client.get(url))
        assert XSS not in page, url
        assert "&lt;script&gt;alert(" in page, url


# --- QA of issue 8 -----------------------------------------------------------------------------


def form_values(page: str) -> dict[str, str]:
    shown = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    shown.pop("csrfmiddlewaretoken", None)
    return shown


def test_a_target_with_two_decimals_saves_unchanged(client, world):
    alpha = world["alpha"]
    Target.objects.create(
        partner=alpha, program_year=YEAR, metric=Metric.SURVEY_MEAN, value=Decimal("4.47")
    )
    client = signed_in(client, world["admin"])
    shown = form_values(text(client.get(targets_page(alpha), {"year": YEAR})))
    assert shown == {"survey_mean": "4.47"}
    response = client.post(f"{targets_page(alpha)}?year={YEAR}", shown)
    assert response.status_code == 302
    assert Target.objects.get(partner=alpha).value == Decimal("4.47")
    # A mean takes two decimals, no more (the target is stored with two).
    response = client.post(f"{targets_page(alpha)}?year={YEAR}", {"survey_mean": "4.475"})
    assert response.status_code == 400
    # The history shows the old and new targets as precisely as they are stored.
    Target.objects.filter(partner=alpha).delete()
    client.post(f"{targets_page(alpha)}?year={YEAR}", {"survey_mean": "4.47"})
    client.post(f"{targets_page(alpha)}?year={YEAR}", {"survey_mean": "4.5"})
    history = text(client.get(targets_page(alpha), {"year": YEAR})).split('id="history-heading"')[1]
    assert "<del>4.47</del> → <ins>4.50</ins>" in history


def test_a_mistyped_target_is_refused_kept_and_not_deleted(client, world):
    alpha = world["alpha"]
    Target.objects.create(
        partner=alpha, program_year=YEAR, metric=Metric.TEACHERS_ATTENDED, value=40
    )
    client = signed_in(client, world["admin"])
    page = text(client.get(targets_page(alpha), {"year": YEAR}))
    # Text inputs with a numeric keyboard: a browser sends what was typed, never a blank
    # standing for a number it could not read.
    inputs = re.findall(r'<input type="(\w+)" name="(\w+)"[^>]*>', page)
    assert {kind for kind, name in inputs if name in {str(m) for m in Metric}} == {"text"}
    assert 'name="teachers_attended" value="40" inputmode="numeric"' in page
    assert 'name="survey_mean" inputmode="decimal"' in page

    response = client.post(
        f"{targets_page(alpha)}?year={YEAR}", {"teachers_attended": "2e", "pm_fte": "abc"}
    )
    assert response.status_code == 400
    page = text(response)
    assert form_values(page) == {"teachers_attended": "2e", "pm_fte": "abc"}
    for name in ("teachers_attended", "pm_fte"):
        block = page.split(f'for="id_{name}"', 1)[1].split('class="helptext"', 1)[0]
        assert 'class="errorlist"' in block, name
    # The summary above the form, which the script focuses, links to each field.
    summary = page.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert "2 things to fix" in summary
    assert 'href="#id_teachers_attended"' in summary and 'href="#id_pm_fte"' in summary
    assert "js/dashboards.js" in page
    assert Target.objects.get(partner=alpha).value == Decimal("40")


def test_a_count_target_may_be_typed_with_thousands_separators(client, world):
    alpha = world["alpha"]
    response = signed_in(client, world["admin"]).post(
        f"{targets_page(alpha)}?year={YEAR}", {"students_reached": " 1,200 "}
    )
    assert response.status_code == 302
    assert Target.objects.get(partner=alpha).value == Decimal("1200")


def test_next_years_targets_lead_to_next_years_dashboard(client, world):
    alpha = world["alpha"]
    following = program_year_for(program_year_bounds(YEAR)[1] + datetime.timedelta(days=10))
    client = signed_in(client, world["admin"])
    response = client.post(f"{targets_page(alpha)}?year={following}", {"teachers_attended": "9"})
    assert response["Location"] == f"{dashboard(alpha)}?year={following}"
    page = text(client.get(response["Location"]))
    assert f"<h1>Metrics, {following}</h1>" in page
    assert "errorlist" not in page
    row = page.split('id="metric-teachers_attended"', 1)[1].split("</tr>", 1)[0]
    assert ">9<" in row
    # Its evidence pages show that year too.
    page = text(client.get(evidence(alpha, "teachers_attended"), {"year": following}))
    assert f'{dashboard(alpha)}?year={following}#metric-teachers_attended"' in page


def test_targets_set_without_history_are_not_called_missing(client, world):
    alpha = world["alpha"]
    client = signed_in(client, world["admin"])
    page = text(client.get(targets_page(alpha), {"year": YEAR}))
    assert f"No target has been set for {YEAR} yet." in page
    # Loaded in bulk, as the demo does: no audit entry.
    Target.objects.bulk_create(
        [Target(partner=alpha, program_year=YEAR, metric=Metric.PM_FTE, value=1)]
    )
    page = text(client.get(targets_page(alpha), {"year": YEAR}))
    assert "No target has been set" not in page
    assert f"No change to the {YEAR} targets is recorded" in page


def test_the_regions_own_share_is_not_a_link_to_the_partners_records(client, world):
    page = text(signed_in(client, world["pm_alpha"]).get(dashboard(world["alpha"])))
    row = page.split('id="metric-female_share"', 1)[1].split("</tr>", 1)[0]
    region_cell = row.split('data-label="Region\'s own share"', 1)[1]
    assert "among the region" in region_cell and "<a " not in region_cell


def test_per_course_figures_link_to_that_courses_records(client, world):
    alpha = world["alpha"]
    other = teachers_came(alpha, teachers=1, attended=1, students=15)
    first = alpha.workshops.exclude(pk=other.pk).get()
    client = signed_in(client, world["pm_alpha"])
    page = text(client.get(dashboard(alpha)))
    section = page.split('id="courses-heading"', 1)[1].split("</section>", 1)[0]
    for workshop in (first, other):
        for metric in ("teachers_implementing", "schools_implementing"):
            url = f"{evidence(alpha, metric)}?year={YEAR}&amp;course={workshop.course_id}"
            assert f'href="{url}"' in section
    # No per-course cell leads to the partner-wide records.
    assert f'href="{evidence(alpha, "teachers_implementing")}?year={YEAR}"' not in section

    response = client.get(
        evidence(alpha, "teachers_implementing"), {"year": YEAR, "course": other.course_id}
    )
    page = text(response)
    assert f"1 record of {other.course.name} in {YEAR}" in page
    assert page.count("<tr>") == 2
    # The year form keeps the course; the download has the course's rows only.
    assert f'name="course" value="{other.course_id}"' in page
    csv = client.get(
        evidence(alpha, "teachers_implementing"),
        {"year": YEAR, "course": other.course_id, "format": "csv"},
    ).content.decode("utf-8-sig")
    assert len(csv.strip().splitlines()) == 2 and other.course.name in csv
    # An unknown course quietly shows every course's records.
    page = text(client.get(evidence(alpha, "teachers_implementing"), {"course": "999999"}))
    assert "2 records in" in page and "errorlist" not in page


def test_a_wrong_query_value_falls_back_quietly(client, world):
    client = signed_in(client, world["admin"])
    for url, params in (
        (dashboard(world["alpha"]), {"year": "garbage"}),
        (evidence(world["alpha"], "students_reached"), {"year": "1999-00"}),
        (targets_page(world["alpha"]), {"year": "zzz"}),
        (PROGRAM, {"year": "garbage", "metric": "zzz", "sort": "salary"}),
        (QUALITY, {"year": "garbage", "by": "zzz"}),
    ):
        response = client.get(url, params)
        page = text(response)
        assert response.status_code == 200, url
        assert "Select a valid choice" not in page and "errorlist" not in page, url
        # The year shown in the form is the one the page uses.
        assert f'<option value="{YEAR}" selected>' in page, url
    page = text(client.get(PROGRAM, {"metric": "zzz"}))
    assert '<option value="teachers_attended" selected>' in page


def test_a_target_without_a_figure_reads_no_data_on_both_dashboards_and_the_export(client, world):
    """A share with no students behind it cannot be judged: "No data", never a status."""
    alpha = world["alpha"]
    Target.objects.create(
        partner=alpha, program_year=YEAR, metric=Metric.SUSTAINABILITY_SHARE, value=Decimal("0.3")
    )
    figures = partner_figures([alpha.pk], YEAR)[alpha.pk]
    assert figures.values[Metric.SUSTAINABILITY_SHARE] is None
    admin = signed_in(client, world["admin"])
    row = text(admin.get(dashboard(alpha))).split('id="metric-sustainability_share"', 1)[1]
    assert "No data" in row.split("</tr>", 1)[0]
    program = text(admin.get("/manage/metrics/", {"year": YEAR}))
    assert "No data" in program
    csv_text = admin.get("/manage/metrics/", {"year": YEAR, "format": "csv"}).content.decode(
        "utf-8-sig"
    )
    assert "No data" in csv_text
