"""The public-dataset resample of the benchmark and its side-by-side table (no build runs here)."""

import os

import pandas as pd
import pytest

from tools.benchmark.resample import ID_COLUMNS, JITTER, MONEY_COLUMNS, read_public, resample, write_resample
from tools.benchmark.side_by_side import (
    PUBLIC_CSV,
    SideBySide,
    WarehouseRun,
    profile_table,
    section,
    side_by_side_table,
    slowest_nodes,
)
from tools.benchmark.timing import STAGES, Measured

# Three loans as read_public reads them (text); Age tells which one a resampled row was drawn from.
PUBLIC = pd.DataFrame(
    {
        "Borrower_ID": ["BRW_1", "BRW_2", "BRW_3"],
        "Age": ["30", "40", "50"],
        "Monthly_Income": ["50000", "80000", "120000"],
        "Loan_ID": ["LN_1", "LN_2", "LN_3"],
        "Loan_Amount": ["500000", "900000", "1500000"],
        "Loan_Type": ["Personal", "Home", "Auto"],
        "Collateral_Value": ["0", "1180032.362", "900000.5"],
        "Outstanding_Loan_Amount": ["291413.0058", "665204.1539", "1000"],
        "Monthly_EMI": ["4856.88", "55433.68", "120.5"],
        "Recovery_Status": ["Fully Recovered", "Written Off", "Partially Recovered"],
    }
)


@pytest.fixture(scope="module")
def drawn() -> pd.DataFrame:
    return resample(PUBLIC, 3_000, seed=5)


def test_ids_are_fresh_and_unique(drawn):
    assert len(drawn) == 3_000
    for column, prefix in ID_COLUMNS.items():
        assert drawn[column].is_unique
        assert drawn[column].str.startswith(prefix).all()
    assert drawn["Loan_ID"].tolist()[:2] == ["LN_1", "LN_2"]


def test_money_is_jittered_within_bounds_and_other_columns_are_copied(drawn):
    source = PUBLIC.set_index("Age")
    original = source.loc[drawn["Age"]].reset_index()
    # Every row comes whole from one public row: its non-money, non-id columns are copied as written.
    kept = [column for column in PUBLIC.columns if column not in MONEY_COLUMNS and column not in ID_COLUMNS]
    pd.testing.assert_frame_equal(drawn[kept], original[kept])
    for column in MONEY_COLUMNS:
        before = original[column].astype(float)
        after = drawn[column]
        nonzero = before != 0
        # Zero stays zero (Personal loans: no collateral), the rest within the factor give or take a cent.
        assert (after[~nonzero] == 0).all()
        low, high = before * (1 - JITTER) - 0.005, before * (1 + JITTER) + 0.005
        assert after.between(low, high).all(), column
        factors = after[nonzero] / before[nonzero]
        # Jittered, not copied: the factors spread over most of the band.
        assert factors.min() < 1 - 0.9 * JITTER and factors.max() > 1 + 0.9 * JITTER, column


def test_rows_are_drawn_with_replacement_from_every_row(drawn):
    counts = drawn["Age"].value_counts()
    assert set(counts.index) == set(PUBLIC["Age"])
    assert counts.min() > 800


def test_same_seed_same_file_other_seed_other_file():
    pd.testing.assert_frame_equal(resample(PUBLIC, 200, seed=1), resample(PUBLIC, 200, seed=1))
    assert not resample(PUBLIC, 200, seed=1).equals(resample(PUBLIC, 200, seed=2))


def test_a_missing_or_text_money_column_is_named():
    with pytest.raises(ValueError, match="Monthly_EMI"):
        resample(PUBLIC.drop(columns="Monthly_EMI"), 10, seed=1)
    with pytest.raises(ValueError, match="Loan_Amount"):
        resample(PUBLIC.assign(Loan_Amount="n/a"), 10, seed=1)


@pytest.mark.skipif(not PUBLIC_CSV.exists(), reason=f"the public dataset {PUBLIC_CSV} is absent")
def test_the_written_resample_has_the_public_header_and_categories(tmp_path):
    out = tmp_path / "loan_recovery.csv"
    write_resample(PUBLIC_CSV, 2_000, 3, out)
    public, written = read_public(PUBLIC_CSV), read_public(out)
    assert out.read_text().splitlines()[0] == ",".join(public.columns)
    assert len(written) == 2_000
    categories = ["Gender", "Employment_Type", "Loan_Type", "Payment_History", "Recovery_Status"]
    categories += ["Collection_Method", "Legal_Action_Taken", "Loan_Tenure", "Num_Missed_Payments"]
    for column in categories:
        assert set(written[column]) <= set(public[column]), column


def _run(seconds: float) -> WarehouseRun:
    return WarehouseRun(Measured(seconds, 2**30), dict.fromkeys(STAGES, 1.0), [("int_loans_scored", 9.0)])


def test_the_table_judges_each_size_against_its_target(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    results = [
        SideBySide(100_000, Measured(10.0, 2**29), _run(40.0), _run(9.0)),
        SideBySide(1_000_000, Measured(100.0, 2**30, max_load=9.0), _run(40.0), _run(30.0)),
    ]
    rows = side_by_side_table(results).splitlines()[2:]
    assert rows[0].endswith("| 0.25x | >= 0.35x | no |")
    assert rows[1].endswith("| 2.50x | >= 2.00x | yes (loaded: load average up to 9.0 on 2 cores) |")
    profile = profile_table(results).splitlines()
    assert profile[0] == "| stage | 100k s | 100k compared s | 1M s | 1M compared s |"
    assert len(profile) == 2 + len(STAGES) + 1
    assert profile[-1].count("int_loans_scored 9.0") == 4


def test_slowest_nodes_come_first():
    run_results = {
        "results": [
            {"unique_id": "model.loan_recovery.a", "execution_time": 1.0},
            {"unique_id": "model.loan_recovery.b", "execution_time": 5.0},
            {"unique_id": "test.loan_recovery.not_null_c_id.07163c55ac", "execution_time": 3.0},
            {"unique_id": "unit_test.loan_recovery.d.d_sums", "execution_time": 2.0},
        ]
    }
    assert slowest_nodes(run_results, 3) == [("b", 5.0), ("not_null_c_id", 3.0), ("d.d_sums", 2.0)]


def test_the_section_says_why_the_rows_were_skipped(tmp_path):
    absent = tmp_path / "loan-recovery.csv"
    text = section([], "python -m tools.benchmark", absent)
    assert f"Skipped: {absent} is absent" in text
