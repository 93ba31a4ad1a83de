"""The load run asks for real pages: each URL of bench/locustfile.py answers 200 to its kind of
user (Django's test client on the demo program), so the bench never measures 404s or sign-in
redirects. The locustfile itself imports locust (gevent), so the URLs live in bench.load."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from bench.load import (
    ADMIN_PATHS,
    BASELINE,
    CSRF_FIELD,
    GROUPS,
    MAP_ASSETS,
    PROGRAM_MANAGER_PATHS,
    VISITOR_PATHS,
    WORKSPACE,
    hashed,
    parse_logins,
    workspace_slug,
    zip_sample,
)

pytestmark = pytest.mark.django_db

# A few states keep it fast (the load run samples the whole country the same way).
STATES = ["WA", "OR", "NY"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo program, seeded once for the module and rolled back after it (each test's own
    writes are rolled back after the test, as usual)."""
    import geography.loader
    from partners.demo import demo_seed

    with django_db_blocker.unblock(), transaction.atomic():
        geography.loader.load_geography(states=STATES)
        assert demo_seed().created
        yield
        transaction.set_rollback(True)


def demo_logins() -> tuple[dict[str, str], str]:
    out = StringIO()
    call_command("seed_demo", "--logins-only", stdout=out)
    return parse_logins(out.getvalue())


def zips(size: int) -> list[str]:
    from geography.models import ZipCode

    codes = ZipCode.objects.filter(kind="standard", latitude__isnull=False)
    return zip_sample(codes.values_list("code", flat=True), size)


def sign_in(settings, role: str):
    """Sign in as the locustfile does: the request comes as from the TLS proxy, the form's CSRF
    token goes back with the https Origin, and the cookies are Secure."""
    from django.test import Client

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    logins, password = demo_logins()
    client = Client(enforce_csrf_checks=True, headers={"X-Forwarded-Proto": "https"})
    page = client.get("/accounts/login/")
    assert page.cookies["csrftoken"]["secure"]
    origin = f"https://{page.wsgi_request.get_host()}"  # the locustfile's: its --host
    response = client.post(
        "/accounts/login/",
        {
            "username": logins[role],
            "password": password,
            "csrfmiddlewaretoken": CSRF_FIELD.search(page.content.decode()).group(1),
        },
        headers={"Origin": origin, "Referer": f"{origin}/accounts/login/"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.cookies["sessionid"]["secure"]
    return client


def test_zip_sample_spreads_over_all_codes():
    codes = [f"{n:05d}" for n in range(1000)]
    sample = zip_sample(reversed(codes), 10)
    assert sample == [f"{n:05d}" for n in range(0, 1000, 100)]
    assert zip_sample(["98101"], 10) == ["98101"]


def test_the_logins_are_read_as_seed_demo_prints_them():
    logins, password = demo_logins()
    assert logins["program_manager"] == "program-manager@demo.test"
    assert logins["program_admin"] == "admin@demo.test"
    assert password


def test_every_group_is_reported():
    assert [*VISITOR_PATHS, *PROGRAM_MANAGER_PATHS, *ADMIN_PATHS] == [
        g for g in GROUPS if g in VISITOR_PATHS or g in PROGRAM_MANAGER_PATHS or g in ADMIN_PATHS
    ]


def test_the_baseline_answers(client):
    assert client.get(BASELINE).status_code == 200


def test_a_visitor_gets_every_page_for_real_zip_codes(client, demo):
    codes = zips(8)
    assert len(codes) == 8
    for name, path in VISITOR_PATHS.items():
        for code in codes if "{zip}" in path else [None]:
            url = path.format(zip=code)
            response = client.get(url)
            assert response.status_code == 200, (name, url, response.status_code)
    page = client.get(VISITOR_PATHS["program page"]).content.decode()
    for name in MAP_ASSETS:
        url = hashed(page, name)
        assert url is not None, f"the program page does not load {name}"
        assert url.endswith(name.rpartition(".")[2])


def test_an_unknown_zip_would_show_as_an_error(client, demo):
    # The load run counts anything but 200 as an error: the lookup of a ZIP that does not
    # exist is not a 200, so a wrong sample would show in the figures.
    for name in ("ZIP lookup page", "ZIP lookup API"):
        assert client.get(VISITOR_PATHS[name].format(zip="00000")).status_code == 404


def test_a_program_manager_gets_the_workspace_and_its_metrics(settings, demo):
    client = sign_in(settings, "program_manager")
    listed = client.get(WORKSPACE)
    slug = workspace_slug(listed.status_code, listed.get("Location", ""), listed.content.decode())
    assert slug
    for name, path in PROGRAM_MANAGER_PATHS.items():
        response = client.get(path.format(slug=slug))
        assert response.status_code == 200, (name, response.status_code)


def test_the_workspace_of_a_manager_of_one_partner_is_where_the_list_sends_them():
    assert workspace_slug(302, f"{WORKSPACE}code-north/", "") == "code-north"
    assert workspace_slug(302, "/accounts/login/?next=/manage/partners/", "") is None
    assert workspace_slug(404, "", f'<a href="{WORKSPACE}code-north/">') is None


def test_a_program_admin_gets_the_program_metrics(settings, demo):
    client = sign_in(settings, "program_admin")
    for name, path in ADMIN_PATHS.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
