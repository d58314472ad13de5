"""What a fresh machine installs: the lock files agree with pyproject.toml and with the environment.

`make install` installs requirements-installer.txt, then requirements-dev.txt, with hashes and no
dependency resolution of its own (`--no-deps`): whatever the lock holds is what runs. These tests
fail, with the command that mends it, when someone changes pyproject.toml without `make lock`,
edits a lock by hand, or runs the suite in an environment that drifted from the lock.
"""

import hashlib
import re
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;\\]+)\s*(?:;\s*(?P<marker>[^\\]+?))?\s*\\?$")
MEND = "run `make lock` (or `make upgrade`) and commit the lock files"


@dataclass(frozen=True)
class Pin:
    version: str
    marker: Marker | None
    hashes: int
    direct: bool  # pyproject.toml asks for it by name

    def applies(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def read_lock(name: str) -> dict[str, list[Pin]]:
    """The pins of a lock file written by `uv pip compile --generate-hashes` (see the Makefile),
    by package; a package pinned apart for some Python versions has one pin for each."""
    pins: dict[str, list[Pin]] = {}
    current = None
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            marker = match["marker"]
            current = canonicalize_name(match["name"])
            pins.setdefault(current, []).append(Pin(match["version"], Marker(marker) if marker else None, 0, False))
        elif current and line.strip().startswith("--hash=sha256:"):
            pin = pins[current][-1]
            pins[current][-1] = Pin(pin.version, pin.marker, pin.hashes + 1, pin.direct)
        elif current and "customs-crm (pyproject.toml" in line:
            pin = pins[current][-1]
            pins[current][-1] = Pin(pin.version, pin.marker, pin.hashes, True)
        elif line and not line.startswith((" ", "#")):
            pytest.fail(f"{name}: a line that is not an exact pin: {line!r}; {MEND}")
    return pins


def here(pins: dict[str, list[Pin]]) -> dict[str, Pin]:
    """The pins that apply on this machine (its Python version and platform)."""
    applying = {name: [pin for pin in entries if pin.applies()] for name, entries in pins.items()}
    assert all(len(entries) <= 1 for entries in applying.values()), applying
    return {name: entries[0] for name, entries in applying.items() if entries}


def asked(*extras: str, group: str | None = None) -> list[Requirement]:
    project = PYPROJECT["project"]
    if group:
        return [Requirement(text) for text in PYPROJECT["dependency-groups"][group]]
    texts = list(project["dependencies"])
    for extra in extras:
        texts += project["optional-dependencies"][extra]
    return [Requirement(text) for text in texts]


def left_out() -> set[str]:
    """What requirements-overrides.txt leaves out of the lock on purpose (a marker never true)."""
    lines = (ROOT / "requirements-overrides.txt").read_text(encoding="utf-8").splitlines()
    return {canonicalize_name(Requirement(line).name) for line in lines if line.strip() and not line.startswith("#")}


def closure(requirements: list[Requirement]) -> set[str]:
    """Every distribution these requirements reach on this machine, extras included, read from the
    installed packages' metadata; what the overrides leave out is not followed."""
    seen, todo, skipped = set(), [(r, frozenset(r.extras)) for r in requirements], left_out()
    while todo:
        requirement, extras = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in skipped or (name in seen and not extras):
            continue
        seen.add(name)
        for text in metadata.requires(name) or []:
            child = Requirement(text)
            wanted = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if child.marker is None or any(child.marker.evaluate(env) for env in wanted):
                todo.append((child, frozenset(child.extras)))
    return seen


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.txt", asked("redis")),
        ("requirements-dev.txt", asked("redis", "test")),
        ("requirements-installer.txt", asked(group="installer")),
    ],
)
def test_each_lock_pins_exactly_what_pyproject_asks_for(lock, requirements):
    pins = read_lock(lock)
    wanted = {canonicalize_name(r.name): r for r in requirements}
    direct = {name for name, entries in pins.items() if any(pin.direct for pin in entries)}
    assert direct == set(wanted), f"{lock} and pyproject.toml name different dependencies: {MEND}"
    for name, requirement in wanted.items():
        for pin in pins[name]:
            assert requirement.specifier.contains(pin.version, prereleases=True), (
                f"{lock} pins {name}=={pin.version}, pyproject.toml asks for {requirement}: {MEND}"
            )
    for name, entries in pins.items():
        assert all(pin.hashes for pin in entries), f"{lock}: {name} has no hash; {MEND}"


def test_the_app_lock_and_the_dev_lock_pin_the_same_versions():
    """Same versions, on the same platforms; a test tool may need one of the app's packages on more
    of them (django-stubs needs typing-extensions on every Python): the dev pin then has no marker."""
    app, dev = read_lock("requirements.txt"), read_lock("requirements-dev.txt")
    assert set(app) <= set(dev)
    for name, entries in app.items():
        assert [pin.version for pin in dev[name]] == [pin.version for pin in entries], name
        for app_pin, dev_pin in zip(entries, dev[name], strict=True):
            assert dev_pin.marker in (app_pin.marker, None), name


def test_the_lock_holds_every_dependency_and_nothing_more():
    """The closure of pyproject's requirements (extras such as allauth's `mfa` included) is locked,
    and the lock holds no package that nothing asks for any more."""
    pins = here(read_lock("requirements-dev.txt"))
    reached = closure(asked("redis", "test"))
    assert reached - set(pins) == set(), f"needed but not locked: {MEND}"
    assert set(pins) - reached == set(), f"locked but needed by nothing: {MEND}"


def test_the_environment_is_the_lock():
    """The suite runs on exactly what a fresh machine installs (`make install` makes the virtual
    environment anew when a lock file changes)."""
    for lock in ("requirements-dev.txt", "requirements-installer.txt"):
        for name, pin in here(read_lock(lock)).items():
            assert metadata.version(name) == pin.version, f"{name}: installed ≠ {lock}; run `make install`"


def test_the_build_backend_is_pinned():
    """Nothing is built to install the app; a build of the project (a wheel) takes this exact backend."""
    (requirement,) = [Requirement(text) for text in PYPROJECT["build-system"]["requires"]]
    assert str(requirement.specifier).startswith("=="), requirement


def test_bootstrap_files_are_bootstraps_own():
    """The vendored Bootstrap files are the release's, byte for byte (sums in their README)."""
    folder = ROOT / "crm" / "static" / "bootstrap"
    sums = re.findall(r"^([0-9a-f]{64})  (\S+)$", (folder / "README.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert len(sums) == 4
    for digest, name in sums:
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert (folder / "LICENSE").read_text(encoding="utf-8").startswith("The MIT License")
