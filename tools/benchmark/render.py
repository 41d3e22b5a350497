"""Markdown of the benchmark: the stage, summary and target tables, and bench/results.md."""

import datetime
import importlib.metadata
import os
import platform

import pandas as pd

from tools.benchmark.baseline import (
    SOURCE_CLUSTERS,
    SOURCE_HIGH_RISK_CLUSTERS,
    SOURCE_TEST_SHARE,
    SOURCE_TREES,
)
from tools.benchmark.runs import DAILY_BATCH_MODULUS, NEW_LOAN_MODULUS, SNAPSHOT_ONLY_LOANS, TIMING
from tools.benchmark.timing import STAGES, STARTUP_STAGE, Measured, SizeResult, load_note
from tools.markdown import as_markdown
from tools.quality import MAX_AUC_GAP

GIB = 1024**3

STAGE_NOTES = {
    STARTUP_STAGE: "whole wall time minus the span covered by nodes (start-up, parsing, shut-down)",
    "seeds": "the reference seeds (risk and ratio bands, DPD classes, input categories)",
    "staging": "models/staging",
    "validation": "int_*_validated",
    "ledger": "other models of models/intermediate/ledger",
    "ML": "Python models",
    "stress": "scenario rescoring and stress marts (models/*/stress)",
    "marts": "SQL models of models/marts",
    "data tests": "every data test",
    "other": "unit tests, hooks, int_loan_types_loss_severity",
}

# Targets of the issues, as ratios measured in one run (issue 28; scenario rescoring: issue 30).
TARGET_LOANS = 1_000_000
MIN_SPEED_UP = 1.5
MAX_BUILD_BYTES = 3 * GIB
MAX_SNAPSHOT_BYTES = 12 * GIB
MAX_DBT_OVERHEAD = 1.3
MAX_GROWTH = 12.0
MAX_DAILY_BATCH_SHARE = 0.10
MAX_STRESS_SHARE = 0.20

METHOD = f"""\
- Generation: `python -m tools.synthetic --format parquet --timing {TIMING}` (with `--ledger-out` unless
  snapshot only); not part of the build time. Loans resolve on their own dates and the ledger follows their
  outcome, on the timeline of the generator's truth file.
- Build: the whole `dbt build` over the files through the vars loan_recovery_path, ledger_path (with
  ledger_format parquet; empty when snapshot only) and risk_model_dir, into a new DuckDB file. Peak RSS is
  the max RSS that wait4 reports for the process (the largest of the process and its children, not their
  sum), started from a small launcher (tools/benchmark/peak_rss.py) so that the bench's own memory is not
  counted in it.
- Source approach: a subprocess reads a CSV copy of the loans with pandas, standardises the ten
  numeric borrower columns, fits K-Means (k = {SOURCE_CLUSTERS}), flags clusters {SOURCE_HIGH_RISK_CLUSTERS}
  as high risk as document 001 does, holds out {SOURCE_TEST_SHARE:.0%} of the loans, fits a
  {SOURCE_TREES}-tree Random Forest on the rest and scores every loan. Its AUC is against the actual outcome
  (not Fully Recovered) of held-out resolved loans; ours is model_runs.cv_roc_auc of the selected run
  (out of fold, on resolved loans); the oracle's is the AUC of the generator's true probability on the loans
  that run scored out of fold, the best any model can do on them.
- Replay (raw SQL + ML): a subprocess builds dbt's manifest into a new DuckDB file of the same name, with
  the DuckDB settings of the dbt profile: seeds with read_csv and their column_types, SQL models as `create
  or replace table|view ... as <compiled SQL>` (incremental as table), Python models by calling their
  `model(dbt, session)` with a stub, data tests as a count of their rows. The on-run-start/end hooks (var
  checks, dropping leftover temporary relations) and the unit tests are skipped: on a new file with valid
  vars they change nothing.
- Daily batch (with ledger): after the references, one payment dated the as-of date is added to
  payments.parquet for 1 in {DAILY_BATCH_MODULUS} loans (by a hash of order_id) and a copy of 1 in
  {NEW_LOAN_MODULUS} loans (loan file and ledger rows) is added as a new loan, then a plain `dbt build` runs
  with the same vars, reusing the full build's parse as a repeated run in one project does: incremental, it
  rebuilds the changed loans and scores them with the model in use (ml/refit_policy.py).
  Two days are run: the first also rescores every loan with the one model kept after the full build's
  comparison of three; the second, a day like any other, is the figure; its share is its wall time / the
  full build's.
- dbt overhead = build / replay; speed-up = source / build; growth = build time / build time at N/10.
"""


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
        "AUC ours / oracle / source",
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
                f"{result.our_auc:.4f} / {_cell(result.oracle_auc, '{:.4f}') or '-'}"
                f" / {_cell(result.source_auc, '{:.4f}') or '-'}",
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
    cell = f"{result.daily_batch.seconds:.1f} ({_daily_batch_share(result):.0%})"
    if result.first_daily_batch is not None:
        cell += f"; first day {result.first_daily_batch.seconds:.1f}"
    return cell


def target_table(results: list[SizeResult]) -> str:
    """Markdown table of the issues' targets: the ratio measured in this run, and met, unmet or not measured.

    A status taken while the machine's load average was above its core count says so: such a figure is not
    to be recorded as the machine's."""
    full = next((r for r in results if r.loans == TARGET_LOANS and r.has_ledger), None)
    snapshot = next((r for r in results if r.loans == SNAPSHOT_ONLY_LOANS and not r.has_ledger), None)
    rows = []

    def judge(target: str, measured: str | None, met: bool | None, runs: list[Measured | None]) -> None:
        status = "not measured" if met is None else ("met" if met else "unmet") + load_note(runs)
        rows.append([target, measured or "", status])

    speed_up = _ratio(full.source.seconds, full.build.seconds) if full and full.source else None
    judge(
        f"1M loans with ledger: >= {MIN_SPEED_UP}x faster than the source method, AUC no worse",
        None if speed_up is None else f"{speed_up:.2f}x, AUC {full.our_auc:.4f} vs {full.source_auc:.4f}",
        None if speed_up is None else speed_up >= MIN_SPEED_UP and full.our_auc >= full.source_auc,
        [full.build, full.source] if full else [],
    )
    gap = full.oracle_auc - full.our_auc if full and full.oracle_auc is not None else None
    judge(
        f"1M loans with ledger: model AUC within {MAX_AUC_GAP} of the true probability's (the quality bar)",
        None if gap is None else f"{full.our_auc:.4f} vs {full.oracle_auc:.4f} ({-gap:+.4f})",
        None if gap is None else abs(gap) <= MAX_AUC_GAP,
        [],
    )
    judge(
        f"1M loans with ledger: build peak memory <= {_gib(MAX_BUILD_BYTES)}",
        _gib(full.build.max_rss_bytes) if full else None,
        full.build.max_rss_bytes <= MAX_BUILD_BYTES if full else None,
        [],
    )
    share = _daily_batch_share(full) if full else None
    judge(
        f"daily build (payments for 1% of loans, 0.1% new) <= {MAX_DAILY_BATCH_SHARE:.0%} of the 1M build",
        None if share is None else f"{full.daily_batch.seconds:.1f} s, {share:.0%}",
        None if share is None else share <= MAX_DAILY_BATCH_SHARE,
        [full.build, full.daily_batch] if full else [],
    )
    stress = _ratio(full.stages.get("stress"), full.build.seconds) if full else None
    judge(
        f"scenario rescoring (stress stage) <= {MAX_STRESS_SHARE:.0%} of the 1M build",
        None if stress is None else f"{full.stages['stress']:.1f} s, {stress:.1%}",
        None if stress is None else stress <= MAX_STRESS_SHARE,
        [full.build] if full else [],
    )
    judge(
        f"10M loans, snapshot only: build peak memory <= {_gib(MAX_SNAPSHOT_BYTES)}",
        f"{_gib(snapshot.build.max_rss_bytes)} ({snapshot.build.seconds:.1f} s)" if snapshot else None,
        snapshot.build.max_rss_bytes <= MAX_SNAPSHOT_BYTES if snapshot else None,
        [],
    )
    overhead = _ratio(full.build.seconds, full.replay.seconds) if full and full.replay else None
    judge(
        f"dbt overhead (dbt build / raw SQL + ML) <= {MAX_DBT_OVERHEAD}x at 1M",
        _cell(overhead, "{:.2f}x"),
        None if overhead is None else overhead <= MAX_DBT_OVERHEAD,
        [full.build, full.replay] if full else [],
    )
    growth = _growth(results, full) if full else None
    judge(
        f"100k -> 1M build time growth <= {MAX_GROWTH:.0f}x",
        _cell(growth, "{:.2f}x"),
        None if growth is None else growth <= MAX_GROWTH,
        [r.build for r in results if r.has_ledger and r.loans in (TARGET_LOANS, TARGET_LOANS // 10)],
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


def report(results: list[SizeResult], command: str, failures: list[str] | None = None) -> str:
    """bench/results.md: the machine, the command, the sizes that failed, the tables and what differed between
    dbt and the replay."""
    lines = [
        "# Benchmark: `dbt build` on generated loans",
        "",
        f"Measured {datetime.date.today().isoformat()} on {machine()}.",
        "",
        "```sh",
        command,
        "```",
        "",
    ]
    if failures:
        lines += ["## Failed", "", *(f"- {failure}" for failure in failures), ""]
    lines += [
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
