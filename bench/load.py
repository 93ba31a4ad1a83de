"""`make bench`, load part: 50 concurrent users against the production stack on loopback.

The stack is started as `bin/run-prod` starts it: settings `config.settings.production`,
PostgreSQL, Redis as the cache, and the Procfile's two processes under honcho (gunicorn with
`config/gunicorn.conf.py` and whitenoise; the `db_worker` task worker). Its data is the demo
program (`seed_demo --scale BENCH_LOAD_SCALE`, default 1) in its own database,
BENCH_LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/partnerhub_bench_load),
built on the first run and kept; its cache is a Redis database of its own,
BENCH_LOAD_CACHE_URL (default redis://127.0.0.1:6379/5), emptied at the start of each run.

Locust (bench/locustfile.py, one process) runs twice with the same users, spawn rate,
duration and think time: the baseline, every user asking for `/livez` (the minimal view, served
the same way), then the mix: visitors (program page and its map, ZIP lookup page and API with
real ZIP codes, the workshop list with and without a ZIP) and signed-in program managers and
program admins on their dashboards (each signs in once as it arrives). The figures count from
when all users are in (locust --reset-stats), the steady state. It prints requests, req/s,
p50, p99 and errors per group,
beside the baseline's, and whether the goal is met: no errors and p99 under 250 ms.

Skipped with a message (exit status unaffected) when PostgreSQL or Redis is not reachable.
"""

import csv
import http.client
import multiprocessing
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partnerhub_bench_load"
)
CACHE_URL = os.environ.get("BENCH_LOAD_CACHE_URL", "redis://127.0.0.1:6379/5")
SCALE = int(os.environ.get("BENCH_LOAD_SCALE", "1"))
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SPAWN_RATE = int(os.environ.get("BENCH_LOAD_SPAWN_RATE", "10"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "40"))
GOAL_P99_MS = 250

# Who the users are, in 50 (locust's weights): a public site's visitors, the program
# managers at work in their workspaces, and the program office on its dashboard.
VISITORS, PROGRAM_MANAGERS, PROGRAM_ADMINS = 42, 6, 2
# What the users ask for (bench/locustfile.py; bench/tests check each answers 200).
BASELINE = "/livez"
THINK_SECONDS = (0.5, 1.5)
VISITOR_PATHS = {
    "program page": "/educate/regional-partner/",
    "ZIP lookup page": "/educate/regional-partner/find/?zip={zip}",
    "ZIP lookup API": "/api/v1/regions/lookup/?zip={zip}",
    "workshop list": "/workshops/",
    "workshops near a ZIP": "/workshops/?zip={zip}&miles=50",
}
# The program page's map is an inline SVG (geography.map); these are the files it loads.
MAP_ASSETS = ("css/map.css", "js/map.js")
MAP_ASSETS_GROUP = "map assets (once a visitor)"
WORKSPACE = "/manage/partners/"
PROGRAM_MANAGER_PATHS = {
    "partner workspace list": WORKSPACE,
    "partner workspace home": WORKSPACE + "{slug}/",
    "partner metrics page": WORKSPACE + "{slug}/metrics/",
}
ADMIN_PATHS = {"program metrics (admin)": "/manage/metrics/"}
SIGN_IN = "sign-in (once a user)"
GROUPS = [
    "program page",
    MAP_ASSETS_GROUP,
    "ZIP lookup page",
    "ZIP lookup API",
    "workshop list",
    "workshops near a ZIP",
    SIGN_IN,
    *PROGRAM_MANAGER_PATHS,
    *ADMIN_PATHS,
]
ZIP_SAMPLE = 400
# The sign-in form's CSRF token, as a browser submits it back.
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def zip_sample(codes, size: int = ZIP_SAMPLE) -> list[str]:
    """A fixed spread of real ZIP codes over the whole country: every n-th in order."""
    codes = sorted(codes)
    step = max(1, len(codes) // size)
    return codes[::step][:size]


def hashed(html: str, name: str) -> str | None:
    """The URL a page gives for a static file: /static/js/map.js, or with production's
    manifest storage its hashed name, /static/js/map.3f2a1c9e8b7d.js."""
    stem, _, suffix = name.rpartition(".")
    found = re.search(rf'"(/static/{re.escape(stem)}(?:\.[0-9a-f]+)?\.{suffix})"', html)
    return found.group(1) if found else None


def workspace_slug(status: int, location: str, html: str) -> str | None:
    """The partner a program manager works on: /manage/partners/ sends a manager of one
    partner to its workspace, and lists them for a manager of several (the first is taken)."""
    if status == 302 and location.startswith(WORKSPACE):
        return location.removeprefix(WORKSPACE).strip("/") or None
    found = re.search(rf'href="{WORKSPACE}([a-z0-9-]+)/"', html) if status == 200 else None
    return found.group(1) if found else None


def parse_logins(text: str) -> tuple[dict[str, str], str]:
    """({role: email}, password) from what `seed_demo --logins-only` prints."""
    logins, password = {}, ""
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().split("  ") if cell.strip()]
        if len(cells) == 3 and "@" in cells[0]:
            email, role, password = cells
            logins[role.lower().replace(" ", "_")] = email
    return logins, password


# --- Running it -----------------------------------------------------------------------------


def _redis_problem(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (ValueError, redis.RedisError) as exc:
        return f"no Redis answers at BENCH_LOAD_CACHE_URL {url} ({exc.__class__.__name__}: {exc})"
    return None


def _manage(env: dict, *args: str, capture: bool = False) -> str:
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return done.stdout or ""


def _build(env: dict) -> None:
    """The database once (schema, geography, demo data), and the hashed static files."""
    from bench.metrics import _has_data, _vacuum

    started = time.monotonic()
    fresh = not _has_data(DATABASE_URL)
    if fresh:
        print(f"Building the load bench database (seed_demo --scale {SCALE}; once)...")
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "load_geography", "--if-empty", "-v", "0")
    _manage(env, "seed_demo", "--scale", str(SCALE), "-v", "0", capture=True)
    if fresh:
        _vacuum(DATABASE_URL)
    # Into STATIC_ROOT (`staticfiles/`, as `make run-prod` does): production's manifest
    # storage needs it. Collecting compresses every file again (minutes, mostly brotli on the
    # API docs' source maps), so only when a dry run finds a file to copy or no manifest.
    dry_run = _manage(env, "collectstatic", "--noinput", "--dry-run", "-v", "1", capture=True)
    if not (ROOT / "staticfiles" / "staticfiles.json").exists() or not re.search(
        r"^0 static files copied", dry_run, re.MULTILINE
    ):
        print("Collecting the static files (hashed and compressed; a few minutes)...")
        _manage(env, "collectstatic", "--noinput", "-v", "0")
    if fresh:
        print(f"  built in {time.monotonic() - started:.0f} s")


def _zips() -> list[str]:
    import psycopg

    with psycopg.connect(DATABASE_URL, connect_timeout=3) as conn:
        rows = conn.execute(
            "SELECT code FROM geography_zipcode WHERE kind = 'standard' AND latitude IS NOT NULL"
        ).fetchall()
    return zip_sample(code for (code,) in rows)


def _logins(env: dict) -> tuple[dict[str, str], str]:
    return parse_logins(_manage(env, "seed_demo", "--logins-only", capture=True))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, timeout: float = 30) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if _get(port, BASELINE, timeout=2) == 200:
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)  # honcho stops both processes, as Ctrl-C does
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class LocustFailed(Exception):
    pass


def _locust(port: int, users: list[str], prefix: Path, env: dict, log) -> dict[str, dict]:
    """One headless run; {group or "total": {requests, rps, p50, p99, errors}}."""
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(SPAWN_RATE),
            "--run-time",
            f"{SECONDS}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            # Figures of the steady state: counted from when every user is in (the ramp,
            # with each signed-in user's one sign-in, is not counted).
            "--reset-stats",
            "--loglevel",
            "WARNING",
            *users,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        timeout=SECONDS + 120,
        check=False,  # locust exits 1 when a request failed: the figures say so
    )
    rows = {}
    if not Path(f"{prefix}_stats.csv").exists():
        raise LocustFailed(f"locust wrote no figures; see {log.name}")
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            name = "total" if row["Name"] == "Aggregated" else row["Name"]
            rows[name] = {
                "requests": int(row["Request Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p99": float(row["99%"]),
                "errors": int(row["Failure Count"]),
            }
    return rows


def _failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="") as failures:
        return [
            f"{row['Occurrences']} x {row['Name']}: {row['Error']}"
            for row in csv.DictReader(failures)
        ]


def main() -> int:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        print("\nLoad run skipped: BENCH_LOAD_DATABASE_URL must be PostgreSQL (as in production).")
        return 0
    from bench.metrics import _reachable_and_created

    problem = _reachable_and_created(DATABASE_URL)
    if problem:
        problem = f"PostgreSQL is not reachable at BENCH_LOAD_DATABASE_URL ({problem})"
    problem = problem or _redis_problem(CACHE_URL)
    if problem:
        print(f"\nLoad run skipped: {problem}")
        return 0

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": DATABASE_URL,
        "CACHE_URL": CACHE_URL,
        "SECRET_KEY": secrets.token_urlsafe(64),  # throwaway: nothing outlives the run
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain http on loopback, as `make run-prod`; requests still say https as a TLS proxy's
        # would (bench/locustfile.py), so cookies and CSRF checks are production's.
        "SECURE_SSL_REDIRECT": "false",
        # The bench measures serving pages, not the abuse limits: fifty users from one address
        # signing in with the same few demo logins would (rightly) be rate-limited. Locust's
        # sign-ins all succeed, so the sign-in lock-out (django-axes) never engages either;
        # AXES_ENABLED switches it off wherever the settings read it from the environment.
        "RATELIMIT_ENABLE": "false",
        "AXES_ENABLED": "false",
        "LOG_FORMAT": "json",
    }
    for inherited in ("DEBUG", "BIND"):  # production's own, and PORT's address
        env.pop(inherited, None)
    _build(env)
    zips = _zips()
    logins, password = _logins(env)
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()  # the bench's own cache database: start cold

    workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
    port = _free_port()
    work = Path(tempfile.mkdtemp(prefix="partnerhub-load-"))
    server_log = open(work / "server.log", "w")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "honcho"),
            "start",
            "--env",
            "/dev/null",
            "--no-prefix",
            "--no-colour",
            "--procfile",
            "Procfile",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        if not _wait_until_up(port, server):
            print(f"\nLoad run: the production stack did not start; see {work / 'server.log'}")
            return 1
        # As after any deploy's first visitors: the public pages rendered and cached once.
        for path in (VISITOR_PATHS["program page"], VISITOR_PATHS["workshop list"]):
            _get(port, path)
        locust_env = {
            **env,
            "PYTHONPATH": str(ROOT),
            "BENCH_LOAD_ZIPS": ",".join(zips),
            "BENCH_LOAD_LOGINS": ",".join(f"{role}={email}" for role, email in logins.items()),
            "BENCH_LOAD_PASSWORD": password,
        }
        with open(work / "locust.log", "w") as log:
            base = _locust(port, ["Baseline"], work / "baseline", locust_env, log)
            mix = _locust(
                port, ["Visitor", "ProgramManager", "ProgramAdmin"], work / "mix", locust_env, log
            )
        load = os.getloadavg()[0]
    except LocustFailed as failure:
        print(f"\nLoad run: {failure}")
        return 1
    finally:
        _stop(server)
        server_log.close()
    _report(base, mix, workers, len(zips), load, work)
    return 0


def _report(base: dict, mix: dict, workers: int, zips: int, load: float, work: Path) -> None:
    think = f"{THINK_SECONDS[0]}-{THINK_SECONDS[1]} s"
    print()
    print(
        f"Load run: the production stack on loopback (config.settings.production; gunicorn "
        f"{workers} sync workers + whitenoise; PostgreSQL; Redis cache; db_worker), demo "
        f"program at scale {SCALE}."
    )
    print(
        f"{USERS} users (spawned {SPAWN_RATE}/s), {SECONDS} s a run, each user waiting {think} "
        f"between requests in both runs; {zips} real ZIP codes; counted once all users are in"
        f" (the ramp-up and its sign-ins are not)."
    )
    print(
        f"The mix: visitors, program managers and program admins (signed in) as "
        f"{VISITORS}:{PROGRAM_MANAGERS}:{PROGRAM_ADMINS}; "
        f"the baseline: {USERS} users asking for {BASELINE}."
    )
    print(f"{'group':<32}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}")
    for name in [*[g for g in GROUPS if g in mix], "total"]:
        row = mix[name]
        print(
            f"{name:<32}{row['requests']:>9}{row['rps']:>8.1f}{row['p50']:>8.0f}"
            f"{row['p99']:>8.0f}{row['errors']:>8}"
        )
    b, total = base["total"], mix["total"]
    print(
        f"{'baseline /livez':<32}{b['requests']:>9}{b['rps']:>8.1f}{b['p50']:>8.0f}"
        f"{b['p99']:>8.0f}{b['errors']:>8}"
    )
    ratio = total["p99"] / b["p99"] if b["p99"] else float("inf")
    print(f"p99 of the mix / p99 of the baseline: {ratio:.1f}")
    errors = total["errors"] + b["errors"]
    met = errors == 0 and total["p99"] < GOAL_P99_MS
    verdict = "met" if met else "NOT met"
    print(
        f"Goal (no errors, p99 under {GOAL_P99_MS} ms at {USERS} users): {verdict} "
        f"({errors} errors, p99 {total['p99']:.0f} ms)."
    )
    for line in _failures(work / "baseline") + _failures(work / "mix"):
        print(f"  error: {line}")
    print(
        f"Machine: {multiprocessing.cpu_count()} cores shared by locust (one process), the "
        f"{workers} gunicorn workers, the task worker, PostgreSQL and Redis (load average "
        f"{load:.1f} at the end); locust's own time is in its figures. Logs: {work}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
