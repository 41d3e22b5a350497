"""The tests' dbt runs share the parse of the project between folders when their vars are the same, and only
then (tests/dbt_runner.py): a full parse is about 4 of a sample build's 20 s on a quiet machine."""

import gc

import pytest

from tests import dbt_runner

pytestmark = pytest.mark.slow  # three parses of the project

FULL_PARSE = "Starting full parse"
NO_PARSE = "Partial parsing enabled, no changes found, skipping parsing"


# The runs of the tests write no debug log (tests/dbt_runner.py); these ask for it, to read how dbt parsed.
PARSE_WITH_LOG = ["parse", "--log-level-file", "debug"]


def parse_log(workdir) -> str:
    return (workdir / "logs" / "dbt.log").read_text()


def test_a_run_in_another_folder_with_the_same_vars_reuses_the_parse(tmp_path, monkeypatch):
    monkeypatch.setattr(dbt_runner, "PARSE_CACHE", tmp_path / "parses")
    first, second, other_vars = tmp_path / "first", tmp_path / "second", tmp_path / "other-vars"
    assert dbt_runner.run_dbt(first, PARSE_WITH_LOG).returncode == 0
    assert dbt_runner.run_dbt(second, PARSE_WITH_LOG).returncode == 0
    assert dbt_runner.run_dbt(other_vars, PARSE_WITH_LOG, {"as_of_date": "2026-05-31"}).returncode == 0
    assert FULL_PARSE in parse_log(first)
    assert NO_PARSE in parse_log(second) and FULL_PARSE not in parse_log(second)
    assert FULL_PARSE in parse_log(other_vars)


def test_runs_in_one_process_write_each_to_the_warehouse_of_its_own_folder(tmp_path, monkeypatch):
    """dbt-duckdb keeps its DuckDB connection per process, keyed on the profile, whose relative DuckDB path is
    the same in every folder: a run in the test process must not write to the last run's file."""
    monkeypatch.setattr(dbt_runner, "PARSE_CACHE", tmp_path / "parses")
    seed = ["seed", "--select", "dpd_classes"]
    for folder in (tmp_path / "first", tmp_path / "second"):
        assert dbt_runner.run_dbt(folder, seed).returncode == 0
        rows = dbt_runner.query(folder / "warehouse.duckdb", "select count(*) as n from dpd_classes").n[0]
        assert rows > 0, folder.name


def test_a_run_stopped_by_an_error_leaves_no_connection_to_its_warehouse(tmp_path, monkeypatch):
    """A loan file that is not UTF-8 stops the build inside DuckDB. With Python's cycle collector off, as it
    may not have run yet, a test that then reads the warehouse must be able to open it."""
    monkeypatch.setattr(dbt_runner, "PARSE_CACHE", tmp_path / "parses")
    loans = tmp_path / "loans.csv"
    loans.write_bytes(dbt_runner.SAMPLE_LOANS.read_bytes().replace(b"BRW_7,", b"BRW_\xe97,", 1))
    dbt_vars = {"loan_recovery_path": str(loans), "ledger_path": ""}
    gc.disable()
    try:
        result = dbt_runner.run_dbt_build(tmp_path, dbt_vars, ["stg_loan_recovery__loans"])
        assert result.returncode != 0 and "not utf-8" in result.stdout, result.stdout[-3000:]
        assert dbt_runner.query(tmp_path / "warehouse.duckdb", "select 1 as one").one[0] == 1
    finally:
        gc.enable()
