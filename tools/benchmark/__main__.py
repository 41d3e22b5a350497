"""Runs the benchmark: each size generated, built with dbt and measured against the references; CLI."""

import argparse
import datetime
import json
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

import tools.benchmark as benchmark
from tools.benchmark.baseline import source_approach
from tools.benchmark.render import report
from tools.benchmark.replay import replay, replay_differences
from tools.benchmark.runs import (
    SNAPSHOT_ONLY_LOANS,
    daily_batch,
    dbt_build,
    generate,
    oracle_auc,
    selected_auc,
)
from tools.benchmark.side_by_side import PUBLIC_CSV, PUBLIC_RESAMPLE_LOANS, run_side_by_side, section
from tools.benchmark.spark import (
    SparkResult,
    duckdb_and_spark,
    engine_section,
    spark_build,
    with_engine_section,
)
from tools.benchmark.timing import SizeResult, run_measured, stage_seconds
from tools.dbt_process import REPO
from tools.sql import sql_text

DEFAULT_LOANS = [10_000, 100_000, 1_000_000]
DEFAULT_SPARK_LOANS = [1_000_000]


def _run_references(result: SizeResult, directory: Path, manifest: dict, run_results: dict) -> None:
    csv_path = directory / "loan_recovery.csv"
    with duckdb.connect() as connection:
        source = sql_text(directory / "loan_recovery.parquet")
        connection.execute(
            f"copy (select * from read_parquet('{source}')) to '{sql_text(csv_path)}' (header)"
        )
    source_json = directory / "source.json"
    command = [sys.executable, "-m", "tools.benchmark", "source", str(csv_path), str(source_json)]
    result.source = run_measured(command, directory / "logs" / "source.log")
    result.source_auc = json.loads(source_json.read_text())["roc_auc"]

    replayed = directory / "replay" / "warehouse.duckdb"
    replayed.parent.mkdir(parents=True)
    replay_json = directory / "replay.json"
    command = [sys.executable, "-m", "tools.benchmark", "replay", str(directory / "target" / "manifest.json")]
    command += [str(replayed), str(directory / "replay" / "models"), str(replay_json)]
    result.replay = run_measured(command, directory / "logs" / "replay.log")
    replay_output = json.loads(replay_json.read_text())
    result.replay_stages = replay_output["seconds"]
    result.differences = replay_differences(
        manifest, run_results, replay_output["failures"], directory / "warehouse.duckdb", replayed
    )


def bench_size(
    loans: int, seed: int, directory: Path, with_ledger: bool, with_references: bool, with_spark: bool = False
) -> tuple[SizeResult, SparkResult | None]:
    """Generate `loans` loans, build them with dbt, and run the references (and Spark) on the same files."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    _progress(f"{loans:,} loans: generating")
    generation = generate(loans, seed, directory, with_ledger)
    _progress(f"{loans:,} loans: dbt build")
    build = dbt_build(directory, with_ledger)
    manifest = json.loads((directory / "target" / "manifest.json").read_text())
    run_results = json.loads((directory / "target" / "run_results.json").read_text())
    result = SizeResult(
        loans=loans,
        has_ledger=with_ledger,
        generation=generation,
        build=build,
        stages=stage_seconds(run_results, manifest, build.seconds),
        our_auc=selected_auc(directory / "warehouse.duckdb"),
        oracle_auc=oracle_auc(directory / "warehouse.duckdb", directory / "loan_recovery_truth.parquet"),
    )
    spark = None
    if with_spark:
        _progress(f"{loans:,} loans: Spark build")
        spark = spark_build(directory, loans, with_ledger, build, result.stages["ML"])
    if with_references:
        _progress(f"{loans:,} loans: references")
        _run_references(result, directory, manifest, run_results)
    if with_ledger:
        # The first daily build after a fit that compared algorithms also rescores every loan with the one
        # model kept; the second is a day like any other.
        _progress(f"{loans:,} loans: daily batches")
        result.first_daily_batch = daily_batch(directory, 1)
        result.daily_batch = daily_batch(directory, 2)
    return result, spark


def _progress(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.benchmark", description=benchmark.__doc__.splitlines()[0]
    )
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
    parser.add_argument(
        "--no-references", action="store_true", help="build and daily builds only, no references"
    )
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "results.md")
    parser.add_argument(
        "--public-resample-loans",
        type=int,
        nargs="*",
        default=PUBLIC_RESAMPLE_LOANS,
        help="sizes of the public-dataset resamples, pipeline and dbt build side by side (none: skip them)",
    )
    parser.add_argument("--public-data", type=Path, default=PUBLIC_CSV, help="the public loan-recovery CSV")
    parser.add_argument(
        "--public-resample-only",
        action="store_true",
        help="only the public-dataset resample rows; prints their section, leaves --results as it is",
    )
    parser.add_argument(
        "--spark-loans",
        type=int,
        nargs="*",
        default=DEFAULT_SPARK_LOANS,
        help="of --loans, the numbers also built on a local Spark (needs make spark-env and Java)",
    )
    parser.add_argument(
        "--spark-only",
        action="store_true",
        help="only the DuckDB and Spark builds of --spark-loans (files in --workdir reused if there); "
        "replaces the Spark section of --results, leaving the rest as it is",
    )
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
    command = "python -m tools.benchmark " + shlex.join(sys.argv[1:] if argv is None else argv)
    if args.spark_only:
        spark_results = [
            duckdb_and_spark(loans, args.seed, args.workdir / f"loans-{loans}", _progress)
            for loans in args.spark_loans
        ]
        spark_section = engine_section(spark_results, command)
        args.results.write_text(with_engine_section(args.results.read_text(), spark_section))
        print(spark_section)
        print(f"wrote {args.results}")
        return
    sizes = [] if args.public_resample_only else [(loans, True) for loans in sorted(args.loans)]
    if args.with_10m and not args.public_resample_only:
        sizes.append((SNAPSHOT_ONLY_LOANS, False))
    results, spark_results, failures = [], [], []
    for loans, with_ledger in sizes:
        directory = args.workdir / f"loans-{loans}"
        with_references = with_ledger and not args.no_references
        with_spark = with_ledger and loans in args.spark_loans
        try:
            result, spark = bench_size(loans, args.seed, directory, with_ledger, with_references, with_spark)
        except RuntimeError as error:
            # A size that fails is recorded and the others still measured: one failure at 10M once lost the
            # figures of every smaller size.
            failures.append(failure_note(loans, error))
            _progress(f"{loans:,} loans: FAILED, {failures[-1]}")
            continue
        results.append(result)
        spark_results += [spark] if spark else []
        if not args.keep_data:
            shutil.rmtree(directory)
    side_by_side = run_side_by_side(
        args.public_resample_loans, args.seed, args.workdir, args.public_data, args.keep_data, _progress
    )
    public_section = section(side_by_side, command, args.public_data)
    if args.public_resample_only:
        print(public_section)
        return
    text = report(results, command, failures) + "\n" + public_section
    if spark_results:
        text = with_engine_section(text, engine_section(spark_results, command))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(text)
    print(text)
    print(f"wrote {args.results}")
    if failures:
        sys.exit(f"{len(failures)} size(s) failed; see 'Failed' in {args.results}")


def failure_note(loans: int, error: RuntimeError) -> str:
    """One line for a size whose run failed: dbt's first error and its message, and the command's log."""
    first, *log_tail = str(error).splitlines()
    # dbt's lines without their colours and time stamps
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in log_tail]
    lines = [re.sub(r"^\d\d:\d\d:\d\d\s+", "", line).strip() for line in lines]
    lines = [line for line in lines if line] or [first]
    at = next((i for i, line in enumerate(lines) if " Error in " in line), None)
    detail = f"{lines[at]}: {lines[at + 1]}" if at is not None and at + 1 < len(lines) else lines[-1]
    log = first.rsplit("; see ", 1)[-1].rstrip(":")
    return f"{loans:,} loans: {detail} (log: `{log}`)"


if __name__ == "__main__":
    main()
