"""The users of the load run (bench/load.py starts locust on this file; `locust -f` works too).

Every request goes as the TLS proxy in front of gunicorn passes it on in production: with
`X-Forwarded-Proto: https` (production trusts it, SECURE_PROXY_SSL_HEADER). So the session and
CSRF cookies production sets are `Secure`, as they must be; a browser sends them back over
https, and `secure_cookies_on_loopback` lets this client do the same over the loopback's plain
http. The settings stay production's (nothing here turns a cookie flag off).

Every answer must be exactly 200 (no redirect followed): a redirect to the sign-in page or a
404 counts as an error, so the figures are never those of the wrong page.
Environment (set by bench/load.py): BENCH_LOAD_ZIPS (comma separated), BENCH_LOAD_LOGINS
(role=email,...), BENCH_LOAD_PASSWORD.
"""

import os
import random

from locust import HttpUser, between, task

from bench.load import (
    ADMIN_PATHS,
    BASELINE,
    CSRF_FIELD,
    MAP_ASSETS,
    MAP_ASSETS_GROUP,
    PROGRAM_ADMINS,
    PROGRAM_MANAGER_PATHS,
    PROGRAM_MANAGERS,
    SIGN_IN,
    THINK_SECONDS,
    VISITOR_PATHS,
    VISITORS,
    WORKSPACE,
    hashed,
    workspace_slug,
)

ZIPS = [z for z in os.environ.get("BENCH_LOAD_ZIPS", "98101").split(",") if z]
LOGINS = dict(
    pair.split("=", 1) for pair in os.environ.get("BENCH_LOAD_LOGINS", "").split(",") if pair
)
PASSWORD = os.environ.get("BENCH_LOAD_PASSWORD", "")
HEADERS = {"X-Forwarded-Proto": "https"}


class Site(HttpUser):
    abstract = True
    wait_time = between(*THINK_SECONDS)

    def get(self, name: str, path: str):
        """GET `path` reported under `name`; anything but a 200 is an error."""
        with self.client.get(
            path, name=name, headers=HEADERS, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")
            secure_cookies_on_loopback(self.client.cookies)
            return response


def secure_cookies_on_loopback(jar) -> None:
    """Send the Secure cookies back over http://127.0.0.1, as a browser would over https."""
    for cookie in jar:
        cookie.secure = False


class Baseline(Site):
    """The baseline run: the minimal view, with the same think time."""

    @task
    def livez(self):
        self.get("baseline /livez", BASELINE)


class Visitor(Site):
    """A member of the public: the program page and its map, the ZIP lookup, the workshops."""

    weight = VISITORS

    def on_start(self):
        self.map_loaded = False

    def zip_code(self) -> str:
        return random.choice(ZIPS)

    @task(3)
    def program_page(self):
        response = self.get("program page", VISITOR_PATHS["program page"])
        if not self.map_loaded and response.status_code == 200:
            # The map is an inline SVG; the page loads its script and style once (whitenoise
            # serves them hashed and cached for a year, so a browser asks once).
            for name in MAP_ASSETS:
                url = hashed(response.text, name)
                if url is None:
                    self.environment.events.request.fire(
                        request_type="GET",
                        name=MAP_ASSETS_GROUP,
                        response_time=0,
                        response_length=0,
                        exception=LookupError(f"the program page names no {name}"),
                        context={},
                    )
                else:
                    self.get(MAP_ASSETS_GROUP, url)
            self.map_loaded = True

    @task(2)
    def zip_lookup_page(self):
        self.get("ZIP lookup page", VISITOR_PATHS["ZIP lookup page"].format(zip=self.zip_code()))

    @task(2)
    def zip_lookup_api(self):
        self.get("ZIP lookup API", VISITOR_PATHS["ZIP lookup API"].format(zip=self.zip_code()))

    @task(2)
    def workshop_list(self):
        self.get("workshop list", VISITOR_PATHS["workshop list"])

    @task(1)
    def workshops_near(self):
        path = VISITOR_PATHS["workshops near a ZIP"].format(zip=self.zip_code())
        self.get("workshops near a ZIP", path)


class SignedIn(Site):
    abstract = True
    role = ""

    def on_start(self):
        """Sign in once, as a person does in the morning: the form, then the POST."""
        page = self.get(SIGN_IN, "/accounts/login/")
        token = CSRF_FIELD.search(page.text)
        origin = f"https://{self.host.split('://', 1)[1].rstrip('/')}"
        with self.client.post(
            "/accounts/login/",
            name=SIGN_IN,
            data={
                "username": LOGINS[self.role],
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            # An https request's CSRF check compares the Origin with the host.
            headers={**HEADERS, "Origin": origin, "Referer": f"{origin}/accounts/login/"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in as {self.role} answered {response.status_code}")
            secure_cookies_on_loopback(self.client.cookies)


class ProgramManager(SignedIn):
    """A partner's program manager: the workspace's overview and the partner's metrics."""

    weight = PROGRAM_MANAGERS
    role = "program_manager"

    def on_start(self):
        super().on_start()
        self.slug = None
        self.workspace_list(first=True)

    @task
    def workspace_list(self, first: bool = False):
        # A manager of one partner is sent on to its workspace; of several, sees them listed.
        name = "partner workspace list"
        with self.client.get(
            PROGRAM_MANAGER_PATHS[name],
            name=name,
            headers=HEADERS,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            slug = workspace_slug(
                response.status_code, response.headers.get("Location", ""), response.text
            )
            if slug is None:
                response.failure(f"{WORKSPACE} answered {response.status_code}, no partner")
            elif first:
                self.slug = slug

    @task
    def workspace_home(self):
        name = "partner workspace home"
        self.get(name, PROGRAM_MANAGER_PATHS[name].format(slug=self.slug))

    @task
    def partner_metrics(self):
        name = "partner metrics page"
        self.get(name, PROGRAM_MANAGER_PATHS[name].format(slug=self.slug))


class ProgramAdmin(SignedIn):
    """The program office: every partner's metrics."""

    weight = PROGRAM_ADMINS
    role = "program_admin"

    @task
    def program_metrics(self):
        self.get("program metrics (admin)", ADMIN_PATHS["program metrics (admin)"])
