"""bench/run.py's choice of what to measure and where the table goes: a partial run never replaces
docs/performance.md by accident."""

import argparse
from types import SimpleNamespace

import pytest

from bench import run


def test_databases_are_named_from_the_two_the_bench_knows():
    assert run.database_names("postgresql") == ["postgresql"]
    assert run.database_names(" sqlite , postgresql ") == ["sqlite", "postgresql"]
    with pytest.raises(argparse.ArgumentTypeError):
        run.database_names("mysql")
    with pytest.raises(argparse.ArgumentTypeError):
        run.database_names(" , ")


def test_only_a_run_of_every_measure_on_every_database_writes_the_performance_page(tmp_path):
    full = SimpleNamespace(output=None, only=run.MEASURES, complete=True)
    assert run.output_path(full) == run.ROOT / "docs" / "performance.md"
    assert run.output_path(SimpleNamespace(output=None, only=["pages"], complete=True)) is None
    assert run.output_path(SimpleNamespace(output=None, only=run.MEASURES, complete=False)) is None
    chosen = tmp_path / "postgresql.md"
    assert run.output_path(SimpleNamespace(output=str(chosen), only=run.MEASURES, complete=False)) == chosen
