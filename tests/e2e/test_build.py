"""End to end: `dbt build` on the bundled sample and on the public dataset, read back as a BI tool would."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from ml.features import LABEL, RISK_FEATURES, SEGMENTATION_FEATURES
from tests.dbt_runner import REPO, SAMPLE_LOANS, query, run_dbt_build

TRUTH = REPO / "tests" / "fixtures" / "loan_recovery_truth.csv"


def test_sample_builds_every_loan_into_a_strategy(sample_warehouse):
    counts = query(
        sample_warehouse,
        """
        select
            (select count(*) from staging.stg_loan_recovery__loans) as input_rows,
            (select count(*) from loan_features) as accepted_rows,
            (select count(*) from rejected_rows) as rejected_rows,
            (select count(*) from recovery_strategy where strategy is not null) as strategy_rows
        """,
    ).iloc[0]
    assert counts.input_rows == 2000
    assert counts.accepted_rows + counts.rejected_rows == counts.input_rows
    assert counts.strategy_rows == counts.accepted_rows


def test_recovery_strategy_is_readable_from_a_second_read_only_process(sample_warehouse):
    reader = (
        "import duckdb, sys; "
        "c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(c.execute('select count(*) from recovery_strategy').fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", reader, str(sample_warehouse)], capture_output=True, text=True, check=True
    )
    assert int(result.stdout) == 2000


def test_the_session_sample_build_runs_every_unit_test(sample_warehouse):
    """The one build that runs the unit tests (WITHOUT_UNIT_TESTS in tests/dbt_runner.py): each of the
    project's unit tests ran there and passed."""
    target = sample_warehouse.parent / "target"
    unit_tests = set(json.loads((target / "manifest.json").read_text())["unit_tests"])
    results = json.loads((target / "run_results.json").read_text())["results"]
    passed = {result["unique_id"] for result in results if result["status"] == "pass"}
    assert unit_tests and unit_tests <= passed, sorted(unit_tests - passed)


def test_every_model_feature_is_a_loan_features_column(sample_warehouse):
    columns = set(query(sample_warehouse, "select * from loan_features limit 0").columns)
    assert set(RISK_FEATURES) | set(SEGMENTATION_FEATURES) | {LABEL} <= columns


def test_outcome_model_auc_is_close_to_the_generators_truth(sample_warehouse):
    run = query(
        sample_warehouse,
        "select * from model_runs where run_id = (select any_value(run_id) from risk_scores)",
    ).iloc[0]
    truth = pd.read_csv(TRUTH)
    resolved = truth[~truth.is_open]
    oracle_auc = roc_auc_score(resolved.is_not_fully_recovered, resolved.true_probability_not_recovered)
    print(f"\nsample: model cv_roc_auc = {run.cv_roc_auc:.4f}, generator truth AUC = {oracle_auc:.4f}")
    observations = query(
        sample_warehouse, "select count(*) as n, count(distinct loan_id) as loans from loan_observations"
    ).iloc[0]
    assert run.target == "outcome"
    # every resolved loan is learnt from, on each month end it was open from six months on book
    assert observations.loans == len(resolved)
    assert run.n_training_rows == observations.n > 10 * len(resolved)
    assert run.cv_roc_auc >= oracle_auc - 0.05


@pytest.mark.slow
def test_public_dataset_builds_unchanged(public_dataset_build):
    database, _ = public_dataset_build
    summary = query(
        database,
        """
        select
            (select count(*) from recovery_strategy) as strategy_rows,
            (select count(*) from rejected_rows) as rejected_rows,
            (select loans from portfolio_summary where dimension = 'portfolio') as portfolio_loans,
            (select count(*) from information_schema.tables
             where table_name = 'loan_repayment') as ledger_marts,
            (select cv_roc_auc from model_runs
             where run_id = (select any_value(run_id) from risk_scores)) as cv_roc_auc
        """,
    ).iloc[0]
    print(f"\npublic dataset: cv_roc_auc = {summary.cv_roc_auc:.4f}")
    assert summary.strategy_rows == 500
    assert summary.rejected_rows == 0
    assert summary.portfolio_loans == 500
    assert summary.ledger_marts == 0, "without a ledger the ledger marts are not built"


@pytest.fixture(scope="module")
def line_endings_folder(tmp_path_factory):
    """One folder for both variants: the same file, warehouse and vars let dbt reuse its parse."""
    return tmp_path_factory.mktemp("line-endings")


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["LF endings", "CRLF without final newline"])
def test_public_dataset_with_other_line_endings_gives_the_same_loans(
    real_dataset, variant, public_dataset_build, line_endings_folder
):
    data = real_dataset.read_bytes().replace(b"\r\n", b"\n")
    if variant == "CRLF without final newline":
        data = data.replace(b"\n", b"\r\n").rstrip(b"\r\n")
    loan_file = line_endings_folder / "loan-recovery.csv"
    loan_file.write_bytes(data)
    for leftover in line_endings_folder.glob("warehouse.duckdb*"):
        leftover.unlink()

    result = run_dbt_build(
        line_endings_folder,
        {"loan_recovery_path": str(loan_file), "ledger_path": ""},
        ["+loan_features", "+rejected_rows"],
    )

    assert result.returncode == 0, result.stdout[-5000:]
    database = line_endings_folder / "warehouse.duckdb"
    assert query(database, "select count(*) as n from rejected_rows").n[0] == 0
    loans = "select * from loan_features order by loan_id"
    pd.testing.assert_frame_equal(query(database, loans), query(public_dataset_build[0], loans))


@pytest.mark.slow
def test_a_file_missing_a_column_stops_the_build_naming_the_file_and_the_column(tmp_path):
    loans = pd.read_csv(SAMPLE_LOANS, dtype=str).head(20)
    loan_file = tmp_path / "no-amount.csv"
    loans.drop(columns="Loan_Amount").to_csv(loan_file, index=False)

    result = run_dbt_build(tmp_path, {"loan_recovery_path": str(loan_file), "ledger_path": ""})

    assert result.returncode != 0
    assert f"loan file '{loan_file}' is missing column(s) Loan_Amount" in result.stdout
