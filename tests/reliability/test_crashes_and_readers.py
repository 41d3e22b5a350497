"""Killed builds recover, builds repeat exactly, and BI readers of the published file are never disturbed.

One second build of the sample (compared with the session's first) is the base; a copy of it is killed once
in each phase of a build and rebuilt after each kill, while a reader polls the file published after every
rebuild.
"""

import hashlib
import json
import os
import shutil
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
# Where a build is killed: one moment in each phase that writes to the warehouse, as the line dbt prints
# when the phase starts and the seconds to wait after it (the risk model's fit takes seconds: killed in its
# middle). Ten evenly spaced moments took ten rebuilds and could still miss the short phases (the hooks).
KILL_PHASES = {
    "on-run-start hooks (input files, stale loan inputs)": ("START hook: loan_recovery.on-run-start", 0.0),
    "seeds": ("START seed file", 0.0),
    "an incremental SQL model": ("START sql incremental model", 0.0),
    "the risk model's fit (Python)": ("START python incremental model intermediate.int_loans_scored", 1.0),
    "a public table": ("START sql table model main.", 0.0),
    "on-run-end hooks (incremental state)": ("START hook: loan_recovery.on-run-end", 0.0),
}


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


def kill_build_at(workdir, line: str, delay: float) -> None:
    """Starts `dbt build` on workdir's warehouse and kills it `delay` seconds after it prints `line`."""
    command = [DBT, "build", "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    # Its own process group, so that the kill reaches dbt's threads and children too; unbuffered, so that
    # the line arrives when dbt prints it.
    env = dbt_env(workdir / "warehouse.duckdb") | {"PYTHONUNBUFFERED": "1"}
    build = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    reached = False
    for output in build.stdout:
        if line in output:
            reached = True
            time.sleep(delay)
            break
    os.killpg(build.pid, signal.SIGKILL)
    build.stdout.close()
    build.wait()
    assert reached, f"the build finished without printing {line!r}"


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


@pytest.fixture(scope="module")
def second_build(tmp_path_factory):
    """The sample built again, from nothing, into a warehouse of its own."""
    return dbt_build(tmp_path_factory.mktemp("second"))


@pytest.fixture(scope="module")
def killed_builds(sample_warehouse, second_build, tmp_path_factory):
    """A copy of the second build killed in each of KILL_PHASES and rebuilt after each kill, every rebuild
    published while a reader polls the published file: (the public table hashes after each rebuild, by
    phase; the reader's log)."""
    workdir = tmp_path_factory.mktemp("killed")
    shutil.copy(second_build, workdir / "warehouse.duckdb")  # dbt ended cleanly: no write-ahead log left
    published, stop_file, log_file = (workdir / name for name in ("published.duckdb", "stop", "reads.jsonl"))
    publish(sample_warehouse, published)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop_file), str(log_file)])
    rebuilt = {}
    try:
        for phase, (line, delay) in KILL_PHASES.items():
            kill_build_at(workdir, line, delay)
            warehouse = dbt_build(workdir)
            rebuilt[phase] = public_table_hashes(warehouse)
            publish(warehouse, published)
    finally:
        stop_file.touch()
        reader.wait(timeout=60)
    return rebuilt, [json.loads(line) for line in log_file.read_text().splitlines()]


def test_two_builds_give_identical_public_tables(sample_warehouse, second_build):
    assert public_table_hashes(second_build) == public_table_hashes(sample_warehouse)


def test_a_build_killed_in_any_phase_is_repaired_by_the_next_build(sample_warehouse, killed_builds):
    expected = public_table_hashes(sample_warehouse)
    rebuilt, _ = killed_builds
    assert list(rebuilt) == list(KILL_PHASES)
    for phase, hashes in rebuilt.items():
        assert hashes == expected, f"after a kill in {phase}"


def test_bi_readers_are_never_blocked_and_never_see_a_half_built_warehouse(killed_builds):
    _, reads = killed_builds
    print(f"\n{len(reads)} reads during {len(KILL_PHASES)} killed builds and their rebuilds,", end=" ")
    print(f"slowest {max(r.get('seconds', 0) for r in reads):.3f} s")
    assert len(reads) > 50
    assert [read for read in reads if "error" in read] == []
    assert {(read["loans"], read["portfolio"]) for read in reads} == {(2000, 2000)}
    assert max(read["seconds"] for read in reads) < 5
