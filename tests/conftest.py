import contextlib
import errno
import functools
import os
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation

from crm.accounts.roles import Role
from tests.databases import scratch_database
from tests.factories import UserFactory
from tests.form_pages import form_pages  # noqa: F401  (a fixture: every page with a form)


@pytest.fixture(autouse=True)
def _fresh_cache_and_language():
    """Each test starts in English with an empty cache (a French request leaves French active)."""
    cache.clear()
    translation.activate("en")
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database of the kind the suite runs on, for `manage.py` in a child process."""
    with scratch_database(tmp_path) as url:
        yield url


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.OFFICER, email="officer@example.test")


@pytest.fixture
def manager(db):
    return UserFactory(role=Role.MANAGER, email="manager@example.test")


@pytest.fixture
def administrator(db):
    return UserFactory(role=Role.ADMINISTRATOR, email="admin@example.test")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def admin_client_(client, administrator):
    client.force_login(administrator)
    return client


def pytest_terminal_summary(terminalreporter):
    """How many hostile inputs the property-based tests tried (tests/crm/test_hostile_input.py), and
    any read outside the repository refused outside a test (see ReadsBesideTheRepository below)."""
    from tests.crm.test_hostile_input import TRIED

    if TRIED:
        counts = ", ".join(f"{surface} {count}" for surface, count in sorted(TRIED.items()))
        terminalreporter.write_line(f"hostile-input tests tried {sum(TRIED.values())} inputs: {counts}")
    if READS_BESIDE.refused:
        refused = ", ".join(READS_BESIDE.refused)
        terminalreporter.write_line(
            f"read outside the repository, outside any test (the run fails): {refused}", red=True
        )


# A clone of the repository on its own must pass: no test reads beside it ----------------------------

REPOSITORY = Path(__file__).resolve().parents[1]


@functools.lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


class ReadsBesideTheRepository:
    """An audit hook on open() (os.listdir and os.scandir too) that refuses, while pytest runs this
    suite, any path that resolves into the repository's parent folder but not into the repository:
    a folder of sample files lying beside the project, which a fresh clone does not have.

    The read fails with a PermissionError naming the path, and is recorded, so that a test that
    swallowed the error still fails (at its teardown, see _no_read_beside_the_repository). The rest
    of the machine (/tmp, /usr, /etc, /proc, /dev, the Python install, chromium's profiles) is not
    beside the repository, and the temporary folder and the Python install stay allowed even where they
    are. Where the repository lies directly in one of them (a clone in /tmp) or at the root of the file
    system, what lies beside it cannot be told from what tests may read: the guard stands down, saying why.
    Audit hooks cannot be removed: this one returns at once for other events and outside the run.
    """

    EVENTS = frozenset({"open", "os.listdir", "os.scandir"})

    def __init__(self, repository: Path):
        self.repository = str(repository)
        self.parent = os.path.dirname(self.repository)
        self.allowed: tuple[str, ...] = ()
        self.standing_down = ""  # why the guard cannot work here, if it cannot
        self.active = False
        self.refused: list[str] = []  # resolved paths, in order; taken away once a test reported them
        self.installed = False

    def configure(self, *allowed: str) -> None:
        """The folders `allowed` (and what they hold) stay readable even beside the repository."""
        folders = {_real_folder(folder) for folder in allowed if folder}
        if self.parent == os.path.dirname(self.parent):
            self.standing_down = "the repository is at the root of the file system: all of it lies beside"
        elif self.parent in folders:
            self.standing_down = f"the repository lies in {self.parent}, which tests must be able to read"
        # A folder holding the parent folder (/tmp for a clone in /tmp/work/) would allow all beside it.
        self.allowed = tuple(sorted(folder for folder in folders if not _within(self.parent, folder)))

    def start(self, *allowed: str) -> None:
        """Guard from now on (see configure() for `allowed`)."""
        self.configure(*allowed)
        if self.standing_down:
            return
        if not self.installed:
            sys.addaudithook(self.hook)
            self.installed = True
        self.active = True

    def stop(self) -> None:
        self.active = False

    @contextlib.contextmanager
    def paused(self):
        """For the guard's own tests, which must put a file beside the repository to read it."""
        active, self.active = self.active, False
        try:
            yield
        finally:
            self.active = active

    def beside(self, path) -> str | None:
        """The resolved path if it lies beside the repository, else None."""
        if self.standing_down or path is None or isinstance(path, int):
            return None
        try:
            text = os.fsdecode(path)
            # A bare name is left alone: it may be relative to a folder's descriptor, not to the working
            # directory (shutil.rmtree opens each entry with dir_fd, which the event does not show), or be
            # no file at all ("<unknown>": compile() looks its source up to show a warning).
            if os.sep not in text:
                return None
            folder, name = os.path.split(os.path.abspath(text))
            real = os.path.join(_real_folder(folder), name)
            if os.path.islink(real):
                real = os.path.realpath(real)
        except (TypeError, ValueError, OSError):  # not a path, or one that open() itself refuses
            return None
        if real == self.parent or not _within(real, self.parent):
            return None
        if any(_within(real, folder) for folder in (self.repository, *self.allowed)):
            return None
        return real

    def hook(self, event: str, args: tuple) -> None:
        if event not in self.EVENTS or not self.active or not args:
            return
        __tracebackhide__ = True  # the failure shows the test's line, not this one
        real = self.beside(args[0])
        if real is not None:
            self.refused.append(real)
            raise PermissionError(
                errno.EACCES,
                f"tests read only inside the repository {self.repository} (a clone has nothing beside it); "
                "put what the test needs under tests/fixtures/",
                real,
            )

    def take(self, since: int = 0) -> list[str]:
        """The paths refused since that count, forgotten from now on."""
        refused = self.refused[since:]
        del self.refused[since:]
        return refused

    def check(self, since: int = 0) -> None:
        """Fail the running test if a path was refused since that count (even if the test caught the error)."""
        refused = self.take(since)
        if refused:
            pytest.fail(
                "this test read outside the repository, where a clone has nothing: "
                + ", ".join(refused)
                + " (put what it needs under tests/fixtures/)",
                pytrace=False,
            )


READS_BESIDE = ReadsBesideTheRepository(REPOSITORY)


def pytest_configure(config):
    basetemp = config.option.basetemp
    READS_BESIDE.start(
        tempfile.gettempdir(),
        str(Path(basetemp).resolve()) if basetemp else "",
        os.path.join(os.getcwd(), ".hypothesis"),  # hypothesis keeps its examples where pytest was started
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
    )


def pytest_unconfigure(config):
    READS_BESIDE.stop()


def pytest_sessionfinish(session):
    # Refused outside any test (at collection, in a session fixture), so not reported by a test yet.
    if READS_BESIDE.refused and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_FAILED_ON = pytest.StashKey[str]()  # the path refused by the PermissionError that failed the test


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    error = call.excinfo.value if call.when == "call" and call.excinfo else None
    if isinstance(error, PermissionError) and error.filename in READS_BESIDE.refused:
        item.stash[_FAILED_ON] = error.filename
    return report


@pytest.fixture(autouse=True)
def _no_read_beside_the_repository(request):
    refused = READS_BESIDE.refused
    start = len(refused)
    yield
    if (shown := request.node.stash.get(_FAILED_ON, None)) in refused[start:]:
        del refused[refused.index(shown, start)]  # the test already failed on it, naming it
    READS_BESIDE.check(start)


@pytest.fixture
def reads_beside_the_repository():
    """The guard itself, for its own tests (tests/test_self_contained.py)."""
    return READS_BESIDE
