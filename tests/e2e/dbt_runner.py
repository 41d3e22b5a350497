"""Runs `dbt build` into a throw-away DuckDB file from the repo root, as a user would, and reads it back."""

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
REAL_DATASET = REPO.parent / "shared" / "data" / "loan-recovery.csv"


def dbt_build(workdir: Path, dbt_vars: dict | None = None) -> Path:
    """Build the warehouse into workdir/warehouse.duckdb and return its path; any dbt error fails the test."""
    database = workdir / "warehouse.duckdb"
    env = {**os.environ, "DUCKDB_PATH": str(database), "DBT_PROFILES_DIR": str(REPO)}
    command = [
        str(Path(sys.executable).with_name("dbt")),
        "build",
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    return database


def query(database: Path, sql: str):
    """Run one query on a built warehouse through a read-only connection, as a BI tool would."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).df()
