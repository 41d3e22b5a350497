"""A resample of the public loan file: rows drawn with replacement, fresh ids, money amounts jittered."""

from pathlib import Path

import numpy as np
import pandas as pd

# The money columns of the loan file; every other column is copied as it is written in the public file.
MONEY_COLUMNS = [
    "Monthly_Income",
    "Loan_Amount",
    "Collateral_Value",
    "Outstanding_Loan_Amount",
    "Monthly_EMI",
]
# Each money amount is multiplied by its own factor drawn uniformly from [1 - JITTER, 1 + JITTER].
JITTER = 0.10
ID_COLUMNS = {"Loan_ID": "LN_", "Borrower_ID": "BRW_"}


def resample(public: pd.DataFrame, loans: int, seed: int) -> pd.DataFrame:
    """`loans` rows of `public` drawn with replacement; Loan_ID and Borrower_ID numbered afresh from 1 (one
    borrower per loan), each money amount jittered by a uniform factor within +/-JITTER, rounded to the cent.

    `public` is read as text (see read_public), so the other columns keep their exact spelling.
    """
    missing = [column for column in [*MONEY_COLUMNS, *ID_COLUMNS] if column not in public.columns]
    if missing:
        raise ValueError(f"the loan file has no column {', '.join(missing)}")
    if public.empty:
        raise ValueError("the loan file has no rows to resample")
    rng = np.random.default_rng(seed)
    drawn = public.iloc[rng.integers(0, len(public), size=loans)].reset_index(drop=True)
    numbers = pd.Series(np.arange(1, loans + 1)).astype(str)
    for column, prefix in ID_COLUMNS.items():
        drawn[column] = prefix + numbers
    factors = rng.uniform(1 - JITTER, 1 + JITTER, size=(loans, len(MONEY_COLUMNS)))
    for position, column in enumerate(MONEY_COLUMNS):
        try:
            amounts = pd.to_numeric(drawn[column], errors="raise")
        except ValueError as error:
            raise ValueError(f"the loan file's column {column} is not numeric: {error}") from error
        drawn[column] = (amounts * factors[:, position]).round(2)
    return drawn


def read_public(path: Path) -> pd.DataFrame:
    """The public loan file (LF or CRLF line endings), every column as text."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_resample(public_csv: Path, loans: int, seed: int, out: Path) -> None:
    """Write a resample of `public_csv` of `loans` rows to `out`: a loan CSV with the public file's header."""
    out.parent.mkdir(parents=True, exist_ok=True)
    resample(read_public(public_csv), loans, seed).to_csv(out, index=False)
