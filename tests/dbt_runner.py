"""Runs dbt into a throw-away DuckDB file from the repo root, as a user would, and reads the result back."""

import json
import subprocess
from pathlib import Path

import duckdb

from tools.dbt_process import DBT, REPO, dbt_env

SAMPLE_LOANS = REPO / "data" / "sample" / "loan_recovery.csv"
SAMPLE_LEDGER = REPO / "data" / "sample" / "ledger"
REAL_DATASET = REPO.parent / "shared" / "data" / "loan-recovery.csv"


def run_dbt_build(
    workdir: Path, dbt_vars: dict | None = None, select: list[str] | None = None
) -> subprocess.CompletedProcess:
    """Run `dbt build` (of the selected nodes) into workdir/warehouse.duckdb; return the finished process.

    The fitted risk models go to workdir/fitted_models (unless the vars say otherwise), not to the repo's: the
    builds of two tests running side by side never read each other's model files."""
    env = dbt_env(workdir / "warehouse.duckdb")
    dbt_vars = {"risk_model_dir": str(workdir / "fitted_models"), **(dbt_vars or {})}
    command = [
        DBT,
        "build",
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
    ]
    command += ["--vars", json.dumps(dbt_vars)]
    if select:
        # Tests that also read unselected models would see their stale data: run only fully selected tests.
        command += ["--select", *select, "--indirect-selection", "cautious"]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)


def dbt_build(workdir: Path, dbt_vars: dict | None = None) -> Path:
    """Build the warehouse and return its path; any dbt error fails the test."""
    result = run_dbt_build(workdir, dbt_vars)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    return workdir / "warehouse.duckdb"


def query(database: Path, sql: str):
    """Run one query on a built warehouse through a read-only connection, as a BI tool would."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).df()
