"""Malformed loan files and ledgers, made from the bundled sample, each with the outcome it must have.

Every variant either builds, with its unusable rows in rejected_rows under the expected reason ("accepted"),
or stops the build with one message naming the file and the problem ("stopped").
`python -m tests.reliability.corpus DIR` writes the corpus for inspection.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tests.dbt_runner import SAMPLE_LEDGER, SAMPLE_LOANS

CORPUS_LOANS = 120


@dataclass(frozen=True)
class Variant:
    name: str
    outcome: str  # "accepted" or "stopped"
    expected: str  # a rejection reason (accepted) or part of the error message (stopped)
    loans: Callable[[bytes], bytes] | None = None
    ledger: dict[str, Callable[[pd.DataFrame], pd.DataFrame | None]] = field(default_factory=dict)
    # A column map and a value map (CSV text, header included; docs/your-own-data.md), when given.
    column_map: str = ""
    value_map: str = ""


def sample_loans() -> pd.DataFrame:
    return pd.read_csv(SAMPLE_LOANS, dtype=str, keep_default_na=False).head(CORPUS_LOANS)


def sample_ledger(loan_ids: pd.Series) -> dict[str, pd.DataFrame]:
    frames = {}
    for table in ("orders", "plan", "payments"):
        frame = pd.read_csv(SAMPLE_LEDGER / f"{table}.csv", dtype=str, keep_default_na=False)
        frames[table] = frame[frame.order_id.isin(loan_ids)].reset_index(drop=True)
    return frames


def to_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode()


def cell(column: str, value: str, row: int = 3) -> Callable[[bytes], bytes]:
    """Puts one value into one row of the loan file."""

    def change(data: bytes) -> bytes:
        frame = pd.read_csv(pd.io.common.BytesIO(data), dtype=str, keep_default_na=False)
        frame.at[row, column] = value
        return to_csv(frame)

    return change


def frame_change(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[bytes], bytes]:
    return lambda data: to_csv(
        change(pd.read_csv(pd.io.common.BytesIO(data), dtype=str, keep_default_na=False))
    )


def ledger_cell(column: str, value: str, row: int = 5) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame.at[row, column] = value
        return frame

    return change


def duplicate_first_row(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.head(1)], ignore_index=True)


def add_payment(order_id: str, paid_at: str, paid_sum: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        extra = pd.DataFrame({"order_id": [order_id], "paid_at": [paid_at], "paid_sum": [paid_sum]})
        return pd.concat([frame, extra], ignore_index=True)

    return change


def rename(**names: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda frame: frame.rename(columns=names)


def good_or_bad(frame: pd.DataFrame) -> pd.DataFrame:
    """The outcome as a lender's extract may have it: good, bad or partial."""
    outcome = {"Fully Recovered": "good", "Written Off": "bad", "Partially Recovered": "partial"}
    return frame.assign(Recovery_Status=frame.Recovery_Status.replace(outcome))


COLUMN_MAP_HEADER = "warehouse_column,source_column,kind\n"
VALUE_MAP_HEADER = "warehouse_column,source_value,warehouse_value\n"

VARIANTS = [
    Variant(
        "missing_column",
        "stopped",
        "is missing column(s) Loan_Amount",
        loans=frame_change(lambda f: f.drop(columns="Loan_Amount")),
    ),
    Variant(
        "missing_optional_columns",
        "accepted",
        "",
        loans=frame_change(lambda f: f.drop(columns=["Monthly_Income", "Gender", "Days_Past_Due"])),
    ),
    Variant(
        "mapped_columns_and_values",
        "accepted",
        "",
        loans=frame_change(lambda f: rename(Loan_Amount="funded", Recovery_Status="status")(good_or_bad(f))),
        column_map=COLUMN_MAP_HEADER
        + "Loan_Amount,funded,\nRecovery_Status,status,\nBranch,Loan_Type,categorical\n",
        value_map=VALUE_MAP_HEADER
        + "Recovery_Status,good,Fully Recovered\nRecovery_Status,BAD,Written Off\n"
        + "Recovery_Status,partial,Partially Recovered\n",
    ),
    Variant(
        "map_names_a_column_not_in_the_file",
        "stopped",
        "row 2 (Loan_Amount <- funded_amnt): loan file",
        column_map=COLUMN_MAP_HEADER + "Loan_ID,Loan_ID,\nLoan_Amount,funded_amnt,\n",
    ),
    Variant(
        "two_columns_mapped_to_one",
        "stopped",
        "row 2 (Loan_Amount <- Outstanding_Loan_Amount): row 1 already maps Loan_Amount to Loan_Amount",
        column_map=COLUMN_MAP_HEADER + "Loan_Amount,Loan_Amount,\nLoan_Amount,Outstanding_Loan_Amount,\n",
    ),
    Variant(
        "outcome_values_left_unmapped",
        "stopped",
        "row 1 (Recovery_Status <- Recovery_Status): outcome value(s) 'bad', 'partial' are not mapped",
        loans=frame_change(good_or_bad),
        column_map=COLUMN_MAP_HEADER + "Recovery_Status,Recovery_Status,\n",
        value_map=VALUE_MAP_HEADER + "Recovery_Status,good,Fully Recovered\n",
    ),
    Variant(
        "numeric_feature_is_text",
        "stopped",
        "row 1 (Branch_Size <- Employment_Type): the numeric feature Branch_Size has text in",
        column_map=COLUMN_MAP_HEADER + "Branch_Size,Employment_Type,numeric\n",
    ),
    Variant(
        "unknown_column_without_a_kind",
        "stopped",
        "row 1 (Branch <- Loan_Type): Branch is not a warehouse column",
        column_map=COLUMN_MAP_HEADER + "Branch,Loan_Type,\n",
    ),
    Variant("extra_column", "accepted", "", loans=frame_change(lambda f: f.assign(Branch="North"))),
    Variant("columns_in_another_order", "accepted", "", loans=frame_change(lambda f: f[f.columns[::-1]])),
    Variant("semicolon_delimiter", "accepted", "", loans=lambda d: d.replace(b",", b";")),
    Variant("utf8_byte_order_mark", "accepted", "", loans=lambda d: b"\xef\xbb\xbf" + d),
    Variant("crlf_line_endings", "accepted", "", loans=lambda d: d.replace(b"\n", b"\r\n")),
    Variant("no_final_newline", "accepted", "", loans=lambda d: d.rstrip(b"\n")),
    Variant("quoted_field_with_commas", "accepted", "", loans=cell("Borrower_ID", "BRW, with commas")),
    Variant(
        "text_in_numeric_column",
        "accepted",
        "invalid value in Monthly_Income",
        loans=cell("Monthly_Income", "fifty thousand"),
    ),
    Variant("negative_amount", "accepted", "Loan_Amount not positive", loans=cell("Loan_Amount", "-25000")),
    Variant("zero_income", "accepted", "Monthly_Income not positive", loans=cell("Monthly_Income", "0")),
    Variant("empty_file", "stopped", "is missing column(s) Loan_ID", loans=lambda d: b""),
    Variant("header_only", "stopped", "has no data rows", loans=lambda d: d.split(b"\n")[0] + b"\n"),
    Variant("duplicate_loan_id", "accepted", "duplicate Loan_ID (row 1 kept)", loans=cell("Loan_ID", "LN_1")),
    Variant(
        "unknown_category_value", "accepted", "invalid value in Loan_Type", loans=cell("Loan_Type", "Boat")
    ),
    Variant(
        "na_null_and_empty_strings",
        "accepted",
        "missing Monthly_EMI",
        loans=lambda d: cell("Monthly_EMI", "null")(cell("Age", "NA", 4)(cell("Gender", "", 5)(d))),
    ),
    Variant("absurd_age", "accepted", "Age outside 18-120", loans=cell("Age", "400")),
    Variant(
        "absurd_interest_rate", "accepted", "Interest_Rate above 100%", loans=cell("Interest_Rate", "900")
    ),
    Variant("non_utf8_bytes", "stopped", "not utf-8", loans=lambda d: d.replace(b"BRW_7,", b"BRW_\xe97,", 1)),
    Variant("ten_megabyte_line", "accepted", "", loans=cell("Borrower_ID", "B" * 10_000_000)),
    Variant(
        "payment_before_issue",
        "accepted",
        "paid_at before put_at",
        ledger={"payments": add_payment("LN_1", "1990-01-01 10:00:00", "100.00")},
    ),
    Variant(
        "payment_for_unknown_loan",
        "accepted",
        "order_id not in orders",
        ledger={"payments": add_payment("LN_UNKNOWN", "2026-01-01 10:00:00", "100.00")},
    ),
    Variant(
        "negative_payment",
        "accepted",
        "paid_sum not positive",
        ledger={"payments": ledger_cell("paid_sum", "-5")},
    ),
    Variant(
        "unreadable_payment_time",
        "accepted",
        "invalid value in paid_at",
        ledger={"payments": ledger_cell("paid_at", "yesterday")},
    ),
    Variant(
        "plan_rows_out_of_order", "accepted", "", ledger={"plan": lambda f: f.sample(frac=1, random_state=1)}
    ),
    Variant(
        "duplicate_plan_row",
        "accepted",
        "duplicate order_id and plan_at (row 1 kept)",
        ledger={"plan": duplicate_first_row},
    ),
    Variant(
        "duplicate_order",
        "accepted",
        "duplicate order_id (row 1 kept)",
        ledger={"orders": duplicate_first_row},
    ),
    Variant(
        "closed_before_issue",
        "accepted",
        "closed_at before put_at",
        ledger={"orders": ledger_cell("closed_at", "2001-01-01 00:00:00", 2)},
    ),
    Variant(
        "plan_file_missing",
        "stopped",
        "plan.csv' does not exist",
        ledger={"plan": lambda f: None},
    ),
    Variant(
        "orders_missing_column",
        "stopped",
        "is missing column(s) put_at",
        ledger={"orders": lambda f: f.drop(columns="put_at")},
    ),
]


def write_maps(variant: Variant, directory: Path) -> dict[str, str]:
    """Writes the variant's column map and value map, if any; returns the vars that name them."""
    directory.mkdir(parents=True, exist_ok=True)
    dbt_vars = {}
    for var, text, name in (
        ("column_map_path", variant.column_map, "column_map.csv"),
        ("value_map_path", variant.value_map, "value_map.csv"),
    ):
        if text:
            (directory / name).write_text(text)
            dbt_vars[var] = str(directory / name)
    return dbt_vars


def write_variant(variant: Variant, directory: Path) -> tuple[Path, Path | None]:
    """Writes the variant's loan file (and ledger folder, for ledger variants); returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    loans = sample_loans()
    loan_file = directory / "loans.csv"
    data = to_csv(loans)
    loan_file.write_bytes(variant.loans(data) if variant.loans else data)
    if not variant.ledger:
        return loan_file, None
    ledger_dir = directory / "ledger"
    ledger_dir.mkdir(exist_ok=True)
    for table, frame in sample_ledger(loans.Loan_ID).items():
        changed = variant.ledger.get(table, lambda f: f)(frame)
        if changed is not None:  # None: the variant leaves the file out
            (ledger_dir / f"{table}.csv").write_bytes(to_csv(changed))
    return loan_file, ledger_dir


if __name__ == "__main__":
    for variant in VARIANTS:
        write_variant(variant, Path(sys.argv[1]) / variant.name)
        write_maps(variant, Path(sys.argv[1]) / variant.name)
