"""The Spark row of the benchmark: the same generated files built as `make build-spark` builds them
(tools/spark_build.py: dbt on the spark target, the ML job, dbt below the ML step, every test), timed with
its peak memory, next to the DuckDB build of the same files."""

import datetime
import importlib.util
import json
import os
import shutil
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tools.benchmark.render import _gib
from tools.benchmark.runs import build_vars, dbt_build, generate
from tools.benchmark.timing import Measured, run_measured, stage_seconds
from tools.markdown import as_markdown
from tools.spark_build import STEPS, check_java

# Spark session settings for a 1M-loan build on one machine (make build-spark's defaults suit the sample):
# more driver memory (in local mode the executors are threads of the driver JVM), shuffle partitions that
# adaptive query execution coalesces when they are small, and the JVM's full JIT compiler with a parallel
# collector rather than the fast start. The environment variables override them. At 1M loans with their ledger
# a 4g driver ran out of heap building the month ends (`int_loans_monthly_delinquency`: "GC overhead limit
# exceeded"), which ends the local session; with 8g the build passed (docs/engines-and-spark.md).
BENCH_SPARK_SETTINGS = {
    "SPARK_DRIVER_MEMORY": "8g",
    "SPARK_SHUFFLE_PARTITIONS": "16",
    "SPARK_JVM_OPTIONS": "-XX:+UseParallelGC",
}
# How often the memory of the process tree is read while the build runs.
SAMPLE_SECONDS = 0.5

SPARK_METHOD = f"""\
- Spark: `python -m tools.spark_build` (what `make build-spark` runs) on the same generated files, the
  same vars, in one process holding one local Spark session (`local[2]`, the JVM started by PySpark,
  the Python workers started by the JVM): dbt above the ML step with its tests, the ML job
  (ml/spark_job.py), dbt below it with its tests. Tables are Parquet under a new warehouse folder.
  Session settings: {", ".join(f"{name}={value}" for name, value in BENCH_SPARK_SETTINGS.items())}
  unless set in the environment.
- Peak RSS, process tree: on Spark, the largest sum of the RSS of every process the build started (the
  driver's Python, the JVM, the Python workers), read from /proc every {SAMPLE_SECONDS} s. Not wait4's max
  RSS, as for DuckDB's one process: it misses the JVM, which the driver's Python starts and does not wait
  for.
- Split: Spark's wall seconds per step of tools/spark_build.py (session start, dbt above the ML step, ML
  job, dbt below it); DuckDB's ML stage is the span its Python models ran (see the stages table).
"""


@dataclass
class SparkResult:
    """A size built on Spark next to its DuckDB build; `skipped` says why there is no Spark build."""

    loans: int
    duckdb_build: Measured
    duckdb_ml_seconds: float
    build: Measured | None = None
    tree_peak_bytes: int | None = None
    steps: dict[str, float] = field(default_factory=dict)
    skipped: str | None = None
    # The machine's load average (1, 5, 15 minutes) when the Spark build ended.
    load_average: tuple[float, float, float] | None = None


def missing_spark() -> str | None:
    """Why Spark cannot run here (the extra or Java missing), or None when it can."""
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        return "the Spark extra is not installed (`make spark-env`)"
    try:
        check_java()
    except SystemExit as missing_java:
        return str(missing_java)
    return None


def spark_build(
    directory: Path, loans: int, with_ledger: bool, duckdb_build: Measured, duckdb_ml_seconds: float
) -> SparkResult:
    """Build the generated files in `directory` on a local Spark, measured; skipped if Spark cannot run."""
    result = SparkResult(loans, duckdb_build, duckdb_ml_seconds)
    result.skipped = missing_spark()
    if result.skipped:
        return result
    dbt_vars = build_vars(directory, with_ledger, directory / "models-spark")
    timings = directory / "spark-steps.json"
    command = [sys.executable, "-m", "tools.spark_build", "--vars", json.dumps(dbt_vars)]
    command += ["--warehouse-dir", str(directory / "spark-warehouse")]
    command += ["--target-path", str(directory / "target-spark"), "--timings", str(timings)]
    shutil.rmtree(directory / "models-spark", ignore_errors=True)
    env = {**BENCH_SPARK_SETTINGS, **os.environ, "DBT_LOG_PATH": str(directory / "logs")}
    with TreePeakMemory() as tree:
        result.build = run_measured(command, directory / "logs" / "spark-build.log", env)
    result.tree_peak_bytes = tree.peak_bytes
    result.load_average = os.getloadavg()
    result.steps = json.loads(timings.read_text())
    return result


def duckdb_and_spark(loans: int, seed: int, directory: Path, progress: Callable[[str], None]) -> SparkResult:
    """The DuckDB and Spark builds of `loans` loans with their ledger, on files generated before if any."""
    if not (directory / "loan_recovery.parquet").exists() or not (directory / "ledger").exists():
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        progress(f"{loans:,} loans: generating")
        generate(loans, seed, directory, with_ledger=True)
    # The builds start afresh, as in a full run: an existing warehouse would make incremental models add.
    (directory / "warehouse.duckdb").unlink(missing_ok=True)
    for output in ("target", "models"):
        shutil.rmtree(directory / output, ignore_errors=True)
    progress(f"{loans:,} loans: dbt build")
    build = dbt_build(directory, with_ledger=True)
    manifest = json.loads((directory / "target" / "manifest.json").read_text())
    run_results = json.loads((directory / "target" / "run_results.json").read_text())
    ml_seconds = stage_seconds(run_results, manifest, build.seconds)["ML"]
    progress(f"{loans:,} loans: Spark build")
    return spark_build(directory, loans, True, build, ml_seconds)


class TreePeakMemory:
    """While in the `with` block, the largest sum of RSS of this process's descendants, sampled."""

    def __init__(self, interval: float = SAMPLE_SECONDS) -> None:
        self.peak_bytes = 0
        self._interval = interval
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "TreePeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(self._interval):
            self.peak_bytes = max(self.peak_bytes, descendants_rss_bytes(os.getpid()))


def descendants_rss_bytes(root: int, proc: Path = Path("/proc")) -> int:
    """The summed resident memory of every descendant of process `root` (not `root` itself), from /proc."""
    children: dict[int, list[int]] = {}
    rss_pages: dict[int, int] = {}
    for stat_path in proc.glob("[0-9]*/stat"):
        try:
            stat = stat_path.read_text()
        except OSError:  # the process ended between the listing and the read
            continue
        # Fields after the command name, which is in parentheses and may hold spaces: state, ppid, ...; rss is
        # field 24 of proc_pid_stat(5).
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(stat_path.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss_pages[pid] = int(fields[21])
    total, pending = 0, list(children.get(root, []))
    while pending:
        pid = pending.pop()
        total += rss_pages[pid]
        pending += children.get(pid, [])
    return total * os.sysconf("SC_PAGE_SIZE")


def engine_table(results: list[SparkResult]) -> str:
    """Markdown: for each size, the DuckDB build and the Spark build of the same files (or why skipped)."""
    header = [
        "loans",
        "engine",
        "build s",
        "peak RSS, process tree",
        f"split s ({' / '.join(STEPS)})",
        "time vs DuckDB",
    ]
    rows = []
    for result in results:
        rows.append(
            [
                f"{result.loans:,}",
                "DuckDB (`dbt build`)",
                f"{result.duckdb_build.seconds:.1f}",
                _gib(result.duckdb_build.max_rss_bytes),
                f"ML stage {result.duckdb_ml_seconds:.1f}",
                "1.00x",
            ]
        )
        if result.build is None:
            rows.append([f"{result.loans:,}", "Spark", f"skipped: {result.skipped}", "", "", ""])
            continue
        split = " / ".join(f"{result.steps[step]:.1f}" for step in STEPS)
        rows.append(
            [
                f"{result.loans:,}",
                "Spark (`tools.spark_build`, local[2])",
                f"{result.build.seconds:.1f}",
                _gib(result.tree_peak_bytes),
                split,
                f"{result.build.seconds / result.duckdb_build.seconds:.2f}x",
            ]
        )
    return as_markdown(pd.DataFrame(rows, columns=header))


ENGINE_HEADING = "## DuckDB and Spark on the same files"


def engine_section(results: list[SparkResult], command: str) -> str:
    """The results.md section of the Spark rows: when and how they were measured, the machine's load, the
    table."""
    loads = [
        f"{result.loans:,} loans {' / '.join(f'{load:.1f}' for load in result.load_average)}"
        for result in results
        if result.load_average
    ]
    lines = [ENGINE_HEADING, "", f"Measured {datetime.date.today().isoformat()} with", "", "```sh", command]
    lines += ["```", ""]
    if loads:
        lines += [
            "Load average (1 / 5 / 15 min) when the Spark build ended: " + "; ".join(loads) + ". The",
            "machine's 2 cores are shared: compare the engines by their ratio, not by the seconds.",
            "",
        ]
    return "\n".join([*lines, engine_table(results), "", SPARK_METHOD])


def with_engine_section(markdown: str, section: str) -> str:
    """`markdown` (bench/results.md) with its engine section replaced by `section`, or `section` added at the
    end: a run of the Spark rows alone leaves the other sections as they were measured."""
    start = markdown.find(ENGINE_HEADING)
    if start < 0:
        return markdown.rstrip("\n") + "\n\n" + section
    end = markdown.find("\n## ", start + len(ENGINE_HEADING))
    rest = "" if end < 0 else markdown[end:]
    return markdown[:start] + section.rstrip("\n") + "\n" + rest
