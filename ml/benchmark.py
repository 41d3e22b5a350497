"""Benchmark of the whole `dbt build` on generated loans, next to two references run on the same data.

The references: the source documents' method (pandas reads the CSV, scikit-learn K-Means + Random Forest) and
the SQL dbt compiled replayed by DuckDB alone, with the Python models called directly. Prints the results and
writes them, with the targets, to bench/results.md.

    python -m ml.benchmark --loans 10000 100000 1000000 [--with-10m] [--workdir DIR] [--seed S]
"""

import argparse
import datetime
import graphlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import jinja2
import pandas as pd
import yaml
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from ml.quality import as_markdown

REPO = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).with_name("dbt")
DEFAULT_LOANS = [10_000, 100_000, 1_000_000]
# The largest size is measured on the loan file alone: its ledger would be about a billion rows.
SNAPSHOT_ONLY_LOANS = 10_000_000
GIB = 1024**3

STARTUP_STAGE = "dbt start-up and parse"
STAGES = [STARTUP_STAGE, "seeds", "staging", "validation", "ledger", "ML", "marts", "data tests", "other"]
STAGE_NOTES = {
    STARTUP_STAGE: "whole wall time minus the span covered by nodes (start-up, parsing, shut-down)",
    "seeds": "the reference seeds (risk bands, DPD classes); the sample seeds are off with your own files",
    "staging": "models/staging",
    "validation": "int_*_validated",
    "ledger": "other models of models/intermediate/ledger",
    "ML": "Python models",
    "marts": "SQL models of models/marts",
    "data tests": "every data test",
    "other": "unit tests, hooks, int_loan_types_loss_severity",
}

# The source documents' method. Their features: the numeric columns of document 000's dataset overview
# (demographics, financial attributes, behaviour, loan attributes); Payment_History is text, so left out.
SOURCE_FEATURES = [
    "Age",
    "Monthly_Income",
    "Loan_Amount",
    "Loan_Tenure",
    "Interest_Rate",
    "Collateral_Value",
    "Outstanding_Loan_Amount",
    "Monthly_EMI",
    "Num_Missed_Payments",
    "Days_Past_Due",
]
SOURCE_CLUSTERS = 4
# Document 001 names its clusters by number: 0 "Moderate Income, High Loan Burden" and 3 "High Loan, Higher
# Default Risk" are the risky segments its High_Risk_Flag marks.
SOURCE_HIGH_RISK_CLUSTERS = (0, 3)
SOURCE_TEST_SHARE = 0.3
SOURCE_TREES = 100
SOURCE_RANDOM_STATE = 42

# Targets of the issue.
TARGET_LOANS = 1_000_000
MAX_BUILD_SECONDS = 90
MAX_BUILD_BYTES = 4 * GIB
MAX_SNAPSHOT_SECONDS = 600
MAX_SNAPSHOT_BYTES = 12 * GIB
MAX_DBT_OVERHEAD = 1.3
MIN_SPEED_UP = 5.0
MAX_GROWTH = 12.0
MAX_DAILY_BATCH_SHARE = 0.15
# The daily batch: one new payment, on the as-of date, for every loan whose order_id hashes to 0 mod 100.
DAILY_BATCH_MODULUS = 100

METHOD = f"""\
- Generation: `python -m ml.synthetic --format parquet` (with `--ledger-out` unless snapshot only); not part
  of the build time.
- Build: the whole `dbt build` over the files through the vars loan_recovery_path, ledger_path and
  risk_model_dir, into a new DuckDB file. Peak RSS is the max RSS that wait4 reports for the process (the
  largest of the process and its children, not their sum).
- Source approach: a subprocess reads a CSV copy of the loans with pandas, standardises the ten
  numeric borrower columns, fits K-Means (k = {SOURCE_CLUSTERS}), flags clusters {SOURCE_HIGH_RISK_CLUSTERS}
  as high risk as document 001 does, holds out {SOURCE_TEST_SHARE:.0%} of the loans, fits a
  {SOURCE_TREES}-tree Random Forest on the rest and scores every loan. Its AUC is against the actual outcome
  (not Fully Recovered) of held-out resolved loans; ours is model_runs.cv_roc_auc of the selected run
  (out of fold, on resolved loans).
- Replay (raw SQL + ML): a subprocess builds dbt's manifest into a new DuckDB file of the same name, with
  the DuckDB settings of the dbt profile: seeds with read_csv and their column_types, SQL models as `create
  or replace table|view ... as <compiled SQL>` (incremental as table), Python models by calling their
  `model(dbt, session)` with a stub, data tests as a count of their rows. The on-run-start/end hooks (var
  checks, dropping leftover temporary relations) and the unit tests are skipped: on a new file with valid
  vars they change nothing.
- Daily batch (with ledger): after the references, one payment dated the as-of date is added to
  payments.parquet for 1 in {DAILY_BATCH_MODULUS} loans (by a hash of order_id), and `dbt build --select
  stg_ledger__payments+` rebuilds what depends on payments, scoring with the model the full build fitted
  (var risk_model_run_id) instead of refitting; its share is its wall time / the full build's.
- dbt overhead = build / replay; speed-up = source / build; growth = build time / build time at N/10.
"""


@dataclass
class Measured:
    """Wall time and peak resident memory of one finished process."""

    seconds: float
    max_rss_bytes: int


@dataclass
class SizeResult:
    """Everything measured for one number of loans."""

    loans: int
    has_ledger: bool
    generation: Measured
    build: Measured
    stages: dict[str, float]
    our_auc: float
    source: Measured | None = None
    source_auc: float | None = None
    replay: Measured | None = None
    replay_stages: dict[str, float] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    daily_batch: Measured | None = None


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of [start, end] intervals: time when at least one of them was running."""
    total, covered_until = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > covered_until:
            total += end - max(start, covered_until)
            covered_until = end
    return total


def stage_of(resource_type: str, path: str, language: str | None, name: str) -> str:
    """The stage of STAGES a dbt node belongs to, from its type, file, language and name."""
    if resource_type == "seed":
        return "seeds"
    if resource_type == "test":
        return "data tests"
    if resource_type != "model":
        return "other"
    if language == "python":
        return "ML"
    if path.startswith("models/staging/"):
        return "staging"
    if path.startswith("models/intermediate/") and name.startswith("int_") and name.endswith("_validated"):
        return "validation"
    if path.startswith("models/intermediate/ledger/"):
        return "ledger"
    if path.startswith("models/marts/"):
        return "marts"
    return "other"


def node_stage(unique_id: str, manifest: dict) -> str:
    """The stage of any node of run_results: tests, unit tests, hooks and exposures included."""
    node = manifest["nodes"].get(unique_id)
    if node is None:
        return stage_of(unique_id.split(".")[0], "", None, "")
    return stage_of(node["resource_type"], node["original_file_path"], node.get("language"), node["name"])


def stage_seconds(run_results: dict, manifest: dict, wall_seconds: float) -> dict[str, float]:
    """Seconds per stage: the union of its nodes' compile and execute spans, as nodes overlap on threads.

    The start-up stage is the rest of the whole wall time, not covered by any node.
    """
    spans: dict[str, list[tuple[float, float]]] = {stage: [] for stage in STAGES}
    for result in run_results["results"]:
        timing = [entry for entry in result["timing"] if entry["name"] in ("compile", "execute")]
        if timing:
            start = min(_epoch(entry["started_at"]) for entry in timing)
            end = max(_epoch(entry["completed_at"]) for entry in timing)
            spans[node_stage(result["unique_id"], manifest)].append((start, end))
    seconds = {stage: union_seconds(intervals) for stage, intervals in spans.items()}
    covered = union_seconds([span for intervals in spans.values() for span in intervals])
    seconds[STARTUP_STAGE] = max(wall_seconds - covered, 0.0)
    return seconds


def _epoch(timestamp: str) -> float:
    return datetime.datetime.fromisoformat(timestamp).timestamp()


def topological_order(dependencies: dict[str, list[str]]) -> list[str]:
    """Nodes ordered so that each comes after what it depends on; dependencies outside the dict are ignored.

    Among nodes that are ready together, the order is alphabetical, so replays repeat exactly.
    """
    sorter = graphlib.TopologicalSorter(
        {
            node: [upstream for upstream in upstreams if upstream in dependencies]
            for node, upstreams in dependencies.items()
        }
    )
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return order


def run_measured(command: list[str], log_path: Path, env: dict | None = None) -> Measured:
    """Run `command` from the repo root, output to `log_path`; its wall time and max RSS (children too)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        # wait4, not Popen.wait: it also returns the resource usage of the process and its reaped children.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    # Recorded on the Popen object too, which would otherwise take the reaped process for a running one.
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{shlex.join(command)} failed ({process.returncode}); see {log_path}:\n{tail}")
    # Linux reports ru_maxrss in KiB.
    return Measured(seconds, usage.ru_maxrss * 1024)


def _sql_text(value) -> str:
    return str(value).replace("'", "''")


def generate(loans: int, seed: int, directory: Path, with_ledger: bool) -> Measured:
    """Write the loans (and their ledger) as Parquet to `directory` with ml.synthetic."""
    command = [sys.executable, "-m", "ml.synthetic", "--loans", str(loans), "--seed", str(seed)]
    command += ["--out", str(directory), "--format", "parquet"]
    if with_ledger:
        command += ["--ledger-out", str(directory / "ledger")]
    return run_measured(command, directory / "logs" / "generate.log")


def dbt_build(
    directory: Path, with_ledger: bool, select: str | None = None, extra_vars: dict | None = None
) -> Measured:
    """`dbt build` of the generated files into directory/warehouse.duckdb; the repo's target/ is untouched."""
    dbt_vars = {"loan_recovery_path": str(directory / "loan_recovery.parquet")}
    if with_ledger:
        dbt_vars["ledger_path"] = str(directory / "ledger")
    dbt_vars["risk_model_dir"] = str(directory / "models")
    command = [str(DBT), "build", "--vars", json.dumps(dbt_vars | (extra_vars or {}))]
    command += ["--select", select] if select else []
    target = "target-daily-batch" if select else "target"
    command += ["--target-path", str(directory / target), "--log-path", str(directory / "logs")]
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_PROJECT_DIR": str(REPO),
        "DUCKDB_PATH": str(directory / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    log_name = "dbt-build-daily-batch.log" if select else "dbt-build.log"
    return run_measured(command, directory / "logs" / log_name, env)


def add_daily_payments(payments: Path, as_of_date: str) -> int:
    """Add one payment dated `as_of_date` (the amount of the loan's latest payment) for 1 in
    DAILY_BATCH_MODULUS loans to the payments Parquet file; returns how many were added."""
    source = _sql_text(payments)
    batch = f"""
        select
            order_id,
            cast(date '{as_of_date}' as timestamp) + interval 20 hour as paid_at,
            arg_max(paid_sum, paid_at) as paid_sum
        from read_parquet('{source}')
        where hash(order_id) % {DAILY_BATCH_MODULUS} = 0
        group by order_id
    """
    grown = payments.with_suffix(".grown.parquet")
    with duckdb.connect() as connection:
        (added,) = connection.execute(f"select count(*) from ({batch})").fetchone()
        connection.execute(
            f"copy (select * from read_parquet('{source}') union all {batch}) to '{_sql_text(grown)}'"
        )
    grown.replace(payments)
    return added


def daily_batch(directory: Path, algorithm: str) -> Measured:
    """Add the daily batch of payments and rebuild what depends on them with the fitted model."""
    as_of_date = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]["as_of_date"]
    with duckdb.connect(str(directory / "warehouse.duckdb"), read_only=True) as connection:
        (run_id,) = connection.execute(
            "select run_id from model_runs where algorithm = ? order by fitted_at desc limit 1", [algorithm]
        ).fetchone()
    add_daily_payments(directory / "ledger" / "payments.parquet", as_of_date)
    return dbt_build(directory, True, "stg_ledger__payments+", {"risk_model_run_id": run_id})


def selected_auc(database: Path, algorithm: str) -> float:
    """Cross-validated AUC against the actual outcome of the run that drives strategy (latest fit)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        (auc,) = connection.execute(
            "select cv_roc_auc from model_runs where algorithm = ? order by fitted_at desc limit 1",
            [algorithm],
        ).fetchone()
    return float(auc)


def source_approach(csv_path: Path, out: Path) -> None:
    """The source documents' method on the loan CSV; writes its AUC against the actual outcome to `out`."""
    loans = pd.read_csv(csv_path)
    scaled = StandardScaler().fit_transform(loans[SOURCE_FEATURES])
    clusters = KMeans(n_clusters=SOURCE_CLUSTERS, n_init=10, random_state=SOURCE_RANDOM_STATE).fit_predict(
        scaled
    )
    loans["High_Risk_Flag"] = pd.Series(clusters).isin(SOURCE_HIGH_RISK_CLUSTERS).astype(int)
    train, test = train_test_split(loans, test_size=SOURCE_TEST_SHARE, random_state=SOURCE_RANDOM_STATE)
    forest = RandomForestClassifier(n_estimators=SOURCE_TREES, random_state=SOURCE_RANDOM_STATE)
    forest.fit(train[SOURCE_FEATURES], train["High_Risk_Flag"])
    loans["Risk_Score"] = forest.predict_proba(loans[SOURCE_FEATURES])[:, 1]
    # Measured like model_runs: against the actual outcome, on held-out loans whose outcome is known.
    held_out = loans.loc[test.index]
    held_out = held_out[held_out["Recovery_Status"].notna()]
    auc = roc_auc_score(held_out["Recovery_Status"] != "Fully Recovered", held_out["Risk_Score"])
    out.write_text(json.dumps({"roc_auc": float(auc), "scored_loans": len(loans)}))


def profile_settings(profiles_yml: str, environ: dict[str, str]) -> dict[str, str]:
    """The DuckDB `settings` of the project's dbt profile and target, with their env_var() calls rendered."""
    profile = yaml.safe_load(profiles_yml)["loan_recovery"]
    settings = profile["outputs"][profile["target"]].get("settings", {})

    def env_var(name: str, default: str | None = None) -> str | None:
        return environ.get(name, default)

    templates = jinja2.Environment()
    return {key: templates.from_string(str(value)).render(env_var=env_var) for key, value in settings.items()}


class _Config:
    def __init__(self, values: dict):
        self._values = values

    def get(self, key, default=None):
        return self._values.get(key, default)


class _DbtStub:
    """The part of dbt-duckdb's `dbt` object that the project's Python models use."""

    def __init__(self, connection, relations: dict[str, str], node: dict, config: dict):
        self._connection = connection
        self._relations = relations
        self.config = _Config(config)
        self.this = node["relation_name"]
        self.is_incremental = False

    def ref(self, name: str):
        return self._connection.sql(f"select * from {self._relations[name]}")


def _replay_node(connection, node: dict, relations: dict[str, str], model_dir: Path) -> int | None:
    """Build one node as dbt would; a data test returns its failing rows."""
    relation = node["relation_name"]
    if node["resource_type"] == "test":
        (failures,) = connection.execute(
            f"select count(*) from (\n{node['compiled_code']}\n) as test_rows"
        ).fetchone()
        return failures
    connection.execute(f'create schema if not exists "{node["database"]}"."{node["schema"]}"')
    if node["resource_type"] == "seed":
        path = REPO / node["original_file_path"]
        types = ", ".join(
            f"'{_sql_text(k)}': '{_sql_text(v)}'" for k, v in node["config"]["column_types"].items()
        )
        options = f", types = {{{types}}}" if types else ""
        reader = f"read_csv('{_sql_text(path)}', header = true{options})"
        connection.execute(f"create or replace table {relation} as select * from {reader}")
    elif node.get("language") == "python":
        spec = importlib.util.spec_from_file_location(node["name"], REPO / node["original_file_path"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        # Fitted models go to the replay's own folder, so the replay never reads the dbt build's fits.
        config = {
            **node["config"],
            **({"model_dir": str(model_dir)} if "model_dir" in node["config"] else {}),
        }
        frame = module.model(_DbtStub(connection, relations, node, config), connection)
        connection.register("replayed_frame", frame)
        connection.execute(f"create or replace table {relation} as select * from replayed_frame")
        connection.unregister("replayed_frame")
    else:
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        connection.execute(f"create or replace {kind} {relation} as {node['compiled_code']}")
    return None


def replay(manifest_path: Path, database: Path, model_dir: Path, out: Path) -> None:
    """Build every seed, model and data test of a dbt manifest with DuckDB alone, in dependency order.

    `database` must be a new file named like dbt's (same stem), so that the compiled SQL's
    "database"."schema"."name" references resolve to it. Writes the seconds per stage and each data
    test's failing rows to `out`.
    """
    manifest = json.loads(manifest_path.read_text())
    nodes = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        # The tests of a disabled seed (the sample, when you give your own files) are disabled with it.
        if node["resource_type"] in ("seed", "model", "test") and node["config"].get("enabled", True)
    }
    relations = {
        node["name"]: node["relation_name"] for node in nodes.values() if node["resource_type"] != "test"
    }
    seconds = dict.fromkeys(STAGES[1:], 0.0)
    failures = {}
    # DuckDB runs with the settings dbt gives it (a memory limit, for one), so that only dbt differs.
    settings = profile_settings((REPO / "profiles.yml").read_text(), dict(os.environ))
    with duckdb.connect(str(database), config=settings) as connection:
        for unique_id in topological_order(
            {key: node["depends_on"].get("nodes", []) for key, node in nodes.items()}
        ):
            node = nodes[unique_id]
            started = time.perf_counter()
            failed_rows = _replay_node(connection, node, relations, model_dir)
            seconds[node_stage(unique_id, manifest)] += time.perf_counter() - started
            if failed_rows is not None:
                failures[unique_id] = failed_rows
    out.write_text(json.dumps({"seconds": seconds, "failures": failures}))


def replay_differences(
    manifest: dict, run_results: dict, replay_failures: dict, built: Path, replayed: Path
) -> list[str]:
    """What the replay did unlike dbt: row counts of seeds and models, failing rows of data tests."""
    differences = []
    dbt_failures = {
        result["unique_id"]: result["failures"]
        for result in run_results["results"]
        if result["unique_id"].startswith("test.")
    }
    for unique_id, failed_rows in replay_failures.items():
        if dbt_failures.get(unique_id) != failed_rows:
            differences.append(
                f"{unique_id}: dbt {dbt_failures.get(unique_id)} failing rows, replay {failed_rows}"
            )
    relations = sorted(
        node["relation_name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("seed", "model")
    )
    with (
        duckdb.connect(str(built), read_only=True) as dbt_db,
        duckdb.connect(str(replayed), read_only=True) as raw_db,
    ):
        for relation in relations:
            query = f"select count(*) from {relation}"
            dbt_rows, raw_rows = dbt_db.execute(query).fetchone()[0], raw_db.execute(query).fetchone()[0]
            if dbt_rows != raw_rows:
                differences.append(f"{relation}: dbt {dbt_rows:,} rows, replay {raw_rows:,}")
    return differences


def _run_references(result: SizeResult, directory: Path, manifest: dict, run_results: dict) -> None:
    csv_path = directory / "loan_recovery.csv"
    with duckdb.connect() as connection:
        source = _sql_text(directory / "loan_recovery.parquet")
        connection.execute(
            f"copy (select * from read_parquet('{source}')) to '{_sql_text(csv_path)}' (header)"
        )
    source_json = directory / "source.json"
    command = [sys.executable, "-m", "ml.benchmark", "source", str(csv_path), str(source_json)]
    result.source = run_measured(command, directory / "logs" / "source.log")
    result.source_auc = json.loads(source_json.read_text())["roc_auc"]

    replayed = directory / "replay" / "warehouse.duckdb"
    replayed.parent.mkdir(parents=True)
    replay_json = directory / "replay.json"
    command = [sys.executable, "-m", "ml.benchmark", "replay", str(directory / "target" / "manifest.json")]
    command += [str(replayed), str(directory / "replay" / "models"), str(replay_json)]
    result.replay = run_measured(command, directory / "logs" / "replay.log")
    replay_output = json.loads(replay_json.read_text())
    result.replay_stages = replay_output["seconds"]
    result.differences = replay_differences(
        manifest, run_results, replay_output["failures"], directory / "warehouse.duckdb", replayed
    )


def bench_size(
    loans: int, seed: int, directory: Path, with_ledger: bool, with_references: bool
) -> SizeResult:
    """Generate `loans` loans, build them with dbt, and run the references on the same files."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    _progress(f"{loans:,} loans: generating")
    generation = generate(loans, seed, directory, with_ledger)
    _progress(f"{loans:,} loans: dbt build")
    build = dbt_build(directory, with_ledger)
    manifest = json.loads((directory / "target" / "manifest.json").read_text())
    run_results = json.loads((directory / "target" / "run_results.json").read_text())
    algorithm = manifest["nodes"]["model.loan_recovery.int_loans_scored"]["config"]["algorithm"]
    result = SizeResult(
        loans=loans,
        has_ledger=with_ledger,
        generation=generation,
        build=build,
        stages=stage_seconds(run_results, manifest, build.seconds),
        our_auc=selected_auc(directory / "warehouse.duckdb", algorithm),
    )
    if with_references:
        _progress(f"{loans:,} loans: references")
        _run_references(result, directory, manifest, run_results)
    if with_ledger:
        _progress(f"{loans:,} loans: daily batch")
        result.daily_batch = daily_batch(directory, algorithm)
    return result


def _progress(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _size_label(loans: int) -> str:
    for divisor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if loans >= divisor and loans % divisor == 0:
            return f"{loans // divisor}{suffix}"
    return str(loans)


def _gib(size_bytes: int) -> str:
    return f"{size_bytes / GIB:.2f} GiB"


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return numerator / denominator if numerator is not None and denominator else None


def _growth(results: list[SizeResult], result: SizeResult) -> float | None:
    smaller = {other.loans: other for other in results if other.has_ledger == result.has_ledger}
    previous = smaller.get(result.loans // 10)
    return (
        _ratio(result.build.seconds, previous.build.seconds) if previous and result.loans % 10 == 0 else None
    )


def _cell(value: float | None, pattern: str = "{:.2f}") -> str:
    return "" if value is None else pattern.format(value)


def stage_table(results: list[SizeResult]) -> str:
    """Markdown table: one row per stage, seconds and loans per second for each number of loans."""
    header = ["stage", "what"]
    for result in results:
        label = _size_label(result.loans) + ("" if result.has_ledger else " (snapshot only)")
        header += [f"{label} s", f"{label} loans/s"]
    rows = []
    for stage in STAGES:
        row = [stage, STAGE_NOTES[stage]]
        for result in results:
            seconds = result.stages[stage]
            row += [f"{seconds:.1f}", _cell(result.loans / seconds if seconds else None, "{:,.0f}")]
        rows.append(row)
    rows.append(["whole build", "wall time of `dbt build`, start to exit"])
    for result in results:
        rows[-1] += [f"{result.build.seconds:.1f}", f"{result.loans / result.build.seconds:,.0f}"]
    return _markdown(header, rows)


def summary_table(results: list[SizeResult]) -> str:
    """Markdown table: one row per number of loans with the build, the references and the ratios."""
    header = [
        "loans",
        "ledger",
        "generation s",
        "build s",
        "build peak RSS",
        "replay s (SQL / ML / tests)",
        "replay peak RSS",
        "source s",
        "source peak RSS",
        "AUC ours / source",
        "dbt overhead",
        "speed-up",
        "growth vs N/10",
        "daily batch s (share)",
    ]
    rows = []
    for result in results:
        replay_split = ""
        if result.replay:
            sql = sum(
                result.replay_stages[stage] for stage in ("seeds", "staging", "validation", "ledger", "marts")
            )
            replay_split = (
                f"{result.replay.seconds:.1f} ({sql:.1f} / {result.replay_stages['ML']:.1f} / "
                f"{result.replay_stages['data tests']:.1f})"
            )
        rows.append(
            [
                f"{result.loans:,}",
                "yes" if result.has_ledger else "no",
                f"{result.generation.seconds:.1f}",
                f"{result.build.seconds:.1f}",
                _gib(result.build.max_rss_bytes),
                replay_split,
                _gib(result.replay.max_rss_bytes) if result.replay else "",
                f"{result.source.seconds:.1f}" if result.source else "",
                _gib(result.source.max_rss_bytes) if result.source else "",
                f"{result.our_auc:.4f} / {_cell(result.source_auc, '{:.4f}') or '-'}",
                _cell(_ratio(result.build.seconds, result.replay and result.replay.seconds), "{:.2f}x"),
                _cell(_ratio(result.source and result.source.seconds, result.build.seconds), "{:.2f}x"),
                _cell(_growth(results, result), "{:.2f}x"),
                _daily_batch_cell(result),
            ]
        )
    return _markdown(header, rows)


def _daily_batch_share(result: SizeResult) -> float | None:
    return _ratio(result.daily_batch and result.daily_batch.seconds, result.build.seconds)


def _daily_batch_cell(result: SizeResult) -> str:
    if result.daily_batch is None:
        return ""
    return f"{result.daily_batch.seconds:.1f} ({_daily_batch_share(result):.0%})"


def target_table(results: list[SizeResult]) -> str:
    """Markdown table of the issue's targets, each met, unmet or not measured."""
    full = next((r for r in results if r.loans == TARGET_LOANS and r.has_ledger), None)
    snapshot = next((r for r in results if r.loans == SNAPSHOT_ONLY_LOANS and not r.has_ledger), None)
    rows = []

    def judge(target: str, measured: str | None, met: bool | None) -> None:
        status = "not measured" if met is None else ("met" if met else "unmet")
        rows.append([target, measured or "", status])

    if full:
        judge(
            f"1M loans with ledger: build <= {MAX_BUILD_SECONDS} s and <= {_gib(MAX_BUILD_BYTES)}",
            f"{full.build.seconds:.1f} s, {_gib(full.build.max_rss_bytes)}",
            full.build.seconds <= MAX_BUILD_SECONDS and full.build.max_rss_bytes <= MAX_BUILD_BYTES,
        )
    else:
        judge(
            f"1M loans with ledger: build <= {MAX_BUILD_SECONDS} s and <= {_gib(MAX_BUILD_BYTES)}", None, None
        )
    snapshot_target = (
        f"10M loans, snapshot only: build <= {MAX_SNAPSHOT_SECONDS} s and <= {_gib(MAX_SNAPSHOT_BYTES)}"
    )
    if snapshot:
        judge(
            snapshot_target,
            f"{snapshot.build.seconds:.1f} s, {_gib(snapshot.build.max_rss_bytes)}",
            snapshot.build.seconds <= MAX_SNAPSHOT_SECONDS
            and snapshot.build.max_rss_bytes <= MAX_SNAPSHOT_BYTES,
        )
    else:
        judge(snapshot_target, None, None)
    overhead = _ratio(full.build.seconds, full.replay.seconds) if full and full.replay else None
    judge(
        f"dbt overhead (dbt build / raw SQL + ML) <= {MAX_DBT_OVERHEAD}x at 1M",
        _cell(overhead, "{:.2f}x"),
        None if overhead is None else overhead <= MAX_DBT_OVERHEAD,
    )
    speed_up = _ratio(full.source.seconds, full.build.seconds) if full and full.source else None
    no_worse = None if speed_up is None else full.our_auc >= full.source_auc
    judge(
        f">= {MIN_SPEED_UP:.0f}x faster than the source approach at 1M, AUC no worse",
        None if speed_up is None else f"{speed_up:.2f}x, AUC {full.our_auc:.4f} vs {full.source_auc:.4f}",
        None if speed_up is None else speed_up >= MIN_SPEED_UP and no_worse,
    )
    growth = _growth(results, full) if full else None
    judge(
        f"100k -> 1M build time growth <= {MAX_GROWTH:.0f}x",
        _cell(growth, "{:.2f}x"),
        None if growth is None else growth <= MAX_GROWTH,
    )
    share = _daily_batch_share(full) if full else None
    judge(
        f"daily batch (payments for 1% of loans) rebuilt in <= {MAX_DAILY_BATCH_SHARE:.0%} of the 1M build",
        None if share is None else f"{full.daily_batch.seconds:.1f} s, {share:.0%}",
        None if share is None else share <= MAX_DAILY_BATCH_SHARE,
    )
    return _markdown(["target", "measured", "status"], rows)


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    return as_markdown(pd.DataFrame(rows, columns=header))


def machine() -> str:
    """Cores, memory and the versions that matter, in one line."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    versions = ", ".join(
        f"{package} {importlib.metadata.version(package)}"
        for package in ("duckdb", "dbt-core", "dbt-duckdb", "scikit-learn", "pandas")
    )
    system = f"{platform.system()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores, {_gib(memory)} memory, {system}, {versions}"


def report(results: list[SizeResult], command: str) -> str:
    """bench/results.md: the machine, the command, the tables and what differed between dbt and the replay."""
    lines = [
        "# Benchmark: `dbt build` on generated loans",
        "",
        f"Measured {datetime.date.today().isoformat()} on {machine()}.",
        "",
        "```sh",
        command,
        "```",
        "",
        "## Targets",
        "",
        target_table(results),
        "",
        "## Build, references and ratios",
        "",
        summary_table(results),
        "",
        "## Stages of the build",
        "",
        "Seconds are the time at least one node of the stage was running (dbt runs two threads, so stages",
        "overlap and do not add up to the whole build); loans/s = loans / stage seconds.",
        "",
        stage_table(results),
        "",
        "## How it is measured",
        "",
        METHOD,
        "## Replay against dbt",
        "",
    ]
    for result in results:
        if result.replay is None:
            lines.append(f"- {result.loans:,} loans: not replayed.")
        elif result.differences:
            lines.append(f"- {result.loans:,} loans: differences:")
            lines += [f"  - {difference}" for difference in result.differences]
        else:
            lines.append(
                f"- {result.loans:,} loans: same rows per seed and model, same failing rows per test."
            )
    return "\n".join(lines) + "\n"


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ml.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--loans", type=int, nargs="+", default=DEFAULT_LOANS, help="numbers of loans, with ledger"
    )
    parser.add_argument("--with-10m", action="store_true", help="add 10M loans, snapshot only, build alone")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "loan-recovery-bench",
        help="scratch folder for the data and warehouses, one subfolder per size (never commit it)",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep each size's files after measuring it")
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "results.md")
    # Internal: the references run in their own processes, so that their time and memory are theirs alone.
    commands = parser.add_subparsers(dest="command")
    source = commands.add_parser("source")
    source.add_argument("csv", type=Path)
    source.add_argument("out", type=Path)
    raw = commands.add_parser("replay")
    raw.add_argument("manifest", type=Path)
    raw.add_argument("database", type=Path)
    raw.add_argument("model_dir", type=Path)
    raw.add_argument("out", type=Path)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    if args.command == "source":
        source_approach(args.csv, args.out)
        return
    if args.command == "replay":
        replay(args.manifest, args.database, args.model_dir, args.out)
        return
    sizes = [(loans, True) for loans in sorted(args.loans)]
    if args.with_10m:
        sizes.append((SNAPSHOT_ONLY_LOANS, False))
    results = []
    for loans, with_ledger in sizes:
        directory = args.workdir / f"loans-{loans}"
        results.append(bench_size(loans, args.seed, directory, with_ledger, with_references=with_ledger))
        if not args.keep_data:
            shutil.rmtree(directory)
    command = "python -m ml.benchmark " + shlex.join(sys.argv[1:] if argv is None else argv)
    text = report(results, command)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(text)
    print(text)
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
