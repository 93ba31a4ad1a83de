import pytest
from django.core.cache import cache
from django.urls import reverse

from geography.models import County, RegionCounty, RegionState, State
from geography.tests.factories import RegionFactory
from pages.models import ContentBlock, TermSheet
from pages.services import termsheet_publish
from partners.tests.factories import PartnerFactory

PROGRAM = "/educate/regional-partner/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def figure(response, name):
    html = response.content.decode()
    marker = f'data-figure="{name}">'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index("<", start)].replace(",", ""))


@pytest.mark.django_db
def test_root_redirects_to_program_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == PROGRAM


@pytest.mark.django_db
def test_program_page_has_every_promise_of_the_program(client):
    response = client.get(PROGRAM)
    assert response.status_code == 200
    text = response.content.decode()
    for fact in [
        "K-12 computer science hub",
        "Regional Partner Summit",
        "funding based on demonstrated need",
        "regional education unit, nonprofit or",
        "0.5 of a full-time position",
        "September and February",
        "5-day teacher conference",
        "accredited by the program office",
        "community of",
        "Independent funding",
        "diversity",
        "onsite staffer",
        "official Regional Partner",
        "dedicated regional manager",
        "Coaching and tools",
        "Apply now",
        "Share the one-pager",
    ]:
        assert fact in text, fact
    assert reverse("pages:terms") in text
    assert reverse("pages:apply") in text
    assert reverse("pages:one_pager") in text


@pytest.mark.django_db
def test_program_figures_come_from_the_database(client, geography):
    wa, ny = State.objects.get(code="WA"), State.objects.get(code="NY")
    served = RegionFactory(status="served", partner=PartnerFactory(status="active"))
    RegionState.objects.create(region=served, state=wa)
    county_region = RegionFactory(status="served", partner=PartnerFactory(status="active"))
    RegionCounty.objects.create(
        region=county_region, county=County.objects.filter(state=ny).first()
    )
    RegionFactory(status="open")
    RegionFactory(status="open")
    RegionFactory(status="closed")
    PartnerFactory(status="onboarding")

    response = client.get(PROGRAM)
    assert figure(response, "partners") == 2
    assert figure(response, "states_served") == 2
    assert figure(response, "open_regions") == 2


@pytest.mark.django_db
def test_program_page_lists_regions_in_fixed_queries(
    client, geography, django_assert_max_num_queries
):
    wa = State.objects.get(code="WA")
    for n in range(3):
        region = RegionFactory(status="open")
        if n == 0:
            RegionState.objects.create(region=region, state=wa)
    # 14, and 4 for the teachers and students figures (their fingerprint, the year they speak
    # for, teachers, students).
    with django_assert_max_num_queries(18) as few:
        client.get(PROGRAM)
    for _ in range(20):
        RegionFactory(status="served", partner=PartnerFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PROGRAM)
    assert response.content.decode().count('id="region-') == 23


@pytest.mark.django_db
def test_edited_content_shows_and_script_never_runs(client):
    block = ContentBlock.objects.get(key="about")
    block.body = 'We **changed** this.\n\n<script>alert(1)</script><img src=x onerror="alert(2)">'
    block.save()
    text = client.get(PROGRAM).content.decode()
    assert "<strong>changed</strong>" in text
    assert "<script>alert(1)" not in text
    assert "onerror" not in text


@pytest.mark.django_db
def test_terms_show_current_version_and_keep_old_ones(client, program_admin):
    first = TermSheet.objects.current()
    response = client.get(reverse("pages:terms"))
    assert response.status_code == 200
    assert first.version in response.content.decode()

    draft = TermSheet.objects.create(version="2027.1", body="## New terms\n\nUpdated.")
    assert client.get("/educate/regional-partner/terms/2027.1/").status_code == 404
    termsheet_publish(termsheet=draft, user=program_admin)

    current = client.get(reverse("pages:terms")).content.decode()
    assert "2027.1" in current and "New terms" in current
    old = client.get(f"/educate/regional-partner/terms/{first.version}/")
    assert old.status_code == 200
    assert "earlier version" in old.content.decode()
    assert client.get("/educate/regional-partner/terms/no-such/").status_code == 404


@pytest.mark.django_db
def test_published_terms_cannot_change(program_admin):
    from django.core.exceptions import ValidationError

    sheet = TermSheet.objects.current()
    sheet.body = "Sneaky edit"
    with pytest.raises(ValidationError):
        sheet.full_clean()


@pytest.mark.django_db
def test_publishing_twice_keeps_the_first_date(program_admin):
    draft = TermSheet.objects.create(version="2027.2", body="Body")
    published = termsheet_publish(termsheet=draft, user=program_admin)
    again = termsheet_publish(termsheet=draft, user=program_admin)
    assert again.published_at == published.published_at
    assert again.published_by == program_admin


@pytest.mark.django_db
def test_one_pager_is_a_one_page_pdf_cached_until_content_changes(
    client, django_assert_max_num_queries
):
    response = client.get(reverse("pages:one_pager"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")

    from pages import pdf as pdf_module

    document = pdf_module.one_pager_document(base_url="http://testserver/educate/regional-partner/")
    assert len(document.pages) == 1

    calls = []
    original = pdf_module._render
    pdf_module._render = lambda **kw: calls.append(kw) or original(**kw)
    try:
        assert client.get(reverse("pages:one_pager")).content == pdf
        assert calls == []
        block = ContentBlock.objects.get(key="intro")
        block.title = "A new headline for partners"
        block.save()
        changed = client.get(reverse("pages:one_pager")).content
        assert len(calls) == 1
        assert changed != pdf
    finally:
        pdf_module._render = original


@pytest.mark.django_db
def test_apply_page_lists_open_regions_only(client):
    RegionFactory(name="Open Plains", status="open")
    RegionFactory(name="Served Coast", status="served", partner=PartnerFactory())
    text = client.get(reverse("pages:apply")).content.decode()
    assert "Open Plains" in text
    assert "Served Coast" not in text
    assert "0.5 of a full-time position" in text


@pytest.mark.django_db
def test_missing_page_is_styled_404(client):
    response = client.get("/educate/regional-partner/nothing-here/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_an_unexpected_error_shows_the_styled_500_page(client, monkeypatch):
    from pages import selectors

    def boom():
        raise RuntimeError("unexpected")

    monkeypatch.setattr(selectors, "program_figures", boom)
    client.raise_request_exception = False
    response = client.get(PROGRAM)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_visitors_get_the_cached_page_until_something_on_it_changes(
    client, django_assert_num_queries
):
    first = client.get(PROGRAM, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"
    import gzip as gz

    html = gz.decompress(first.content).decode()
    assert "Apply now" in html
    with django_assert_num_queries(1):
        again = client.get(PROGRAM)
    assert again.content.decode() == html
    RegionFactory(name="Brand New Region", status="open")
    assert "Brand New Region" in client.get(PROGRAM).content.decode()
    block = ContentBlock.objects.get(key="about")
    block.title = "About us, rewritten"
    block.save()
    assert "About us, rewritten" in client.get(PROGRAM).content.decode()


@pytest.mark.django_db
def test_signed_in_people_get_their_own_page(client, teacher):
    client.get(PROGRAM)
    client.force_login(teacher)
    html = client.get(PROGRAM).content.decode()
    assert "My home" in html and "Sign out" in html


@pytest.mark.django_db
def test_screen_readers_get_the_map_as_a_table_of_every_region(client, geography):
    from geography.models import Region

    wa, ny = State.objects.get(code="WA"), State.objects.get(code="NY")
    served = RegionFactory(name="Evergreen", status="served", partner=PartnerFactory(name="Fir CS"))
    RegionState.objects.create(region=served, state=wa)
    upstate = RegionFactory(name="Upstate", status="open")
    RegionCounty.objects.create(region=upstate, county=County.objects.filter(state=ny).first())
    RegionFactory(name="Closed Area", status="closed")

    html = client.get(PROGRAM).content.decode()
    start = html.index('<table class="regions-table"')
    table = html[start : html.index("</table>", start)]
    assert "<caption>Regions by state, with their status and partner</caption>" in table
    assert table.count('<th scope="col">') == 4
    assert table.count('<tr id="region-') == Region.objects.count() == 3
    assert html.count('data-region="') == 2  # the map draws the two regions with geography
    evergreen = table[table.index('id="region-evergreen"') :]
    evergreen = evergreen[: evergreen.index("</tr>")]
    assert "Washington" in evergreen and "Served" in evergreen and "Fir CS" in evergreen
    upstate_row = table[table.index('id="region-upstate"') :]
    assert "New York" in upstate_row[: upstate_row.index("</tr>")]
    assert "This region needs a partner: apply" in upstate_row[: upstate_row.index("</tr>")]
