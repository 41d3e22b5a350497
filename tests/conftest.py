"""Fixtures shared by every test folder: the bundled sample's and the public dataset's warehouses, each built
once per test session; and the order in which pytest-xdist's workers take the test files."""

import fcntl
import os
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from tests import dbt_runner
from tests.dbt_runner import REAL_DATASET, dbt_build, run_dbt_build


def session_folder(tmp_path_factory) -> Path:
    """The test session's base folder, which every pytest-xdist worker sees."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root  # a worker's is in the session's


@pytest.fixture(scope="session", autouse=True)
def shared_dbt_parses(tmp_path_factory) -> None:
    """dbt runs with the same vars start from one parse of the project, on either worker
    (tests/dbt_runner.py)."""
    dbt_runner.PARSE_CACHE = session_folder(tmp_path_factory) / "dbt-parses"


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder that `build` fills once per test session, whichever pytest-xdist worker asks first (the others
    wait for it), copied into a folder of the asking worker's own: tests write beside a warehouse they read
    (a published copy, dbt's target/), and must not meet the other worker's files there."""
    root = session_folder(tmp_path_factory)
    shared = root / f"built-once-{name}"
    with (root / f"built-once-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / ".complete").exists():
            shutil.rmtree(shared, ignore_errors=True)
            build(shared)
            (shared / ".complete").touch()
    own = tmp_path_factory.mktemp(name)
    shutil.copytree(shared, own, dirs_exist_ok=True, ignore=shutil.ignore_patterns("logs", ".complete"))
    return own


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """The bundled sample, built with every data test and unit test (the only build that runs the unit tests,
    tests/dbt_runner.py), and dbt's artifacts, which several tests read."""
    build = partial(dbt_build, unit_tests=True, artifacts=True)
    return built_once(tmp_path_factory, "sample", build) / "warehouse.duckdb"


@pytest.fixture(scope="session")
def real_dataset() -> Path:
    if not REAL_DATASET.exists():
        pytest.skip(f"real dataset not found at {REAL_DATASET}")
    return REAL_DATASET


@pytest.fixture(scope="session")
def public_dataset_build(real_dataset, tmp_path_factory) -> tuple[Path, str]:
    """The public dataset built as published, without a ledger, for every test that only reads it: its
    warehouse and what dbt printed."""

    def build(folder: Path) -> None:
        result = run_dbt_build(folder, {"loan_recovery_path": str(real_dataset), "ledger_path": ""})
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
        (folder / "dbt-output.txt").write_text(result.stdout)

    folder = built_once(tmp_path_factory, "public-dataset", build)
    return folder / "warehouse.duckdb", (folder / "dbt-output.txt").read_text()


# The test files that run longest, longest first (by the setup and call times of a fresh clone's `make test`,
# 2026-12-07): the scheduler starts them first, so that the suite does not end on one worker's long file while
# the other idles (that run ended on tests/e2e/test_point_in_time.py, started late). The build sequences' walk
# takes one to two minutes: started early, a long walk is absorbed by the other worker's files.
LONGEST_FILES = [
    "tests/reliability/test_incremental.py",  # the days, the killed daily builds
    "tests/spark",  # the cross-engine build over Thrift, the session, the cluster, the executors
    "tests/reliability/test_bad_input.py",  # one selected build per malformed input
    "tests/e2e/test_one_decision_per_loan.py",  # eight experiment builds
    "tests/reliability/test_build_sequences.py",  # a random walk of builds
    "tests/e2e/test_decisioning_simulation.py",  # two generated books, before and after
    "tests/e2e/test_real_data.py",  # two real datasets and their plain models
    "tests/tools/test_quality.py",  # every model against the true probabilities
    "tests/e2e/test_point_in_time.py",  # two generated books with their ledgers
    "tests/e2e/test_model_quality.py",  # three algorithms compared, a saved model
    "tests/e2e/test_ledger.py",  # users' snapshots and ledgers
]


def pytest_xdist_make_scheduler(config, log):
    """Under `pytest -n` (pytest-xdist), each test file runs whole on one worker, so its module fixtures build
    once; the Spark files share one worker, since Spark's local sessions and clusters contend for the same
    ports, cores and memory; LONGEST_FILES go first. (xdist's `loadgroup` did this through xdist_group marks
    written into each test's id, which pytest 9 no longer reads: every test was scheduled alone, and a file's
    module fixtures were built on both workers, the killed-build fixture twice in 237 s and 199 s.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "tests/spark" if path.startswith("tests/spark/") else path

        def _assign_work_unit(self, node) -> None:
            longest = min(self.workqueue, key=longest_first)
            self.workqueue.move_to_end(longest, last=False)
            super()._assign_work_unit(node)

    return ByFile(config, log)


def longest_first(scope: str) -> int:
    return LONGEST_FILES.index(scope) if scope in LONGEST_FILES else len(LONGEST_FILES)
