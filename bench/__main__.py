"""`make bench`: requests per second of PartnerHub's pages, each beside a baseline; then a load
run of 50 concurrent users against the production stack (bench/load.py); then the metrics
dashboards' data beside one hand-written SQL aggregate (bench/metrics.py, PostgreSQL).

The baseline is `/livez`, the minimal view (plain text, no database, no cache) served by the
same gunicorn, on the same machine, in the same run, so the ratio is what carries meaning.
(`/healthz` is no baseline: it queries the database, writes to the cache and reads the task
queue.) The data is the demo program at `--scale 10` in its own database (`var/bench.sqlite3`,
or BENCH_DATABASE_URL), built on the first run. Benchmarks measure; tests pin query counts.

BENCH_ONLY=pages,load,metrics (any of them, comma separated) runs only those parts.
"""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import load, metrics

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "/livez"
TARGETS = [
    ("ZIP lookup API", "/api/v1/regions/lookup/?zip={zip}"),
    ("find-your-partner page", "/educate/regional-partner/find/?zip={zip}"),
    ("program page with map", "/educate/regional-partner/"),
    ("partner directory", "/educate/regional-partner/partners/"),
    ("term sheet", "/educate/regional-partner/terms/"),
    ("apply page", "/educate/regional-partner/apply/"),
    ("one-pager PDF (cached)", "/educate/regional-partner/one-pager.pdf"),
    ("upcoming workshops", "/workshops/"),
    ("workshops near a ZIP", "/workshops/?zip={zip}&miles=50"),
    ("program events", "/events/"),
]
SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
SCALE = int(os.environ.get("BENCH_SCALE", "10"))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
# Real ZIP codes spread over the country; each client walks the list.
ZIPS = [
    "98101",
    "99501",
    "96813",
    "10001",
    "60601",
    "73301",
    "94103",
    "33101",
    "02108",
    "80202",
    "30301",
    "85001",
    "19103",
    "48201",
    "55401",
    "63101",
    "70112",
    "37201",
    "84101",
    "97201",
    "20001",
    "27601",
    "46201",
    "43215",
    "53202",
    "64105",
    "68102",
]
# As a browser asks: compressed responses are welcome.
HEADERS = {"Accept-Encoding": "gzip"}
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
PARTS = ("pages", "load", "metrics")
ONLY = [part.strip() for part in os.environ.get("BENCH_ONLY", ",".join(PARTS)).split(",")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", BASELINE)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("The server did not start.")


def measure(port: int, path: str) -> tuple[float, int]:
    """Requests per second over SECONDS with CONCURRENCY keep-alive clients; and errors."""
    done = [0] * CONCURRENCY
    errors = [0] * CONCURRENCY
    stop = time.monotonic() + SECONDS

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n = index
        while time.monotonic() < stop:
            n += 1
            try:
                conn.request("GET", path.format(zip=ZIPS[n % len(ZIPS)]), headers=HEADERS)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[index] += 1
                done[index] += 1
            except OSError:
                errors[index] += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CONCURRENCY)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started), sum(errors)


def prepare(env: dict) -> None:
    """Build the bench database once: schema, geography, demo data at SCALE."""
    (ROOT / "var").mkdir(exist_ok=True)
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["load_geography", "--if-empty"],
        ["seed_demo", "--scale", str(SCALE)],
    ):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True)  # noqa: S603


def main() -> int:
    unknown = set(ONLY) - set(PARTS)
    if unknown:
        raise SystemExit(f"BENCH_ONLY: no part {', '.join(sorted(unknown))} (parts: {PARTS}).")
    status = pages() if "pages" in ONLY else 0
    if "load" in ONLY:
        status = load.main() or status
    if "metrics" in ONLY:
        status = metrics.main() or status
    return status


def pages() -> int:
    """The page bench: each page's requests per second beside the baseline's."""
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": DATABASE_URL,
        "RATELIMIT_ENABLE": "false",
    }
    prepare(env)
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi_local:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(port)
        for _, path in [("baseline", BASELINE), *TARGETS]:
            measure_warm(port, path.format(zip=ZIPS[0]))
        print(
            f"PartnerHub bench: demo data at scale {SCALE}, {CONCURRENCY} clients, "
            f"{SECONDS:.0f} s each, gunicorn 2 workers"
        )
        print(f"{'figure':<28}{'req/s':>10}{'baseline req/s':>16}{'ratio':>8}{'errors':>8}")
        for label, path in TARGETS:
            base, base_errors = measure(port, BASELINE)
            rate, errors = measure(port, path)
            print(
                f"{label:<28}{rate:>10.1f}{base:>16.1f}{rate / base:>8.2f}{errors + base_errors:>8}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


def measure_warm(port: int, path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(3):
        conn.request("GET", path)
        conn.getresponse().read()


if __name__ == "__main__":
    raise SystemExit(main())
