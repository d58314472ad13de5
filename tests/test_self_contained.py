"""The suite reads nothing beside the repository, so that a clone on its own passes: the guard in
tests/conftest.py refuses such a read, names the path, and fails the test even if it caught the error."""

import contextlib
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture
def guard(reads_beside_the_repository):
    if reads_beside_the_repository.standing_down:
        pytest.skip(f"the guard stands down: {reads_beside_the_repository.standing_down}")
    return reads_beside_the_repository


@pytest.fixture
def beside(guard):
    """A folder holding one file, in the repository's parent folder; removed afterwards."""
    folder = REPOSITORY.parent / f".{REPOSITORY.name}-guard-test-{uuid.uuid4().hex[:8]}"
    try:
        folder.mkdir()
    except OSError as error:
        pytest.skip(f"cannot write in the repository's parent folder {REPOSITORY.parent}: {error}")
    try:
        with guard.paused():  # writing the file there would be refused too
            (folder / "sample.csv").write_text("name\nBeside the repository\n", encoding="utf-8")
        yield folder
    finally:
        with guard.paused():  # and so would removing it (rmtree opens the folder)
            shutil.rmtree(folder, ignore_errors=True)


def test_the_guard_is_on_while_the_suite_runs(guard):
    assert guard.active
    assert guard.installed
    assert guard.parent == str(REPOSITORY.parent)


def test_which_paths_lie_beside_the_repository(guard, monkeypatch):
    monkeypatch.chdir(REPOSITORY)
    beside = REPOSITORY.parent / "sample-files" / "organizations.csv"
    assert guard.beside(beside) == str(beside)
    assert guard.beside(os.fsencode(beside)) == str(beside)
    assert guard.beside(Path("..", "sample-files", "organizations.csv")) == str(beside)
    copy = REPOSITORY.parent / f"{REPOSITORY.name}-copy" / "x.csv"  # its name starts as the repository's
    assert guard.beside(copy) == str(copy)
    for allowed in (
        REPOSITORY / "tests" / "fixtures" / "organizations.csv",
        Path("tests", "fixtures", "organizations.csv"),
        REPOSITORY / "tests" / ".." / "pyproject.toml",
        REPOSITORY.parent,  # the parent folder itself: only what lies in it is refused
        Path(tempfile.gettempdir(), "crm-export.csv"),
        Path("/usr/share/zoneinfo/UTC"),
        Path("/etc/hostname"),
        Path("/proc/self/status"),
        Path("/dev/null"),
        Path(os.__file__),  # the Python install
        "<unknown>",  # source code that is no file (compile() looks it up for a warning)
        "name-only.csv",  # perhaps relative to a folder's descriptor (dir_fd), which the event does not give
        3,  # a file descriptor
    ):
        assert guard.beside(allowed) is None, allowed


def test_the_temporary_folder_stays_allowed_wherever_it_is(reads_beside_the_repository):
    guard_type = type(reads_beside_the_repository)  # fresh ones, configured but never installed
    work = Path("/nowhere-guard-test/work")
    guard = guard_type(work / "crm")
    guard.configure(str(work / "tmp"), "/nowhere-guard-test")  # TMPDIR beside it; a folder holding it all
    assert not guard.standing_down
    assert guard.allowed == (str(work / "tmp"),)
    assert guard.beside(work / "tmp" / "pytest-of-ci" / "x.csv") is None
    assert guard.beside(work / "sample-files" / "x.csv") == str(work / "sample-files" / "x.csv")

    temporary = Path(tempfile.gettempdir()).resolve()
    in_temporary = guard_type(temporary / "crm")  # a clone straight into /tmp: its neighbours are temporary files
    in_temporary.configure(str(temporary))
    assert in_temporary.standing_down
    assert in_temporary.beside(temporary / "other" / "x.csv") is None
    at_the_root = guard_type(Path("/crm"))
    at_the_root.configure()
    assert at_the_root.standing_down
    assert at_the_root.beside("/etc/hostname") is None


def test_reading_a_file_beside_the_repository_is_refused_and_named(guard, beside):
    sample = beside / "sample.csv"
    with pytest.raises(PermissionError, match=re.escape(str(sample))) as refused:
        sample.read_text(encoding="utf-8")
    assert "tests/fixtures/" in str(refused.value)
    with pytest.raises(PermissionError, match=re.escape(str(beside))):
        os.listdir(beside)
    with pytest.raises(PermissionError, match=re.escape(str(beside))):
        os.scandir(beside)
    assert guard.take() == [str(sample), str(beside), str(beside)]  # taken: this test expected them


def test_a_relative_path_or_a_link_leading_beside_the_repository_is_refused(guard, beside, tmp_path, monkeypatch):
    sample = beside / "sample.csv"
    monkeypatch.chdir(REPOSITORY / "tests")
    link = tmp_path / "link.csv"
    link.symlink_to(sample)
    for path in (Path("..", "..", beside.name, "sample.csv"), link):
        with pytest.raises(PermissionError):
            path.read_bytes()
    assert guard.take() == [str(sample), str(sample)]


def test_a_test_that_swallowed_the_error_still_fails(guard, beside):
    start = len(guard.refused)
    with contextlib.suppress(OSError):
        (beside / "sample.csv").read_bytes()
    # What the autouse fixture of tests/conftest.py does after every test:
    with pytest.raises(pytest.fail.Exception, match=re.escape(str(beside / "sample.csv"))):
        guard.check(start)
    guard.check(start)  # reported once: nothing left


def test_reads_in_the_repository_in_the_temporary_folder_and_in_python_are_allowed(guard, tmp_path):
    start = len(guard.refused)
    assert (REPOSITORY / "pyproject.toml").read_bytes()
    assert "organizations.csv" in os.listdir(REPOSITORY / "tests" / "fixtures")
    scratch = tmp_path / "scratch.csv"
    scratch.write_text("name\nKora Transit\n", encoding="utf-8")
    assert scratch.read_text(encoding="utf-8") == "name\nKora Transit\n"
    assert Path(os.__file__).read_bytes()
    with open(os.devnull, "rb") as null:
        assert null.read() == b""
    assert guard.refused[start:] == []
