"""End to end: the ledger marts on the bundled sample and on a user's own ledger folder."""

import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.dbt_runner import REPO, SAMPLE_LEDGER, SAMPLE_LOANS, dbt_build, query, run_dbt_build
from tools.synthetic.daily import LEDGER_TABLES

# Fewer than the observations of 300 generated loans, so that the draw of loan_observations is exercised.
TRAINING_ROWS = 1000


def generate(tmp_path, loans: int, fmt: str):
    """A generated snapshot file and ledger folder, as a user would point the warehouse at them."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.synthetic",
            "--loans",
            str(loans),
            "--seed",
            "7",
            "--out",
            str(tmp_path),
            "--ledger-out",
            str(tmp_path / "ledger"),
            "--format",
            fmt,
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return tmp_path / f"loan_recovery.{fmt}", tmp_path / "ledger"


def test_open_loans_snapshot_agrees_with_the_ledger_at_the_as_of_date(sample_warehouse):
    disagreements = query(
        sample_warehouse,
        """
        select count(*) as loans,
               count(*) filter (where v.num_missed_payments <> r.missed_instalments) as missed_disagree,
               count(*) filter (where v.days_past_due <> r.days_past_due) as days_past_due_disagree
        from intermediate.int_loans_validated as v
        inner join intermediate.int_loans_observation as r on v.loan_id = r.loan_id
        where v.is_open
        """,
    ).iloc[0]
    print(f"\nsample: {disagreements.loans} open loans compared with the ledger")
    assert disagreements.loans > 400
    assert disagreements.missed_disagree == 0
    assert disagreements.days_past_due_disagree == 0


def test_ledger_marts_are_built_from_the_sample(sample_warehouse):
    counts = query(
        sample_warehouse,
        """
        select
            (select count(*) from loan_repayment) as repayment_rows,
            (select count(distinct repayment_segment) from loan_repayment) as segments,
            (select count(*) from monthly_risk_trend) as months,
            (select count(*) from unpaid_open_loans) as unpaid_open,
            (select count(*) from loan_features where paid_to_plan_ratio is not null) as with_ledger_features
        """,
    ).iloc[0]
    assert counts.repayment_rows == 2000
    assert counts.segments == 3
    assert counts.months > 12
    assert counts.unpaid_open > 0
    assert counts.with_ledger_features > 1900


def test_portfolio_marts_cover_the_sample_book(sample_warehouse):
    counts = query(
        sample_warehouse,
        """
        select
            (select loans from portfolio_summary where dimension = 'portfolio') as portfolio_loans,
            (select count(*) from loan_portfolio) as loan_rows,
            (select count(distinct from_bucket) from roll_rates) as roll_from_buckets,
            (select count(distinct vintage_month_end) from vintage_curves) as vintages
        """,
    ).iloc[0]
    assert counts.portfolio_loans == counts.loan_rows == 2000
    assert counts.roll_from_buckets == 5
    assert counts.vintages > 12


@pytest.mark.slow
def test_a_users_parquet_snapshot_and_ledger_build_through_the_vars(tmp_path):
    loan_file, ledger = generate(tmp_path, 300, "parquet")
    # Each file in row groups of 1,000 rows, as large files come: staging numbers rows across row groups.
    parquet_files = {
        "stg_loan_recovery__loans": (loan_file, "Loan_ID"),
        **{f"stg_ledger__{table}": (ledger / f"{table}.parquet", "order_id") for table in LEDGER_TABLES},
    }
    for path, _ in parquet_files.values():
        pq.write_table(pq.read_table(path), path, row_group_size=1000)

    database = dbt_build(
        tmp_path,
        {
            "loan_recovery_path": str(loan_file),
            "ledger_path": str(ledger),
            "ledger_format": "parquet",
            "risk_training_rows": TRAINING_ROWS,
        },
    )

    counts = query(
        database,
        """
        select
            (select count(*) from loan_repayment) as repayment_rows,
            (select count(*) from rejected_rows) as rejected_rows,
            (select count(*) from loan_repayment r join loan_features f using (loan_id)
             where f.is_open and r.days_past_due <> f.days_past_due) as disagreements,
            (select count(*) from loan_features f cross join (select max(as_of_date) as as_of_date
             from loan_repayment) a where f.observation_date > a.as_of_date) as observed_after_as_of
        """,
    ).iloc[0]
    # Open loans are observed at the as-of date, where the ledger's position and the features are the same
    # day; no loan is observed after it.
    c = counts
    observed = (c.repayment_rows, c.rejected_rows, c.disagreements, c.observed_after_as_of)
    assert observed == (300, 0, 0, 0)
    # A row's source_row_number is its place in its file, from 1.
    for model, (path, id_column) in parquet_files.items():
        numbered = query(database, f"select source_row_number, loan_id from staging.{model} order by all")
        in_file = pd.read_parquet(path)[id_column]
        expected = list(zip(range(1, len(in_file) + 1), in_file, strict=True))
        assert list(numbered.itertuples(index=False, name=None)) == expected, model
    # The model learns from about risk_training_rows observations, drawn from many loans, and from at most
    # that many after its stratified sample.
    training = query(
        database,
        """
        select
            (select count(*) from loan_observations) as rows_drawn,
            (select count(distinct loan_id) from loan_observations) as loans_drawn,
            (select count(*) from loan_features where is_not_fully_recovered is not null) as labelled_loans,
            (select n_training_rows from model_runs) as training_rows
        """,
    ).iloc[0]
    assert 0.8 * TRAINING_ROWS < training.rows_drawn < 1.2 * TRAINING_ROWS
    assert training.loans_drawn > 0.5 * training.labelled_loans
    assert training.training_rows == min(training.rows_drawn, TRAINING_ROWS)


@pytest.mark.slow
def test_a_loan_file_paired_with_another_ledger_stops_the_build(tmp_path):
    loans = pd.read_csv(SAMPLE_LOANS, dtype=str, keep_default_na=False).head(100)
    loans["Loan_ID"] = "OTHER_" + loans["Loan_ID"]
    loan_file = tmp_path / "loans.csv"
    loans.to_csv(loan_file, index=False)

    result = run_dbt_build(
        tmp_path,
        {"loan_recovery_path": str(loan_file), "ledger_path": str(SAMPLE_LEDGER)},
        ["+int_loan_inputs_fingerprinted"],
    )

    assert result.returncode != 0
    assert (
        f"ledger '{SAMPLE_LEDGER}' does not match loan file '{loan_file}': 2100 of 2100 ids (100.0%) disagree"
        in result.stdout
    ), result.stdout[-3000:]


@pytest.mark.slow
def test_a_users_loan_file_without_ledger_path_has_no_ledger(tmp_path):
    # The public file's ids LN_1..LN_500 are also the sample's: its ledger must not be read beside them.
    loans = pd.read_csv(SAMPLE_LOANS, dtype=str, keep_default_na=False).head(100)
    loan_file = tmp_path / "loans.csv"
    loans.to_csv(loan_file, index=False)

    result = run_dbt_build(tmp_path, {"loan_recovery_path": str(loan_file)}, ["+loan_features"])

    assert result.returncode == 0, result.stdout[-3000:]
    database = tmp_path / "warehouse.duckdb"
    features = query(database, "select count(*) as n, count(observation_date) as observed from loan_features")
    assert features.values.tolist() == [[100, 0]]
    tables = query(database, "select table_name from information_schema.tables").table_name
    assert not tables.str.contains("ledger").any(), sorted(tables)
