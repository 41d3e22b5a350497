"""Tests of the synthetic loan generator: format, value sets, causal world, ledger, determinism, sample."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tools import synthetic
from tools.synthetic import (
    SNAPSHOT_DATE,
    generate_loans,
    generate_portfolio,
    not_recovered_probability,
    timing,
    world,
    write,
    write_ledger,
)
from tools.synthetic.__main__ import main
from tools.synthetic.world import GENDERS, accepted_categories

REPO = Path(__file__).resolve().parents[2]
PUBLIC_DATASET = Path(__file__).resolve().parents[3] / "shared/data/loan-recovery.csv"


def _written_bytes(directory: Path, n_loans: int, seed: int) -> tuple[bytes, bytes]:
    loans_path, truth_path = write(*generate_loans(n_loans, seed), directory)
    return loans_path.read_bytes(), truth_path.read_bytes()


def test_same_seed_gives_identical_files(tmp_path):
    assert _written_bytes(tmp_path / "a", 300, 1) == _written_bytes(tmp_path / "b", 300, 1)


def test_different_seed_gives_different_loans():
    assert not generate_loans(300, 1)[0].equals(generate_loans(300, 2)[0])


def test_first_loans_and_their_ledger_do_not_depend_on_how_many_are_drawn():
    few, few_truth, few_ledger = generate_portfolio(50, 3)
    many, many_truth, many_ledger = generate_portfolio(synthetic.BLOCK_SIZE + 50, 3)
    pd.testing.assert_frame_equal(few, many.head(50))
    pd.testing.assert_frame_equal(few_truth, many_truth.head(50))
    for few_table, many_table in zip(few_ledger, many_ledger, strict=True):
        first = many_table[many_table["order_id"].isin(few["Loan_ID"])].reset_index(drop=True)
        assert len(first) < len(many_table)
        pd.testing.assert_frame_equal(few_table.astype({"order_id": str}), first.astype({"order_id": str}))


def test_portfolio_loans_are_those_of_generate_loans():
    loans, truth, _ = generate_portfolio(300, 4)
    expected_loans, expected_truth = generate_loans(300, 4)
    pd.testing.assert_frame_equal(loans, expected_loans)
    pd.testing.assert_frame_equal(truth, expected_truth)


def test_header_matches_public_dataset(tmp_path):
    if not PUBLIC_DATASET.exists():
        pytest.skip(f"public dataset not found at {PUBLIC_DATASET}")
    public_header = PUBLIC_DATASET.read_text().splitlines()[0].strip()
    loans_path, _ = write(*generate_loans(10, 0), tmp_path)
    assert loans_path.read_text().splitlines()[0] == public_header
    assert public_header.split(",") == synthetic.COLUMNS


def test_csv_format_lf_ids_and_two_decimals(tmp_path):
    loans_path, _ = write(*generate_loans(200, 0), tmp_path)
    text = loans_path.read_bytes()
    assert b"\r" not in text and b'"' not in text
    assert text.endswith(b"\n")
    written = pd.read_csv(loans_path, dtype=str, keep_default_na=False)
    assert written["Borrower_ID"].head(3).tolist() == ["BRW_1", "BRW_2", "BRW_3"]
    assert written["Loan_ID"].head(3).tolist() == ["LN_1", "LN_2", "LN_3"]
    for column in synthetic.TWO_DECIMAL_COLUMNS:
        assert written[column].str.fullmatch(r"\d+\.\d{2}").all(), column


def test_csv_reads_back_as_the_generated_frame(tmp_path):
    loans, truth = generate_loans(500, 5)
    loans_path, truth_path = write(loans, truth, tmp_path)
    pd.testing.assert_frame_equal(pd.read_csv(loans_path), loans)
    pd.testing.assert_frame_equal(pd.read_csv(truth_path), truth)


def test_parquet_reads_back_as_the_generated_frame(tmp_path):
    loans, truth = generate_loans(500, 5)
    loans_path, truth_path = write(loans, truth, tmp_path / "loans", tmp_path / "truth", fmt="parquet")
    assert loans_path == tmp_path / "loans" / "loan_recovery.parquet"
    pd.testing.assert_frame_equal(pd.read_parquet(loans_path), loans)
    pd.testing.assert_frame_equal(pd.read_parquet(truth_path), truth)


@pytest.mark.parametrize(
    ("column", "allowed"),
    [
        ("Gender", GENDERS),
        ("Employment_Type", ["Salaried", "Self-Employed", "Business Owner"]),
        ("Loan_Type", ["Personal", "Home", "Auto", "Business"]),
        ("Payment_History", ["On-Time", "Delayed", "Missed"]),
        ("Collection_Method", ["Calls", "Legal Notice", "Debt Collectors", "Settlement Offer"]),
        ("Legal_Action_Taken", ["Yes", "No"]),
        ("Loan_Tenure", [12, 24, 36, 48, 60, 72, 84]),
    ],
)
def test_value_sets(loans, column, allowed):
    assert set(loans[column]) == set(allowed)


def test_recovery_status_values_and_open_share(loans):
    status = loans["Recovery_Status"]
    assert set(status.dropna()) == {"Fully Recovered", "Partially Recovered", "Written Off"}
    assert 0.15 <= status.isna().mean() <= 0.25


def test_ranges_look_like_the_public_data(loans):
    assert loans["Monthly_Income"].between(15_000, 250_000).all()
    assert loans["Loan_Amount"].between(50_000, 2_000_000).all()
    assert loans["Interest_Rate"].between(5, 16).all()
    assert loans["Age"].between(21, 64).all()
    assert loans["Num_Dependents"].between(0, 3).all()
    assert loans["Collection_Attempts"].between(0, 10).all()
    assert (loans["Outstanding_Loan_Amount"] > 0).all()
    assert (loans["Outstanding_Loan_Amount"] <= loans["Loan_Amount"]).mean() > 0.9


def test_personal_loans_have_zero_collateral_and_others_some(loans):
    personal = loans["Loan_Type"] == "Personal"
    assert (loans.loc[personal, "Collateral_Value"] == 0).all()
    coverage = loans.loc[~personal, "Collateral_Value"] / loans.loc[~personal, "Loan_Amount"]
    assert coverage.between(0.49, 1.51).all()


def test_emi_is_the_amortisation_instalment(loans):
    expected = synthetic.monthly_emi(loans["Loan_Amount"], loans["Interest_Rate"], loans["Loan_Tenure"])
    np.testing.assert_allclose(loans["Monthly_EMI"], expected, atol=0.006)


def test_monthly_emi_known_value():
    # 100,000 over 12 months at 12% a year: the textbook instalment is 8,884.88.
    assert synthetic.monthly_emi(100_000, 12.0, 12) == pytest.approx(8_884.88, abs=0.01)
    assert synthetic.remaining_balance(100_000, 12.0, 12, 12) == pytest.approx(0.0, abs=1e-6)
    assert synthetic.remaining_balance(100_000, 12.0, 12, 0) == pytest.approx(100_000)


def test_days_past_due_count_from_the_oldest_missed_due_date(loans):
    missed, days = loans["Num_Missed_Payments"], loans["Days_Past_Due"]
    assert ((missed == 0) == (days == 0)).all()
    # The oldest missed instalment fell due on an issue day (1-28) of the month missed - 1 months before the
    # snapshot's: with 2 missed in June 2026, it was due in May 2026.
    in_arrears = missed > 0
    oldest_due = pd.Timestamp(SNAPSHOT_DATE) - pd.to_timedelta(days[in_arrears], unit="D")
    snapshot_month = pd.Period(SNAPSHOT_DATE, "M")
    assert (oldest_due.dt.to_period("M") == snapshot_month - (missed[in_arrears] - 1)).all()
    assert oldest_due.dt.day.between(1, 28).all()
    assert set(days[missed == 1]) == set(range(2, 30))


def test_payment_history_mostly_agrees_with_days_past_due(loans):
    days = loans["Days_Past_Due"]
    expected = np.where(days == 0, "On-Time", np.where(days <= 90, "Delayed", "Missed"))
    disagreement = (loans["Payment_History"] != expected).mean()
    assert 0.08 <= disagreement <= 0.16


def test_probability_increases_with_missed_payments_holding_others_fixed():
    missed = np.arange(13)
    probability = not_recovered_probability(100_000, 20_000, 1_000_000, 500_000, missed, 60)
    assert (np.diff(probability) > 0).all()


def test_probability_falls_with_collateral_and_income():
    by_collateral = not_recovered_probability(100_000, 20_000, 1_000_000, [0, 500_000, 1_500_000], 1, 30)
    assert (np.diff(by_collateral) < 0).all()
    by_income = not_recovered_probability([50_000, 100_000, 200_000], 20_000, 1_000_000, 0, 1, 30)
    assert (np.diff(by_income) < 0).all()


def test_truth_probability_recomputes_from_published_columns(loans, truth):
    recomputed = not_recovered_probability(
        loans["Monthly_Income"],
        loans["Monthly_EMI"],
        loans["Loan_Amount"],
        loans["Collateral_Value"],
        loans["Num_Missed_Payments"],
        loans["Days_Past_Due"],
    )
    np.testing.assert_allclose(truth["true_probability_not_recovered"], recomputed, atol=1e-6)


def test_protected_attributes_do_not_move_the_outcome(loans, truth):
    probability = truth["true_probability_not_recovered"]
    by_gender = probability.groupby(loans["Gender"]).mean()
    assert abs(by_gender["Male"] - by_gender["Female"]) < 0.03
    assert abs(np.corrcoef(loans["Age"], probability)[0, 1]) < 0.05


def test_truth_rows_match_loans_one_to_one(loans, truth):
    assert list(truth.columns) == synthetic.TRUTH_COLUMNS
    assert truth["loan_id"].tolist() == loans["Loan_ID"].tolist()
    assert truth["loan_id"].is_unique
    assert (truth["is_open"] == loans["Recovery_Status"].isna()).all()
    resolved = ~truth["is_open"]
    not_recovered = loans.loc[resolved, "Recovery_Status"] != "Fully Recovered"
    assert (truth.loc[resolved, "is_not_fully_recovered"] == not_recovered).all()


def test_outcomes_follow_the_true_probability(truth):
    outcome, probability = truth["is_not_fully_recovered"], truth["true_probability_not_recovered"]
    assert 0.35 <= outcome.mean() <= 0.45
    assert abs(outcome.mean() - probability.mean()) < 0.03
    assert probability[outcome].mean() > probability[~outcome].mean() + 0.2


def test_post_outcome_columns_depend_on_outcome(loans):
    status = loans["Recovery_Status"]
    assert (loans.loc[loans["Legal_Action_Taken"] == "Yes", "Recovery_Status"] == "Written Off").all()
    attempts = loans.groupby(status)["Collection_Attempts"].mean()
    assert attempts["Fully Recovered"] < attempts["Partially Recovered"] < attempts["Written Off"]


def test_open_loans_collection(loans):
    open_loans = loans[loans["Recovery_Status"].isna()]
    assert set(open_loans["Collection_Method"]) <= {"Calls", "Settlement Offer"}
    assert (open_loans["Legal_Action_Taken"] == "No").all()
    expected_attempts = np.minimum(np.ceil(open_loans["Days_Past_Due"] / 30), 10)
    assert (open_loans["Collection_Attempts"] == expected_attempts).all()


def test_committed_sample_is_reproducible(tmp_path):
    # `make sample`: realistic timing
    loans, truth, ledger = timing.generate_portfolio(2_000, 42)
    written = [*write(loans, truth, tmp_path), *write_ledger(ledger, tmp_path / "ledger")]
    committed = [
        REPO / "data" / "sample" / "loan_recovery.csv",
        REPO / "tests" / "fixtures" / "loan_recovery_truth.csv",
        *(REPO / "data" / "sample" / "ledger" / f"{name}.csv" for name in ("orders", "plan", "payments")),
    ]
    for path, committed_path in zip(written, committed, strict=True):
        assert path.read_bytes() == committed_path.read_bytes(), f"{committed_path}: run `make sample`"


def test_cli_writes_both_files(tmp_path):
    main(["--loans", "20", "--seed", "1", "--out", str(tmp_path)])
    assert len(pd.read_csv(tmp_path / "loan_recovery.csv")) == 20
    assert len(pd.read_csv(tmp_path / "loan_recovery_truth.csv")) == 20


def test_cli_writes_the_ledger_when_asked(tmp_path):
    ledger_dir = tmp_path / "ledger"
    main(["--loans", "20", "--seed", "1", "--out", str(tmp_path), "--ledger-out", str(ledger_dir)])
    orders = pd.read_csv(ledger_dir / "orders.csv")
    assert orders["order_id"].tolist() == pd.read_csv(tmp_path / "loan_recovery.csv")["Loan_ID"].tolist()
    assert {path.name for path in ledger_dir.iterdir()} == {"orders.csv", "plan.csv", "payments.csv"}


def test_negative_loan_count_is_refused():
    with pytest.raises(ValueError, match="n_loans"):
        generate_loans(-1, 0)


def test_the_generator_draws_the_categories_the_warehouse_accepts():
    # One list: the seed that staging matches against; the generator's weights must follow it.
    categories = accepted_categories()
    assert categories["Gender"] == world.GENDERS and len(world.GENDER_WEIGHTS) == len(world.GENDERS)
    assert len(world.EMPLOYMENT_WEIGHTS) == len(world.EMPLOYMENT_TYPES) == len(categories["Employment_Type"])
    assert len(world.LOAN_TYPE_WEIGHTS) == len(world.RATE_BANDS_PCT) == len(categories["Loan_Type"])
    assert world.METHOD_WEIGHTS.shape == (
        len(categories["Recovery_Status"]),
        len(categories["Collection_Method"]),
    )
