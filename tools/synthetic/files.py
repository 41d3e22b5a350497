"""Writing the generated loans, truth and ledger as CSV (the public dataset's exact format) or Parquet."""

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tools.synthetic.ledger import Ledger
from tools.synthetic.loans import TWO_DECIMAL_COLUMNS

LOANS_FILE = "loan_recovery"
TRUTH_FILE = "loan_recovery_truth"
# Written as dates; the ledger's other timestamps keep their time of day.
DATE_COLUMNS = ["plan_at"]
LEDGER_MONEY_COLUMNS = ["issued_sum", "plan_sum_total", "paid_sum"]


def _arrow_table(frame: pd.DataFrame, fmt: str) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for index, field in enumerate(table.schema):
        if field.name in DATE_COLUMNS:
            table = table.set_column(index, field.name, table.column(index).cast(pa.date32()))
        # Parquet writes a huge dictionary (one entry per loan) twice as slowly as the plain strings.
        elif pa.types.is_dictionary(field.type):
            table = table.set_column(index, field.name, table.column(index).cast(pa.string()))
        # In CSV, money and rates are written with exactly two decimals, as a decimal type formats them.
        elif fmt == "csv" and field.name in TWO_DECIMAL_COLUMNS + LEDGER_MONEY_COLUMNS:
            table = table.set_column(index, field.name, table.column(index).cast(pa.decimal128(15, 2)))
    return table


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # Arrow quotes header names whatever the quoting style, so the header is written by hand.
    with path.open("wb") as sink:
        sink.write((",".join(frame.columns) + "\n").encode())
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        pa_csv.write_csv(_arrow_table(frame, "csv"), sink, options)


def _write_frame(frame: pd.DataFrame, directory: Path, stem: str, fmt: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}.{fmt}"
    if fmt == "csv":
        _write_csv(frame, path)
    elif fmt == "parquet":
        pq.write_table(_arrow_table(frame, fmt), path)
    else:
        raise ValueError(f"unknown format {fmt!r}: use csv or parquet")
    return path


def write(
    loans: pd.DataFrame,
    truth: pd.DataFrame,
    out_dir: Path,
    truth_dir: Path | None = None,
    fmt: str = "csv",
) -> tuple[Path, Path]:
    """Write `loan_recovery.<fmt>` to `out_dir`, `loan_recovery_truth.<fmt>` to `truth_dir` (or `out_dir`)."""
    loans_path = _write_frame(loans, Path(out_dir), LOANS_FILE, fmt)
    truth_path = _write_frame(truth, Path(truth_dir or out_dir), TRUTH_FILE, fmt)
    return loans_path, truth_path


def write_ledger(ledger: Ledger, directory: Path, fmt: str = "csv") -> list[Path]:
    """Write orders, plan and payments (`<name>.<fmt>`) to `directory`."""
    return [_write_frame(frame, Path(directory), name, fmt) for name, frame in ledger._asdict().items()]
