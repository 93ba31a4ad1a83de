import pytest

from geography.models import RegionState, State
from geography.tests.factories import RegionFactory
from partners.tests.factories import PartnerFactory, ProgramManagerFactory


@pytest.fixture
def program(geography):
    wa, ny = State.objects.get(code="WA"), State.objects.get(code="NY")
    evergreen = PartnerFactory(name="Evergreen CS", status="active")
    served = RegionFactory(name="Washington", status="served", partner=evergreen)
    RegionState.objects.create(region=served, state=wa)
    empire = PartnerFactory(name="Empire CS", status="onboarding")
    RegionState.objects.create(
        region=RegionFactory(name="New York", status="onboarding", partner=empire), state=ny
    )
    RegionFactory(name="Nowhere", status="open")
    PartnerFactory(name="Gone CS", status="inactive")
    ProgramManagerFactory(partner=evergreen)
    return {"evergreen": evergreen}


@pytest.mark.django_db
def test_regions_list_filters_by_state_and_status(client, program):
    data = client.get("/api/v1/regions/").json()
    assert data["count"] == 3
    names = {r["name"]: r for r in data["results"]}
    assert names["Washington"]["states"] == ["WA"]
    assert names["Washington"]["partner"]["name"] == "Evergreen CS"
    assert names["New York"]["partner"] is None  # onboarding partners are not public yet
    wa = client.get("/api/v1/regions/", {"state": "WA"}).json()
    assert [r["name"] for r in wa["results"]] == ["Washington"]
    open_ = client.get("/api/v1/regions/", {"status": "open"}).json()
    assert [r["name"] for r in open_["results"]] == ["Nowhere"]
    assert client.get("/api/v1/regions/", {"status": "nonsense"}).status_code == 400


@pytest.mark.django_db
def test_partners_list_is_public_fields_only(client, program):
    data = client.get("/api/v1/partners/").json()
    assert {p["name"] for p in data["results"]} == {"Evergreen CS", "Empire CS"}
    evergreen = next(p for p in data["results"] if p["name"] == "Evergreen CS")
    assert evergreen["regions"] == ["washington"]
    for private in ("program_managers", "regional_manager", "fte_share", "terms_version"):
        assert private not in evergreen
    assert client.get("/api/v1/partners/", {"state": "NY"}).json()["count"] == 1
    assert client.get("/api/v1/partners/", {"status": "active"}).json()["count"] == 1
    assert client.get("/api/v1/partners/gone-cs/").status_code == 404


@pytest.mark.django_db
def test_lists_run_a_fixed_number_of_queries(client, program, django_assert_max_num_queries):
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/regions/")
        client.get("/api/v1/partners/")
    for n in range(20):
        RegionFactory(name=f"Extra {n}", status="served", partner=PartnerFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/regions/")
        client.get("/api/v1/partners/")


@pytest.mark.django_db
def test_schema_and_docs_render_offline(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    assert "/api/v1/regions/lookup/" in body and "/api/v1/partners/" in body
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "https://" not in html.replace("https://swagger.io", "")


@pytest.mark.django_db
def test_schema_is_valid_and_has_no_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/regions/{slug}/" in out.read_text()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_address_that_names_no_endpoint_answers_json(client, method):
    response = getattr(client, method)("/api/v1/applications/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    # A missing slash is still added first.
    assert client.get("/api/v1/regions").status_code == 301
