"""The API contract: the OpenAPI schema at /api/v1/schema/ describes every endpoint fully, its
docs load nothing from outside, and the API keeps to the schema under generated input.

Schemathesis reads the schema from the running application (WSGI, in this process, inside the
test's transaction) and sends each operation generated requests, as a visitor and as a
program admin signed in with an API token: no answer may be a 5xx, and every answer must
match what the schema says (status code, content type, body).
"""

import os
import re
from pathlib import Path

import pytest
import schemathesis
import yaml
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_create

from .fill import values_for
from .routes import all_routes

APP = get_wsgi_application()
# The schema's own examples, then generated requests (valid and invalid ones); the coverage
# phase's boundary-value sweep would multiply the run time for little more.
CONFIG = schemathesis.Config.from_dict(
    {"seed": 20261128, "phases": {"coverage": {"enabled": False}}}
)
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/schema/", APP, config=CONFIG)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    # 10 keeps the suite quick; API_FUZZ_EXAMPLES=50 for a deeper run by hand.
    max_examples=int(os.environ.get("API_FUZZ_EXAMPLES", "10")),
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


# --- The schema -------------------------------------------------------------------------------


def test_the_schema_builds_with_no_warning(tmp_path):
    """`manage.py spectacular --validate --fail-on-warn`: valid OpenAPI 3, nothing guessed."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))


def _schema(client) -> dict:
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _openapi_path(route: str) -> str:
    """A route of the URL configuration as the schema writes it: /api/v1/x/{pk}/."""
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    return "/" + path.replace("{pk}", "{id}")


# The schema, its docs, DRF's index, and the JSON 404 for addresses that name no endpoint.
NOT_IN_SCHEMA = {"api:schema", "api:docs", "api:api-root", "api:not-found"}


def test_every_api_route_is_in_the_schema(client):
    paths = set(_schema(client)["paths"])
    routes = [
        route for route in all_routes() if route.route.startswith("api/") and not route.has_format
    ]
    missing = sorted(
        route.name
        for route in routes
        if route.name not in NOT_IN_SCHEMA and _openapi_path(route.route) not in paths
    )
    assert missing == []
    assert len(paths) >= len(routes) - len(NOT_IN_SCHEMA)


# Workflow actions that take no input: a POST with no body, on purpose.
NO_INPUT = {
    "applications_submit",
    "funding_awards_approve_create",
    "funding_awards_close_create",
    "funding_awards_propose_create",
    "workshops_publish_create",
    "workshops_enrollments_cancel_create",
}


def _typed(schema: dict) -> bool:
    if not schema:
        return False
    if "$ref" in schema or "allOf" in schema or "oneOf" in schema or "anyOf" in schema:
        return True
    if schema.get("type") == "object":
        return bool(schema.get("properties")) or "additionalProperties" in schema
    return "type" in schema


def test_every_request_and_response_is_typed(client):
    untyped = []
    for path, operations in _schema(client)["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            name = f"{method.upper()} {path}"
            if method in ("post", "put", "patch"):
                body = operation.get("requestBody")
                if body is None:
                    if operation["operationId"] not in NO_INPUT:
                        untyped.append(f"{name}: no request body")
                else:
                    for media, content in body["content"].items():
                        if not _typed(content.get("schema", {})):
                            untyped.append(f"{name}: request {media}")
            if not any(code.startswith("2") for code in operation["responses"]):
                untyped.append(f"{name}: no success answer")
            for code, response in operation["responses"].items():
                if code == "204":
                    continue
                content = response.get("content")
                if not content:
                    untyped.append(f"{name}: {code} has no body")
                    continue
                for media, body in content.items():
                    if not _typed(body.get("schema", {})):
                        untyped.append(f"{name}: {code} {media}")
    assert untyped == []


def test_the_schema_names_token_authentication(client):
    schemes = _schema(client)["components"]["securitySchemes"]
    assert schemes["knoxApiToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }


# --- The browsable docs -----------------------------------------------------------------------

ASSET = re.compile(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', re.IGNORECASE)


def test_the_docs_load_everything_from_this_site(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assets = ASSET.findall(page)
    assert len(assets) >= 4  # stylesheet, icon, the Swagger UI bundle, its start-up script
    assert "<script>" not in page  # no inline script: the start-up is a file too
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url.replace("&amp;", "&"))
        assert asset.status_code == 200, url
        # Read to the end: a streamed file closes itself then, as the test client arranges.
        body = (b"".join(asset.streaming_content) if asset.streaming else asset.content).decode(
            "utf-8", "replace"
        )
        if url.startswith("/api/v1/docs/"):  # the start-up script: our schema, no validator
            assert '"/api/v1/schema/"' in body
            assert '"validatorUrl": null' in body
    # Nothing on the page names another host.
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)


def test_the_sidecar_assets_are_the_installed_package():
    import drf_spectacular_sidecar

    dist = Path(drf_spectacular_sidecar.__file__).parent / "static" / "drf_spectacular_sidecar"
    assert (dist / "swagger-ui-dist" / "swagger-ui-bundle.js").exists()


# --- Schemathesis -----------------------------------------------------------------------------


# Known departures from the schema in code this suite does not own, reported to its owners.
# An operation leaves this list once it conforms (the test then passes: nothing to remove).
KNOWN_NONCONFORMING: dict[str, str] = {}


ROUTE_OF_PATH = {
    _openapi_path(route.route): route
    for route in all_routes()
    if route.route.startswith("api/") and not route.has_format
}


def real_path_parameters(case, world) -> dict:
    """The operation's path parameters naming partner A's records (generated ids rarely name
    anything, so the bodies of real records would go untested)."""
    route = ROUTE_OF_PATH[case.path]
    values = values_for(route, world.a, world.shared)
    return {("id" if param == "pk" else param): values[param] for param in route.params}


def call_and_validate(case, world, **kwargs):
    """The generated request, then the same on A's real records; both must keep the schema."""
    known = KNOWN_NONCONFORMING.get(case.operation.label)
    try:
        case.call_and_validate(checks=CHECKS, **kwargs)
        if case.path_parameters:
            case.path_parameters = real_path_parameters(case, world)
            case.call_and_validate(checks=CHECKS, **kwargs)
    except FailureGroup:
        if known:
            pytest.xfail(known)
        raise


@pytest.fixture
def in_test_transaction():
    """Requests through the WSGI app run in the test's transaction, as the test client's do.

    Django closes the connection around each request (close_old_connections); the test
    client turns that off, and so must a raw WSGI call, or it would end the test transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(world, db):
    _row, token = api_token_create(user=world.users["admin"])
    return token


@SCHEMA.parametrize()
@FUZZ
def test_api_as_a_visitor(case, world, db, in_test_transaction):
    # No credentials: the generator invents some from the schema's security schemes, and a
    # made-up token is refused before anything else (the admin's run has a real one).
    case.headers.pop("Authorization", None)
    case.cookies.clear()
    call_and_validate(case, world)


@SCHEMA.parametrize()
@FUZZ
def test_api_as_a_program_admin(case, world, admin_token, in_test_transaction):
    call_and_validate(case, world, headers={"Authorization": f"Token {admin_token}"})
