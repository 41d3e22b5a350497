"""Killed builds recover, builds repeat exactly, and BI readers of the published file are never disturbed."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.dbt_runner import DBT, REPO, dbt_build, dbt_env, query
from tools.publish import publish

# Each test builds warehouses of its own: left out of `make check`.
pytestmark = pytest.mark.slow

# Columns that record when a build ran, the only thing allowed to differ between two builds.
BUILD_TIME_COLUMNS = {"fitted_at", "last_scored_at", "build_id", "built_at", "previous_built_at"}
KILL_MOMENTS = 10


def public_table_hashes(database) -> dict[str, str]:
    """SHA-256 of every public table's content, in a row order independent of how it was written."""
    tables = query(database, "select table_name from information_schema.tables where table_schema = 'main'")
    hashes = {}
    for table in tables.table_name:
        columns = query(database, f'select * from "{table}" limit 0').columns
        kept = ", ".join(f'"{column}"' for column in columns if column not in BUILD_TIME_COLUMNS)
        content = query(database, f'select {kept} from "{table}" order by all').to_csv(index=False)
        hashes[table] = hashlib.sha256(content.encode()).hexdigest()
    return hashes


def start_build(workdir) -> subprocess.Popen:
    command = [DBT, "build", "--target-path", str(workdir / "target")]
    # Its own process group, so that the kill reaches dbt's threads and children too.
    env = dbt_env(workdir / "warehouse.duckdb")
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, start_new_session=True)


def test_two_builds_give_identical_public_tables(sample_warehouse, tmp_path):
    assert public_table_hashes(dbt_build(tmp_path)) == public_table_hashes(sample_warehouse)


def test_a_build_killed_at_any_moment_is_repaired_by_the_next_build(sample_warehouse, tmp_path):
    expected = public_table_hashes(sample_warehouse)
    started = time.monotonic()
    dbt_build(tmp_path)
    full_build_seconds = time.monotonic() - started

    for moment in range(KILL_MOMENTS):
        build = start_build(tmp_path)
        time.sleep(full_build_seconds * (moment + 0.5) / KILL_MOMENTS)
        os.killpg(build.pid, signal.SIGKILL)
        build.wait()

        assert public_table_hashes(dbt_build(tmp_path)) == expected, f"after a kill at moment {moment}"


READER = """
import json, sys, time, duckdb
published, stop_file, log_file = sys.argv[1:]
with open(log_file, "w") as log:
    while True:
        started = time.monotonic()
        try:
            with duckdb.connect(published, read_only=True) as connection:
                loans = connection.execute("select count(*) from recovery_strategy").fetchone()[0]
                portfolio = connection.execute("select count(*) from loan_portfolio").fetchone()[0]
            log.write(json.dumps({"loans": loans, "portfolio": portfolio,
                                  "seconds": time.monotonic() - started}) + "\\n")
        except Exception as error:
            log.write(json.dumps({"error": repr(error)}) + "\\n")
        log.flush()
        try:
            open(stop_file).close()
            break
        except FileNotFoundError:
            time.sleep(0.05)
"""


def test_bi_readers_are_never_blocked_and_never_see_a_half_built_warehouse(sample_warehouse, tmp_path):
    published, stop_file, log_file = (tmp_path / name for name in ("published.duckdb", "stop", "reads.jsonl"))
    publish(sample_warehouse, published)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop_file), str(log_file)])

    for _ in range(3):
        publish(dbt_build(tmp_path), published)
    stop_file.touch()
    reader.wait(timeout=60)

    reads = [json.loads(line) for line in log_file.read_text().splitlines()]
    print(f"\n{len(reads)} reads during 3 builds, slowest {max(r.get('seconds', 0) for r in reads):.3f} s")
    assert len(reads) > 50
    assert [read for read in reads if "error" in read] == []
    assert {(read["loans"], read["portfolio"]) for read in reads} == {(2000, 2000)}
    assert max(read["seconds"] for read in reads) < 5
