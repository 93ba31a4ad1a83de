"""`make bench`: requests per second of PartnerHub's pages, each beside a baseline.

The baseline is `/healthz`, a minimal JSON view (one trivial query) served by the same
gunicorn, on the same machine, in the same run, so the ratio is what carries meaning.
Benchmarks measure; tests assert query counts instead of timings.
"""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "/healthz"
TARGETS = [
    ("program page", "/educate/regional-partner/"),
    ("term sheet", "/educate/regional-partner/terms/"),
    ("apply page", "/educate/regional-partner/apply/"),
    ("one-pager PDF (cached)", "/educate/regional-partner/one-pager.pdf"),
]
SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))


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
        while time.monotonic() < stop:
            try:
                conn.request("GET", path)
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


def main() -> int:
    port = free_port()
    env = {**os.environ, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "config.settings.local"}
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
            measure_warm(port, path)
        print(f"PartnerHub bench: {CONCURRENCY} clients, {SECONDS:.0f} s each, gunicorn 2 workers")
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
