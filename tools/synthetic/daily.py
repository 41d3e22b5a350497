"""A simulated day: day N+1's loan file and ledger from day N's (`python -m tools.synthetic next-day`).

The files are extracts: each day's holds every row of the day before, unchanged and in the same order,
followed by the rows that arrived that day, so that a row keeps its position (source_row_number). What
arrives on `day`:

- payments: one payment, at a random time of `day`, for a `payment_share` of the loans (open ones), of the
  loan's instalment (its first plan_sum_total); a `backdated_share` of them are dated 1-10 days earlier;
- new loans: `new_loan_share` x the loans, each a copy of a random open loan's borrower and terms with a
  fresh Loan_ID, issued at a random time of `day`, with monthly instalments from a month later, no payment
  yet and a clean record (nothing missed, On-Time);
- closures: a `closure_share` of the loans (open ones) are repaid and closed at 18:00 of `day`:
  orders.closed_at is set and the loan file's Recovery_Status becomes Fully Recovered (edits of rows
  already there, as an extract shows).

The same files, day and seed always give the same next day. CSV values are kept as text, exactly as written;
Parquet columns keep their types.
"""

import argparse
import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from tools.synthetic.files import LOANS_FILE
from tools.synthetic.ledger import CLOSING_HOUR
from tools.synthetic.world import SNAPSHOT_DATE

LEDGER_TABLES = ("orders", "plan", "payments")
MAX_DAYS_BACKDATED = 10
_TIMESTAMP = "%Y-%m-%d %H:%M:%S"


def read_table(path: Path) -> pd.DataFrame:
    """A CSV as text (values exactly as written, empty stays empty) or a Parquet file with its types."""
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.read_parquet(path)


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write atomically: a build reading the folder never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    if path.suffix == ".csv":
        frame.to_csv(partial, index=False)
    else:
        frame.to_parquet(partial, index=False)
    partial.replace(path)


def _like(new_rows: pd.DataFrame, existing: pd.DataFrame, as_text: bool) -> pd.DataFrame:
    """New rows in the existing frame's columns and types; as text written as the generator writes CSV."""
    out = pd.DataFrame(index=range(len(new_rows)))
    for column in existing.columns:
        values = new_rows[column] if column in new_rows else pd.Series([None] * len(new_rows))
        if as_text:
            out[column] = [_as_text(value) for value in values]
        else:
            out[column] = pd.Series(values.to_numpy(), dtype=existing[column].dtype)
    return out


def _as_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp | datetime.datetime):
        return pd.Timestamp(value).strftime(_TIMESTAMP)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def next_day(
    loans: pd.DataFrame,
    orders: pd.DataFrame,
    plan: pd.DataFrame,
    payments: pd.DataFrame,
    day: datetime.date,
    seed: int,
    payment_share: float = 0.01,
    new_loan_share: float = 0.001,
    closure_share: float = 0.001,
    backdated_share: float = 0.1,
    as_text: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Day N+1's loan file, orders, plan and payments from day N's (see the module docstring); `as_text`: the
    frames hold CSV text."""
    rng = np.random.default_rng([seed, day.toordinal()])
    start = pd.Timestamp(day)
    is_open = _text(orders["closed_at"]) == ""
    open_ids = orders.loc[is_open, "order_id"].astype(str).to_numpy()
    instalment = (
        plan.assign(order_id=plan["order_id"].astype(str))
        .groupby("order_id", sort=False)["plan_sum_total"]
        .first()
        .map(float)
    )

    paying = rng.choice(open_ids, size=min(len(open_ids), round(payment_share * len(orders))), replace=False)
    paid_day = np.where(
        rng.random(len(paying)) < backdated_share, -rng.integers(1, MAX_DAYS_BACKDATED + 1, len(paying)), 0
    )
    new_payments = pd.DataFrame(
        {
            "order_id": paying,
            "paid_at": [
                start + pd.Timedelta(days=int(d)) + pd.Timedelta(seconds=int(s))
                for d, s in zip(paid_day, rng.integers(0, CLOSING_HOUR * 3600, len(paying)), strict=True)
            ],
            "paid_sum": instalment.reindex(paying).fillna(0).round(2).to_numpy(),
        }
    )

    closing = rng.choice(open_ids, size=min(len(open_ids), round(closure_share * len(orders))), replace=False)
    orders = orders.copy()
    loans = loans.copy()
    closed_at = start + pd.Timedelta(hours=CLOSING_HOUR)
    closes = orders["order_id"].astype(str).isin(closing)
    orders.loc[closes, "closed_at"] = _like(
        pd.DataFrame({"closed_at": [closed_at]}), orders[["closed_at"]], as_text
    ).iloc[0, 0]
    loan_closes = loans["Loan_ID"].astype(str).isin(closing)
    loans.loc[loan_closes, "Recovery_Status"] = "Fully Recovered"

    new_loans, new_orders, new_plan = _new_loans(
        rng, loans, open_ids, round(new_loan_share * len(loans)), start
    )
    return (
        pd.concat([loans, _like(new_loans, loans, as_text)], ignore_index=True),
        pd.concat([orders, _like(new_orders, orders, as_text)], ignore_index=True),
        pd.concat([plan, _like(new_plan, plan, as_text)], ignore_index=True),
        pd.concat([payments, _like(new_payments, payments, as_text)], ignore_index=True),
    )


def _new_loans(
    rng: np.random.Generator, loans: pd.DataFrame, open_ids: np.ndarray, count: int, start: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """`count` new loans issued on the day: terms copied from random open loans, fresh ids, a fresh plan."""
    templates = loans[loans["Loan_ID"].astype(str).isin(open_ids)].sample(
        n=min(count, len(open_ids)), random_state=int(rng.integers(2**31)), replace=False
    )
    suffix = f"{start:%Y%m%d}"
    new_ids = [f"LN_{suffix}_{i + 1}" for i in range(len(templates))]
    new = templates.reset_index(drop=True).copy()
    new["Loan_ID"] = new_ids
    new["Borrower_ID"] = [f"BRW_{suffix}_{i + 1}" for i in range(len(templates))]
    new["Outstanding_Loan_Amount"] = new["Loan_Amount"]
    new["Payment_History"] = "On-Time"
    for column in ("Num_Missed_Payments", "Days_Past_Due", "Collection_Attempts"):
        new[column] = 0
    new["Recovery_Status"] = None
    new["Collection_Method"] = None
    new["Legal_Action_Taken"] = "No"
    issued_at = [start + pd.Timedelta(seconds=int(s)) for s in rng.integers(0, CLOSING_HOUR * 3600, len(new))]
    orders = pd.DataFrame(
        {
            "order_id": new_ids,
            "created_at": issued_at,
            "put_at": issued_at,
            "closed_at": None,
            "issued_sum": new["Loan_Amount"].map(float).to_numpy(),
        }
    )
    tenure = new["Loan_Tenure"].map(int).to_numpy()
    emi = new["Monthly_EMI"].map(float).to_numpy()
    plan = pd.DataFrame(
        [
            {
                "order_id": loan_id,
                "plan_at": (start + pd.DateOffset(months=k)).date(),
                "plan_sum_total": round(k * instalment, 2),
            }
            for loan_id, months, instalment in zip(new_ids, tenure, emi, strict=True)
            for k in range(1, months + 1)
        ],
        columns=["order_id", "plan_at", "plan_sum_total"],
    )
    return new, orders, plan


def _text(column: pd.Series) -> pd.Series:
    return column.astype(str).where(column.notna(), "").replace({"NaT": "", "None": "", "nan": ""})


def write_next_day(
    loans_path: Path, ledger_dir: Path, day: datetime.date, seed: int, out_dir: Path, **shares
) -> list[Path]:
    """Read day N's loan file and ledger, write day N+1's to `out_dir` (loan file) and `out_dir/ledger`."""
    fmt = loans_path.suffix
    tables = [read_table(loans_path)] + [read_table(ledger_dir / f"{name}{fmt}") for name in LEDGER_TABLES]
    frames = next_day(*tables, day=day, seed=seed, as_text=fmt == ".csv", **shares)
    paths = [Path(out_dir) / f"{LOANS_FILE}{fmt}"] + [
        Path(out_dir) / "ledger" / f"{n}{fmt}" for n in LEDGER_TABLES
    ]
    for frame, path in zip(frames, paths, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_table(frame, path)
    return paths


def next_day_folder(days_dir: Path, first: Path, seed: int) -> Path:
    """Write the day after the latest day folder of `days_dir` (folders named YYYY-MM-DD; the first is the day
    after SNAPSHOT_DATE, made from the files in `first`) to `days_dir/<day>`; return that folder."""
    days = sorted(path for path in Path(days_dir).glob("????-??-??") if (path / "ledger").is_dir())
    previous = days[-1] if days else Path(first)
    day = (datetime.date.fromisoformat(days[-1].name) if days else SNAPSHOT_DATE) + datetime.timedelta(days=1)
    loans_path = next(Path(previous).glob(f"{LOANS_FILE}.*"))
    out_dir = Path(days_dir) / day.isoformat()
    write_next_day(loans_path, Path(previous) / "ledger", day, seed, out_dir)
    return out_dir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tools.synthetic next-day", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--days-dir", type=Path, required=True, help="folder of the simulated days")
    parser.add_argument("--first", type=Path, default=Path("data/sample"), help="day 0's files")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(next_day_folder(args.days_dir, args.first, args.seed))
