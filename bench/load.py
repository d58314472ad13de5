"""A bounded load test on loopback: gunicorn with 4 workers on the scratch database, and simulated
officers who browse, filter and log engagements for a fixed time. Standard library only."""

import contextlib
import http.cookiejar
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
USERS = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Officer(threading.Thread):
    """Signs in, then browses (an organizations search, the meetings) and, `writes`, every fourth
    round opens the quick log and logs a call (the POST's redirect to the new engagement's page is
    followed and counted with it)."""

    def __init__(self, base: str, deadline: float, number: int, results: list, lock: threading.Lock, writes: bool):
        super().__init__(daemon=True)
        self.base, self.deadline, self.number, self.results, self.lock = base, deadline, number, results, lock
        self.writes = writes
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: dict | None = None) -> str:
        started = time.perf_counter()
        status, body = 0, ""
        try:
            encoded = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
            request = urllib.request.Request(self.base + path, data=encoded, headers={"Referer": self.base + path})
            with self.opener.open(request, timeout=30) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        with self.lock:
            self.results.append(((time.perf_counter() - started) * 1000, status))
        return body

    def run(self):
        page = self.request("/accounts/login/")
        token = TOKEN.search(page)
        if not token:
            return
        self.request(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "login": "officer@demo.test", "password": "bench-password-1"},
        )
        step = 0
        while time.monotonic() < self.deadline:
            step += 1
            self.request(f"/stakeholders/organizations/?q=sahel&page={1 + step % 5}")
            self.request("/communications/engagements/?kind=meeting")
            if self.writes and step % 4 == 0:
                form = self.request("/communications/engagements/new/")
                token = TOKEN.search(form)
                if token:
                    self.request(
                        "/communications/engagements/new/",
                        {
                            "csrfmiddlewaretoken": token.group(1),
                            "occurred_on": time.strftime("%Y-%m-%d"),
                            "kind": "phone_call",
                            "title": f"Load test call {self.number}-{step}",
                            "organizations": "DEMO-0000001",
                            "mode": "phone",
                            "follow_ups-TOTAL_FORMS": "0",
                            "follow_ups-INITIAL_FORMS": "0",
                        },
                    )


@contextlib.contextmanager
def serve(bench, workers: int = 4):
    """gunicorn on a free loopback port against the scratch database, as in production (DEBUG=0,
    whitenoise serving the collected static files); yields the base URL and always stops the server,
    so no bench leaves a process behind. Its log is bench.folder / "gunicorn.log"."""
    port = _free_port()
    with (bench.folder / "gunicorn.log").open("w") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "crm.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=bench.env(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(base: str):
    """The workers take a few seconds to import Django: wait for /health/ (up to 20 s)."""
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/health/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)


def run(bench, seconds: int, *, writes: bool = True) -> dict:
    with serve(bench, workers=4) as base:
        results, lock = [], threading.Lock()
        started = time.monotonic()
        deadline = started + seconds
        officers = [Officer(base, deadline, n, results, lock, writes) for n in range(USERS)]
        for officer in officers:
            officer.start()
        for officer in officers:
            officer.join(timeout=seconds + 60)
        elapsed = time.monotonic() - started
    log = bench.folder / "gunicorn.log"
    latencies = sorted(ms for ms, _status in results)
    failures = sum(1 for _ms, status in results if status == 0 or status >= 400)
    locked = log.read_text(errors="replace").count("database is locked")
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0
    statuses = {}
    for _ms, status in results:
        if status == 0 or status >= 400:
            statuses[status] = statuses.get(status, 0) + 1
    return {
        "users": USERS,
        "writes": writes,
        "requests": len(results),
        "per_second": len(results) / elapsed if elapsed else 0,
        "signed_in_from": started,  # time.monotonic() when the officers began signing in
        "failures": failures,
        "locked": locked,
        "p95": p95,
        "median": statistics.median(latencies) if latencies else 0,
        "statuses": statuses,
    }
