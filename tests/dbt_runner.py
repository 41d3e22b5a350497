"""Runs dbt for the tests with a user's command lines, each run in a folder of its own, and reads the result
back. A run the test waits for runs in the test's process (invoke: dbt's dbtRunner, as dbt's own adapter tests
run it), which saves the start of a dbt process each time; a run the test kills is a process of its own
(start_dbt).

A run works in its folder (`workdir`, the process's working directory): the warehouse `warehouse.duckdb`
(DUCKDB_PATH, named relative to the folder), dbt's target/ and logs/, and the fitted risk models (var
risk_model_dir, by default `fitted_models`). Inputs are named by absolute paths; without a loan file, a run
reads the bundled sample.

Runs with the same vars share one parse of the project. dbt reuses its last parse
(target/partial_parse.msgpack) only when the vars and the profile's connection, the DuckDB path with it, are
those it was made with. The relative DuckDB path makes the connection the same in every folder, so a parse
made in another folder serves: a run starts from the session's stored parse of its vars (PARSE_CACHE), and
the first run of those vars stores its own. dbt still checks that nothing changed (vars, profile, files) and
parses again if anything did.
"""

import gc
import io
import json
import os
import shutil
import subprocess
import tempfile
import traceback
from hashlib import sha256
from pathlib import Path

import duckdb

from tools.dbt_process import DBT, REPO, dbt_env

SAMPLE_LOANS = REPO / "data" / "sample" / "loan_recovery.csv"
SAMPLE_LEDGER = REPO / "data" / "sample" / "ledger"
REAL_DATASET = REPO.parent / "shared" / "data" / "loan-recovery.csv"
SAMPLE_INPUTS = {"loan_recovery_path": str(SAMPLE_LOANS), "ledger_path": str(SAMPLE_LEDGER)}
WAREHOUSE = "warehouse.duckdb"
# `dbt build` without the data tests, for a reference build compared with one that ran them
UNTESTED = ["--exclude-resource-type", "test", "unit_test"]
# `dbt build` without the unit tests. They check models' logic on rows of their own, whatever a build
# reads, so one build runs them: the session's build of the sample (tests/conftest.py), whose vars enable
# every one (the Spark comparison runs them on Spark). Any other build that runs its data tests leaves them
# out.
WITHOUT_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]
# The folder that keeps one parse per vars for the test session (tests/conftest.py sets it); None: no sharing.
PARSE_CACHE: Path | None = None
# dbt writes its artifacts (target/manifest.json, run_results.json, graph.gpickle) only for a run that asks:
# the manifest, written twice a run, costs about a second of each run. A test that reads them asks
# (artifacts=True).
NO_ARTIFACTS = ["--no-write-json"]


def dbt_command(
    workdir: Path, args: list[str], dbt_vars: dict | None = None, artifacts: bool = False
) -> list[str]:
    """The command line of `dbt <args>` run in workdir, with the run's vars (the sample and workdir's model
    folder unless they say otherwise), writing dbt's artifacts if asked (NO_ARTIFACTS)."""
    dbt_vars = dbt_vars or {}
    inputs = {} if "loan_recovery_path" in dbt_vars else SAMPLE_INPUTS
    defaults = {"risk_model_dir": "fitted_models", **inputs}
    return [
        DBT,
        *args,
        *([] if artifacts else NO_ARTIFACTS),
        "--vars",
        json.dumps(defaults | dbt_vars, sort_keys=True),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
    ]


def run_dbt(
    workdir: Path, args: list[str], dbt_vars: dict | None = None, artifacts: bool = False
) -> subprocess.CompletedProcess:
    """Run `dbt <args>` in workdir to its end, in this process (invoke); return the run as a finished process,
    its output captured."""
    command = dbt_command(workdir, args, dbt_vars, artifacts)
    restore_parse(workdir, command)
    result = invoke(workdir, command)
    store_parse(workdir, command)
    return result


def invoke(workdir: Path, command: list[str]) -> subprocess.CompletedProcess:
    """Run the dbt command line in this process, as dbt's own adapter tests do (dbtRunner), in workdir with
    the environment of workdir_env: a dbt process spends about 2.2 s starting (imports, JSON schemas, reading
    its stored parse) before it builds, which a test process pays once. What dbt prints is captured; the exit
    code is the command line's (0 done, 1 failed, 2 stopped by an error); an error's traceback is in stderr.
    After the run, dbt-duckdb's DuckDB environment is closed: it is kept per process and keyed on the profile,
    whose relative DuckDB path is the same in every folder."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import capture_stdout_logs, stop_capture_stdout_logs

    output, environment, directory = io.StringIO(), dict(os.environ), os.getcwd()
    os.environ.update(workdir_env())
    os.chdir(workdir)
    capture_stdout_logs(output)
    try:
        result = dbtRunner().invoke(command[1:])
    finally:
        stop_capture_stdout_logs()
        DuckDBConnectionManager.close_all_connections()
        # A run that stops on an error can leave a DuckDB connection in a reference cycle, open until Python
        # collects the cycle: the next connection to that file in this process would fail.
        gc.collect()
        os.chdir(directory)
        os.environ.clear()
        os.environ.update(environment)
    if result.exception is not None:
        error = "".join(traceback.format_exception(result.exception))
        return subprocess.CompletedProcess(command, 2, output.getvalue(), error)
    return subprocess.CompletedProcess(command, 0 if result.success else 1, output.getvalue(), "")


def start_dbt(workdir: Path, args: list[str], dbt_vars: dict | None = None, **options) -> subprocess.Popen:
    """Start `dbt <args>` in workdir in a process group of its own, for a test that kills it (options go to
    Popen). A killed run's parse is not stored."""
    command = dbt_command(workdir, args, dbt_vars)
    restore_parse(workdir, command)
    return subprocess.Popen(command, cwd=workdir, env=workdir_env(), start_new_session=True, **options)


def workdir_env() -> dict[str, str]:
    # unbuffered: a test that waits for a line dbt prints gets it when dbt prints it. No logs/dbt.log (a
    # run's debug log costs about 5% of a build; a failing test shows what dbt printed): a test that reads it
    # asks for it (--log-level-file debug).
    return dbt_env(Path(WAREHOUSE)) | {"PYTHONUNBUFFERED": "1", "DBT_LOG_LEVEL_FILE": "none"}


def stored_parse(command: list[str]) -> Path | None:
    if PARSE_CACHE is None:
        return None
    dbt_vars = command[command.index("--vars") + 1]
    return PARSE_CACHE / f"{sha256(dbt_vars.encode()).hexdigest()}.msgpack"


def restore_parse(workdir: Path, command: list[str]) -> None:
    """Make workdir ready for the run: the folder, and the stored parse of the run's vars if there is one."""
    (workdir / "target").mkdir(parents=True, exist_ok=True)
    stored = stored_parse(command)
    if stored is not None and stored.exists():
        shutil.copyfile(stored, workdir / "target" / "partial_parse.msgpack")


def store_parse(workdir: Path, command: list[str]) -> None:
    """Keep the run's parse for the next run of the same vars, if none is kept yet (written whole, then
    renamed: the other worker may read it at any moment)."""
    stored, parsed = stored_parse(command), workdir / "target" / "partial_parse.msgpack"
    if stored is None or stored.exists() or not parsed.exists():
        return
    stored.parent.mkdir(parents=True, exist_ok=True)
    descriptor, copy = tempfile.mkstemp(dir=stored.parent)
    os.close(descriptor)
    shutil.copyfile(parsed, copy)
    os.replace(copy, stored)


def run_dbt_build(
    workdir: Path,
    dbt_vars: dict | None = None,
    select: list[str] | None = None,
    unit_tests: bool = False,
    artifacts: bool = False,
) -> subprocess.CompletedProcess:
    """Run `dbt build` (of the selected nodes) into workdir/warehouse.duckdb, with the unit tests and dbt's
    artifacts if asked (WITHOUT_UNIT_TESTS, NO_ARTIFACTS); return the finished process."""
    args = ["build"] + ([] if unit_tests else WITHOUT_UNIT_TESTS)
    if select:
        # Tests that also read unselected models would see their stale data: run only fully selected tests.
        args += ["--select", *select, "--indirect-selection", "cautious"]
    return run_dbt(workdir, args, dbt_vars, artifacts)


def dbt_build(
    workdir: Path, dbt_vars: dict | None = None, unit_tests: bool = False, artifacts: bool = False
) -> Path:
    """Build the warehouse (run_dbt_build) and return its path; any dbt error fails the test."""
    result = run_dbt_build(workdir, dbt_vars, unit_tests=unit_tests, artifacts=artifacts)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    return workdir / WAREHOUSE


def query(database: Path, sql: str):
    """Run one query on a built warehouse through a read-only connection, as a BI tool would."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).df()
