"""Jobs for the engine's tests (a job must be a module-level function, importable by a worker)."""

import time
from pathlib import Path

from crm.jobs.engine import Retry, job

CALLS: list[tuple] = []


@job(attempts=3, backoff=10)
def flaky(label: str, fail_times: int) -> str:
    """Fails its first `fail_times` tries."""
    CALLS.append(("flaky", label))
    if sum(1 for call in CALLS if call == ("flaky", label)) <= fail_times:
        raise ConnectionError(f"{label}: the receiver did not answer")
    return f"{label} done"


@job(attempts=2, backoff=10)
def patient(label: str) -> None:
    CALLS.append(("patient", label))
    if len([c for c in CALLS if c == ("patient", label)]) == 1:
        raise Retry("busy", after=300)


@job(attempts=2, timeout=2)
def slow_write(folder: str, seconds: float) -> None:
    """Writes 'started', sleeps (at its first start only), writes 'finished' (the kill -9 test kills
    its worker in that sleep)."""
    path = Path(folder)
    with (path / "started").open("a") as file:
        file.write("x")
    if (path / "started").read_text() == "x":
        time.sleep(seconds)
    with (path / "finished").open("a") as file:
        file.write("x")


@job()
def nothing(slot: str = "") -> None:
    CALLS.append(("nothing", slot))
