"""Malformed loan files and ledgers, made from the bundled sample, each with the outcome it must have.

Every variant either builds, with exactly its unusable rows in rejected_rows under their reasons ("accepted"),
or stops the build with one message naming the file and the problem ("stopped"). Bad values in single rows
share one variant per input, each value in a row of its own and every rejected row named with its reason, so
that one build checks them all; what concerns a whole file (delimiter, encoding, line endings, columns) has
a variant of its own.
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
    expected: str  # part of the error message (stopped), or a reason among the rejected rows (accepted)
    # For a variant with bad values in several rows: every row rejected_rows must hold, and nothing else, as
    # (input, row number in its file, part of the reason).
    rejected: tuple[tuple[str, int, str], ...] = ()
    loans: Callable[[bytes], bytes] | None = None
    ledger: dict[str, Callable[[pd.DataFrame], pd.DataFrame | None]] = field(default_factory=dict)
    # Otherwise the rows rejected_rows must hold (accepted), and no other: (input, row number in its file,
    # reason).
    rejected: tuple[tuple[str, int, str], ...] = ()
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


def frame_change(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[bytes], bytes]:
    return lambda data: to_csv(
        change(pd.read_csv(pd.io.common.BytesIO(data), dtype=str, keep_default_na=False))
    )


def put_cells(frame: pd.DataFrame, *changes: tuple[int, str, str]) -> pd.DataFrame:
    """Puts one value into each given (row, column) of a table."""
    frame = frame.copy()
    for row, column, value in changes:
        frame.at[row, column] = value
    return frame


def cells(*changes: tuple[int, str, str]) -> Callable[[bytes], bytes]:
    """Puts one value into each given (row, column) of the loan file."""
    return frame_change(lambda frame: put_cells(frame, *changes))


def duplicate_first_row(frame: pd.DataFrame) -> pd.DataFrame:
    """The first row twice, at the top: the second copy (row 2) is the duplicate."""
    return pd.concat([frame.head(1), frame], ignore_index=True)


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
    Variant("empty_file", "stopped", "is missing column(s) Loan_ID", loans=lambda d: b""),
    Variant("header_only", "stopped", "has no data rows", loans=lambda d: d.split(b"\n")[0] + b"\n"),
    Variant("non_utf8_bytes", "stopped", "not utf-8", loans=lambda d: d.replace(b"BRW_7,", b"BRW_\xe97,", 1)),
    Variant("ten_megabyte_line", "accepted", "", loans=cells((3, "Borrower_ID", "B" * 10_000_000))),
    Variant(
        "a_bad_value_in_each_row",
        "accepted",
        "",
        loans=cells(
            (1, "Loan_ID", ""),
            (2, "Monthly_Income", "12k"),
            (3, "Monthly_Income", "fifty thousand"),
            (4, "Loan_Amount", "-25000"),
            (5, "Monthly_Income", "0"),
            (6, "Loan_ID", "LN_1"),
            (7, "Loan_Type", "Boat"),
            (8, "Monthly_EMI", "null"),
            (9, "Age", "NA"),  # a missing optional value: kept
            (10, "Gender", ""),  # likewise
            (11, "Age", "400"),
            (12, "Interest_Rate", "900"),
            (13, "Borrower_ID", "BRW, with commas"),  # a quoted field: kept
            (14, "Payment_History", " on time "),  # spaces around a category: kept
        ),
        rejected=(
            ("loan_recovery", 2, "missing Loan_ID"),
            ("loan_recovery", 3, "invalid value in Monthly_Income"),
            ("loan_recovery", 4, "invalid value in Monthly_Income"),
            ("loan_recovery", 5, "Loan_Amount not positive"),
            ("loan_recovery", 6, "Monthly_Income not positive"),
            ("loan_recovery", 7, "duplicate Loan_ID (row 1 kept)"),
            ("loan_recovery", 8, "invalid value in Loan_Type"),
            ("loan_recovery", 9, "missing Monthly_EMI"),
            ("loan_recovery", 12, "Age outside 18-120"),
            ("loan_recovery", 13, "Interest_Rate above 100%"),
        ),
    ),
    Variant(
        "plan_rows_out_of_order", "accepted", "", ledger={"plan": lambda f: f.sample(frac=1, random_state=1)}
    ),
    Variant(
        "a_bad_value_in_each_ledger_row",
        "accepted",
        "",
        ledger={
            "payments": lambda f: put_cells(
                f,
                (5, "paid_sum", "-5"),
                (6, "paid_at", "yesterday"),
                (7, "paid_at", "1990-01-01 10:00:00"),
                (8, "order_id", "LN_UNKNOWN"),
            ),
            "plan": duplicate_first_row,
            "orders": duplicate_first_row,
        },
        rejected=(
            ("ledger_payments", 6, "paid_sum not positive"),
            ("ledger_payments", 7, "invalid value in paid_at"),
            ("ledger_payments", 8, "paid_at before put_at"),
            ("ledger_payments", 9, "order_id not in orders"),
            ("ledger_plan", 2, "duplicate order_id and plan_at (row 1 kept)"),
            ("ledger_orders", 2, "duplicate order_id (row 1 kept)"),
        ),
    ),
    Variant(
        # its loan's plan and payments are rejected with it ("order_id not in orders")
        "closed_before_issue",
        "accepted",
        "closed_at before put_at",
        ledger={"orders": lambda f: put_cells(f, (2, "closed_at", "2001-01-01 00:00:00"))},
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
