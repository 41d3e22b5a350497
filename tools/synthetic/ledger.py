"""The loans' ledger in LoanTrack360's three tables (orders, plan, payments), as of SNAPSHOT_DATE.

E is a loan's months elapsed and M its missed payments, as drawn in world.py.
orders: order_id = Loan_ID, put_at = issue day at a random time, created_at 0-96 hours earlier, closed_at
SNAPSHOT_DATE 18:00:00 for resolved loans and empty for open ones, issued_sum = Loan_Amount.
plan: one row per instalment k = 1..tenure (future ones too): plan_at = its due date, plan_sum_total =
round(k x EMI, 2), the amount due by then, which is exactly k EMIs in cents.
payments: instalments 1..E - M are paid with one payment of exactly the EMI each, on the due date (75%),
1-10 days late (20%) or 1-5 days early (5%), never after SNAPSHOT_DATE, at a random time before 18:00 (so
never after a close). The M missed instalments are unpaid, except that 30% of loans in arrears made one
partial payment of 0.1-0.9 x EMI between the oldest missed due date and SNAPSHOT_DATE. 10% of loans not in
arrears prepaid 0.5-3 x EMI once, at a random moment between put_at and SNAPSHOT_DATE 18:00 (overpaid).
So these ledger rules, at the as-of date SNAPSHOT_DATE, give back the loan file's Num_Missed_Payments and
Days_Past_Due exactly:

    paid to date        = sum of paid_sum with paid_at's date <= as-of
    missed instalments  = plan rows with plan_at <= as-of and plan_sum_total > paid to date
                          (payments cover the oldest instalments first)
    days past due       = as-of - plan_at of the oldest such row, 0 when none

Compare amounts in cents or as decimals, not as floats: a float sum of k payments of one EMI can fall a
hair below the k-th plan_sum_total.
"""

from typing import NamedTuple

import numpy as np
import pandas as pd

from tools.synthetic.loans import loans_and_truth
from tools.synthetic.world import BLOCK_SIZE, SNAPSHOT_DAY, due_dates, simulate

MAX_CREATION_LEAD_HOURS = 96
# Resolved loans close at this hour of SNAPSHOT_DATE; payments are made earlier in the day.
CLOSING_HOUR = 18
ON_TIME_SHARE, LATE_SHARE = 0.75, 0.20
MAX_DAYS_LATE, MAX_DAYS_EARLY = 10, 5
PARTIAL_PAYMENT_SHARE, PARTIAL_PAYMENT_EMIS = 0.3, (0.1, 0.9)
PREPAYMENT_SHARE, PREPAYMENT_EMIS = 0.1, (0.5, 3.0)

_CLOSED_AT = SNAPSHOT_DAY.astype("datetime64[s]") + np.timedelta64(CLOSING_HOUR, "h")
_DAY_SECONDS = 86_400


class Ledger(NamedTuple):
    """The loans' ledger in LoanTrack360's format, one frame per file; order_id is categorical."""

    orders: pd.DataFrame
    plan: pd.DataFrame
    payments: pd.DataFrame


def _at(days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def _instalments(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Instalments 1..counts[i] of each loan i, as a row per instalment: its loan and its number."""
    loan = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    first_row = np.cumsum(counts) - counts
    instalment = np.arange(1, len(loan) + 1)
    instalment -= first_row[loan]
    return loan, instalment


def _instalmentdue_dates(world: pd.DataFrame, loan: np.ndarray, instalment: np.ndarray) -> np.ndarray:
    months_after_snapshot_month = instalment - world["months_elapsed"].to_numpy()[loan]
    return due_dates(months_after_snapshot_month, world["issue_day"].to_numpy()[loan])


def _emi_cents(world: pd.DataFrame) -> np.ndarray:
    # Whole cents, so that k payments of one EMI add up to exactly the k-th cumulative amount due.
    return np.rint(world["emi"].to_numpy() * 100).astype("int64")


def _draw_orders(rng: np.random.Generator, world: pd.DataFrame) -> pd.DataFrame:
    size = len(world)
    put_day = due_dates(-world["months_elapsed"].to_numpy(), world["issue_day"].to_numpy())
    put_at = _at(put_day, rng.integers(0, _DAY_SECONDS, size))
    lead = rng.integers(0, MAX_CREATION_LEAD_HOURS * 3600, size).astype("timedelta64[s]")
    return pd.DataFrame(
        {
            "loan": np.arange(size, dtype=np.int32),
            "created_at": put_at - lead,
            "put_at": put_at,
            "closed_at": np.where(world["is_open"], np.datetime64("NaT", "s"), _CLOSED_AT),
            "issued_sum": world["amount"].to_numpy(),
        }
    )


def _plan(world: pd.DataFrame) -> pd.DataFrame:
    """Every instalment's due date and the cumulative amount due by then; it involves no chance."""
    loan, instalment = _instalments(world["tenure"].to_numpy())
    plan_at = _instalmentdue_dates(world, loan, instalment).astype("datetime64[s]")
    # Due by instalment k: k EMIs, in cents (written over the instalment numbers to spare memory).
    cumulative_cents = np.multiply(instalment, _emi_cents(world)[loan], out=instalment)
    return pd.DataFrame(
        {"loan": loan, "plan_at": plan_at, "plan_sum_total": cumulative_cents / 100.0}, copy=False
    )


def _draw_instalment_payments(rng: np.random.Generator, world: pd.DataFrame, emi_cents: np.ndarray) -> tuple:
    """One payment of exactly the EMI per paid instalment, mostly on the due day, never after the snapshot."""
    loan, instalment = _instalments(world["months_elapsed"].to_numpy() - world["missed"].to_numpy())
    due = _instalmentdue_dates(world, loan, instalment)
    timing = rng.random(len(loan))
    late = rng.integers(1, MAX_DAYS_LATE + 1, len(loan))
    early = rng.integers(1, MAX_DAYS_EARLY + 1, len(loan))
    shift = np.where(timing < ON_TIME_SHARE, 0, np.where(timing < ON_TIME_SHARE + LATE_SHARE, late, -early))
    paid_day = np.minimum(due + shift.astype("timedelta64[D]"), SNAPSHOT_DAY)
    return loan, _at(paid_day, rng.integers(0, CLOSING_HOUR * 3600, len(loan))), emi_cents[loan]


def _draw_partial_payments(rng: np.random.Generator, world: pd.DataFrame, emi_cents: np.ndarray) -> tuple:
    """Some loans in arrears paid part of their oldest missed instalment, never enough to cover it."""
    size, missed = len(world), world["missed"].to_numpy()
    made = (missed > 0) & (rng.random(size) < PARTIAL_PAYMENT_SHARE)
    cents = np.rint(rng.uniform(*PARTIAL_PAYMENT_EMIS, size) * emi_cents).astype("int64")
    oldest_missed_due = due_dates(1 - missed, world["issue_day"].to_numpy())
    days_since_due = np.maximum((SNAPSHOT_DAY - oldest_missed_due).astype("int64"), 0)
    paid_day = oldest_missed_due + rng.integers(0, days_since_due + 1).astype("timedelta64[D]")
    paid_at = _at(paid_day, rng.integers(0, CLOSING_HOUR * 3600, size))
    return np.flatnonzero(made).astype(np.int32), paid_at[made], cents[made]


def _draw_prepayments(
    rng: np.random.Generator, world: pd.DataFrame, emi_cents: np.ndarray, put_at: np.ndarray
) -> tuple:
    """Some loans not in arrears paid ahead once, so they have paid more than is due."""
    size = len(world)
    eligible = (world["missed"].to_numpy() == 0) & (world["months_elapsed"].to_numpy() >= 1)
    made = eligible & (rng.random(size) < PREPAYMENT_SHARE)
    cents = np.rint(rng.uniform(*PREPAYMENT_EMIS, size) * emi_cents).astype("int64")
    paid_at = put_at + rng.integers(0, (_CLOSED_AT - put_at).astype("int64")).astype("timedelta64[s]")
    return np.flatnonzero(made).astype(np.int32), paid_at[made], cents[made]


def _draw_payments(
    rng: np.random.Generator, world: pd.DataFrame, emi_cents: np.ndarray, put_at: np.ndarray
) -> pd.DataFrame:
    """Instalment payments, partial payments and prepayments, by loan and time."""
    parts = [
        _draw_instalment_payments(rng, world, emi_cents),
        _draw_partial_payments(rng, world, emi_cents),
        _draw_prepayments(rng, world, emi_cents, put_at),
    ]
    loan, paid_at, cents = (np.concatenate(column) for column in zip(*parts, strict=True))
    # By loan, then time (seconds since 1970 fit in 32 bits); a stable sort of these few sorted runs is fast.
    order = np.argsort((loan.astype("int64") << 32) + paid_at.astype("int64"), kind="stable")
    return pd.DataFrame({"loan": loan[order], "paid_at": paid_at[order], "paid_sum": cents[order] / 100.0})


def _draw_ledger_block(rng: np.random.Generator, world: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The orders and payments of one block of loans; `loan` numbers the block's loans from 0."""
    orders = _draw_orders(rng, world)
    return orders, _draw_payments(rng, world, _emi_cents(world), orders["put_at"].to_numpy())


def _stack_blocks(frames: list[pd.DataFrame], n_loans: int) -> pd.DataFrame:
    """The blocks' frames one after another, numbering loans across blocks, for the first `n_loans` loans."""
    loan = np.concatenate([frame["loan"].to_numpy() + i * BLOCK_SIZE for i, frame in enumerate(frames)])
    # Rows are sorted by loan, so the loans kept are a prefix.
    kept = np.searchsorted(loan, n_loans)
    stacked = {"loan": loan[:kept]}
    for name in frames[0].columns[1:]:
        stacked[name] = np.concatenate([frame[name].to_numpy() for frame in frames])[:kept]
    return pd.DataFrame(stacked, copy=False)


def _with_order_ids(frame: pd.DataFrame, loan_ids: pd.Series) -> pd.DataFrame:
    named = frame.drop(columns="loan")
    named.insert(0, "order_id", pd.Categorical.from_codes(frame["loan"], categories=pd.Index(loan_ids)))
    return named


def generate_portfolio(n_loans: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, Ledger]:
    """The loans and truth of generate_loans (identical), and the same loans' ledger as of SNAPSHOT_DATE.

    The ledger's frames are sorted by loan, then by plan_at or paid_at; order_id is a categorical whose
    categories are the Loan_IDs, which keeps tens of millions of rows small.
    """
    blocks, ledger_seeds = simulate(n_loans, seed)
    world = pd.concat(blocks, ignore_index=True).iloc[:n_loans]
    loans, truth = loans_and_truth(world)
    drawn = [
        _draw_ledger_block(np.random.default_rng(ledger_seed), block)
        for block, ledger_seed in zip(blocks, ledger_seeds, strict=True)
    ]
    orders, payments = (_stack_blocks(list(frames), n_loans) for frames in zip(*drawn, strict=True))
    tables = (_with_order_ids(frame, loans["Loan_ID"]) for frame in (orders, _plan(world), payments))
    return loans, truth, Ledger(*tables)
