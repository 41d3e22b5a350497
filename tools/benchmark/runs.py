"""The measured runs on generated files: generation, `dbt build`, and the daily batch of payments."""

import json
import shutil
import sys
from pathlib import Path

import duckdb
import yaml
from sklearn.metrics import roc_auc_score

from tools.benchmark.timing import Measured, run_measured
from tools.dbt_process import DBT, REPO, dbt_env
from tools.sql import sql_text

# The bench's books: loans resolve on their own dates and the ledger follows their outcome
# (tools/synthetic/timing.py), on the timeline of the truth file, so the model's AUC can be set against the
# true probability's on the same loans (oracle_auc). The quality bar is measured on this timing too
# (tools/quality.py).
TIMING = "realistic"
# The largest size is measured on the loan file alone: its ledger would be about a billion rows.
SNAPSHOT_ONLY_LOANS = 10_000_000
# The daily batch: one new payment, on the as-of date, for every loan whose order_id hashes to 0 mod 100, and
# a new loan for every loan whose Loan_ID hashes to 1 mod 1000 (0.1%).
DAILY_BATCH_MODULUS = 100
NEW_LOAN_MODULUS = 1000
# dbt's stored parse in its target folder, reused by a run with the same vars and project files.
PARTIAL_PARSE = "partial_parse.msgpack"


def generate(loans: int, seed: int, directory: Path, with_ledger: bool) -> Measured:
    """Write the loans (and their ledger) and their truth file as Parquet to `directory`, tools.synthetic."""
    command = [sys.executable, "-m", "tools.synthetic", "--loans", str(loans), "--seed", str(seed)]
    command += ["--out", str(directory), "--format", "parquet", "--timing", TIMING]
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
    directory: Path,
    with_ledger: bool,
    select: str | None = None,
    extra_vars: dict | None = None,
    run_name: str = "",
) -> Measured:
    """`dbt build` of the generated files into directory/warehouse.duckdb; the repo's target/ is untouched."""
    dbt_vars = build_vars(directory, with_ledger, directory / "models")
    command = [str(DBT), "build", "--vars", json.dumps(dbt_vars | (extra_vars or {}))]
    command += ["--select", select] if select else []
    suffix = f"-{run_name}" if run_name else ""
    command += ["--target-path", str(directory / f"target{suffix}"), "--log-path", str(directory / "logs")]
    env = dbt_env(directory / "warehouse.duckdb")
    return run_measured(command, directory / "logs" / f"dbt-build{suffix}.log", env)


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
    with duckdb.connect() as connection:
        (added,) = connection.execute(f"select count(*) from ({batch})").fetchone()
        append_rows(connection, payments, batch)
    return added


def append_rows(connection, path: Path, added_rows: str) -> None:
    """Rewrite the Parquet file `path` as its rows, in their order, followed by the rows of the query
    `added_rows`: as a daily extract grows, every row keeps its position (a moved row is a changed one)."""
    grown = path.with_suffix(".grown.parquet")
    connection.execute(
        f"""
        copy (
            select * exclude (part, position)
            from (
                select * exclude (file_row_number), 0 as part, file_row_number as position
                from read_parquet('{sql_text(path)}', file_row_number = true)
                union all by name
                select *, 1 as part, row_number() over () as position
                from ({added_rows})
            )
            order by part, position
        ) to '{sql_text(grown)}'
        """
    )
    grown.replace(path)


def add_new_loans(directory: Path, day: int) -> int:
    """Add a new loan, a copy of the loan file row and ledger rows of each loan whose Loan_ID hashes to 1 mod
    NEW_LOAN_MODULUS, with the id `<Loan_ID>_new<day>`, to the Parquet files; returns how many were added."""
    tables = {
        directory / "loan_recovery.parquet": "Loan_ID",
        **{directory / "ledger" / f"{name}.parquet": "order_id" for name in ("orders", "plan", "payments")},
    }
    with duckdb.connect() as connection:
        for path, id_column in tables.items():
            source = sql_text(path)
            copies = f"""
                select * replace ({id_column} || '_new{day}' as {id_column})
                from read_parquet('{source}')
                where hash({id_column}) % {NEW_LOAN_MODULUS} = 1 and not contains({id_column}, '_new')
            """
            append_rows(connection, path, copies)
        (added,) = connection.execute(
            f"select count(*) from read_parquet('{sql_text(directory / 'loan_recovery.parquet')}')"
            f" where ends_with(Loan_ID, '_new{day}')"
        ).fetchone()
    return added


def daily_batch(directory: Path, day: int) -> Measured:
    """Add day `day`'s batch (payments for 1% of the loans, 0.1% new loans) and run the daily build: a plain
    incremental `dbt build`, which scores the changed loans with the model in use (ml/refit_policy.py)."""
    as_of_date = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]["as_of_date"]
    add_daily_payments(directory / "ledger" / "payments.parquet", as_of_date)
    add_new_loans(directory, day)
    # A team's daily `dbt build` in its project finds the last build's parse of the same vars and reuses it
    # (the day's target folder is the bench's, to keep each run's results).
    run_name = f"daily-{day}"
    (directory / f"target-{run_name}").mkdir(exist_ok=True)
    shutil.copyfile(directory / "target" / PARTIAL_PARSE, directory / f"target-{run_name}" / PARTIAL_PARSE)
    return dbt_build(directory, True, run_name=run_name)


def selected_auc(database: Path) -> float:
    """Cross-validated AUC against the actual outcome of the run whose scores drive strategy (the run of
    int_loans_scored's selected scores)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        (auc,) = connection.execute(
            """
            select cv_roc_auc from model_runs
            where run_id = (select any_value(run_id) from intermediate.int_loans_scored where is_selected)
            order by fitted_at desc
            limit 1
            """
        ).fetchone()
    return float(auc)


def oracle_auc(database: Path, truth: Path) -> float:
    """AUC of the generator's true probability of not recovering, against the actual outcome, on the loans
    the selected run scored out of fold: the best any model can rank the loans selected_auc measures."""
    with duckdb.connect(str(database), read_only=True) as connection:
        loans = connection.execute(
            f"""
            select features.is_not_fully_recovered, truth.true_probability_not_recovered
            from intermediate.int_loans_scored as scored
            inner join loan_features as features
                on scored.loan_id = features.loan_id
            inner join read_parquet('{sql_text(truth)}') as truth
                on scored.loan_id = truth.loan_id
            where scored.is_selected and scored.is_out_of_fold
            """
        ).df()
    return float(roc_auc_score(loans["is_not_fully_recovered"], loans["true_probability_not_recovered"]))
