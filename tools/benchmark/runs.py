"""The measured runs on generated files: generation, `dbt build`, and the daily batch of payments."""

import json
import sys
from pathlib import Path

import duckdb
import yaml

from tools.benchmark.timing import Measured, run_measured
from tools.dbt_process import DBT, REPO, dbt_env
from tools.sql import sql_text

# The largest size is measured on the loan file alone: its ledger would be about a billion rows.
SNAPSHOT_ONLY_LOANS = 10_000_000
# The daily batch: one new payment, on the as-of date, for every loan whose order_id hashes to 0 mod 100.
DAILY_BATCH_MODULUS = 100


def generate(loans: int, seed: int, directory: Path, with_ledger: bool) -> Measured:
    """Write the loans (and their ledger) as Parquet to `directory` with tools.synthetic."""
    command = [sys.executable, "-m", "tools.synthetic", "--loans", str(loans), "--seed", str(seed)]
    command += ["--out", str(directory), "--format", "parquet"]
    if with_ledger:
        command += ["--ledger-out", str(directory / "ledger")]
    return run_measured(command, directory / "logs" / "generate.log")


def build_vars(directory: Path, with_ledger: bool, model_dir: Path) -> dict[str, str]:
    """The dbt vars that point a build at the generated files in `directory`, fitted models to `model_dir`."""
    dbt_vars = {"loan_recovery_path": str(directory / "loan_recovery.parquet")}
    if with_ledger:
        dbt_vars |= {"ledger_path": str(directory / "ledger"), "ledger_format": "parquet"}
    else:
        # Empty means no ledger; left out, ledger_path would name the bundled sample's.
        dbt_vars["ledger_path"] = ""
    return dbt_vars | {"risk_model_dir": str(model_dir)}


def dbt_build(
    directory: Path, with_ledger: bool, select: str | None = None, extra_vars: dict | None = None
) -> Measured:
    """`dbt build` of the generated files into directory/warehouse.duckdb; the repo's target/ is untouched."""
    dbt_vars = build_vars(directory, with_ledger, directory / "models")
    command = [str(DBT), "build", "--vars", json.dumps(dbt_vars | (extra_vars or {}))]
    command += ["--select", select] if select else []
    target = "target-daily-batch" if select else "target"
    command += ["--target-path", str(directory / target), "--log-path", str(directory / "logs")]
    env = dbt_env(directory / "warehouse.duckdb")
    log_name = "dbt-build-daily-batch.log" if select else "dbt-build.log"
    return run_measured(command, directory / "logs" / log_name, env)


def add_daily_payments(payments: Path, as_of_date: str) -> int:
    """Add one payment dated `as_of_date` (the amount of the loan's latest payment) for 1 in
    DAILY_BATCH_MODULUS loans to the payments Parquet file; returns how many were added."""
    source = sql_text(payments)
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
            f"copy (select * from read_parquet('{source}') union all {batch}) to '{sql_text(grown)}'"
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
