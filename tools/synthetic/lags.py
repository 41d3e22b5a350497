"""Outcome-dependent closing lags: a book whose loans close when their outcome says, as on a real ledger.
`python -m tools.synthetic --timing lagged`; it feeds the point-in-time leak test (docs/point-in-time.md).

realistic mode (timing.py) closes every resolved loan exactly PERFORMANCE_WINDOW_MONTHS after its decision
point, whatever the outcome, so a warehouse that places the observation point by the closing date agrees with
it. Here a loan's life is a monthly process, and the closing date follows from how the loan ended:

1. Borrowers and loan terms as in world.py; a loan is issued on day 1-28 of the month A months before the
   snapshot's month, A uniform 1 to MAX_AGE_MONTHS; instalment k falls due that day of the k-th month after.
2. Before each instalment a current loan starts to default with a constant monthly hazard h, where the
   lifetime probability 1 - (1 - h) ** tenure is world.py's p (no missed payments yet) with the latent stress
   added to its log-odds; otherwise it is paid off early with hazard EARLY_PAYOFF_HAZARD (the rest of the plan
   on that instalment's due date). Neither comes back: a loan that started to default is not fully recovered.
3. Payments thin out before a default: the first THINNING_INSTALMENTS instalments of a default are paid in
   part (THINNING_SHARE of the EMI), later ones not at all.
4. Closing, by outcome: a loan that pays every instalment closes on its last payment, an early payoff on the
   payoff; a default is charged off CHARGE_OFF_DAYS_PAST_DUE days (uniform) after its oldest unpaid instalment
   fell due, and a Partially Recovered one (PARTIALLY_RECOVERED_SHARE of the defaults) settles
   SETTLEMENT_SHARE of the rest that day. A loan whose close falls after SNAPSHOT_DATE is open; the ledger
   stops at SNAPSHOT_DATE.
5. The loan file is an undated snapshot: an open loan's missed payments, days past due and outstanding amount
   as of SNAPSHOT_DATE, a resolved loan's as it closed (so for a resolved loan they tell the outcome).

The truth file adds each loan's hazard and the instalment at which it started to default (null when it did
not), so that `probability_not_recovered_at` gives the true probability at any observation point: the best
any model can do with what was known then.
"""

import numpy as np
import pandas as pd

from tools.synthetic import world as snapshot_world
from tools.synthetic.ledger import (
    CLOSING_HOUR,
    Ledger,
    _at,
    _draw_orders,
    _emi_cents,
    _plan,
    _stack_blocks,
    _with_order_ids,
)
from tools.synthetic.loans import loans_and_truth
from tools.synthetic.world import SNAPSHOT_DAY, due_dates

MAX_AGE_MONTHS = 96
LATENT_LOGIT_SPREAD = 0.8
EARLY_PAYOFF_HAZARD = 0.01
# two partial payments never add up to one EMI: the oldest unpaid instalment is the first of a default
THINNING_INSTALMENTS, THINNING_SHARE = 2, (0.2, 0.45)
CHARGE_OFF_DAYS_PAST_DUE = (120, 240)
PARTIALLY_RECOVERED_SHARE, SETTLEMENT_SHARE = 0.35, (0.2, 0.6)
MAX_DAYS_LATE, MAX_DAYS_EARLY = 5, 3
LATENT_COLUMNS = ["monthly_default_hazard", "default_instalment"]


def probability_not_recovered_at(hazard, tenure, instalments_due, default_instalment) -> np.ndarray:
    """True probability that a loan is not fully recovered once `instalments_due` instalments have fallen due:
    1 when it has started to default by then, else the chance that the default hazard strikes before an early
    payoff in the instalments left."""
    hazard, default_instalment = np.asarray(hazard, float), np.asarray(default_instalment, float)
    remaining = np.maximum(np.asarray(tenure) - np.asarray(instalments_due), 0)
    survive = (1.0 - hazard) * (1.0 - EARLY_PAYOFF_HAZARD)
    ahead = hazard * (1.0 - survive**remaining) / (1.0 - survive)
    defaulted = default_instalment <= np.asarray(instalments_due)
    return np.where(defaulted, 1.0, ahead)


def _draw_life(rng: np.random.Generator, world: pd.DataFrame) -> pd.DataFrame:
    size, tenure = len(world), world["tenure"].to_numpy()
    stress_logit = LATENT_LOGIT_SPREAD * snapshot_world.draw_stress(rng, world).to_numpy()
    lifetime = 1.0 / (
        1.0
        + np.exp(
            -snapshot_world.not_recovered_logit(
                world["income"], world["emi"], world["amount"], world["collateral"], 0, 0
            )
            - stress_logit
        )
    )
    hazard = 1.0 - (1.0 - lifetime) ** (1.0 / tenure)
    # the first instalment at which each competing event strikes (geometric), beyond the tenure when never
    default_at = rng.geometric(hazard)
    payoff_at = rng.geometric(EARLY_PAYOFF_HAZARD, size)
    defaults = default_at <= np.minimum(tenure, payoff_at)
    return world.assign(
        months_elapsed=rng.integers(1, MAX_AGE_MONTHS + 1, size),
        issue_day=rng.integers(1, 29, size),
        hazard=hazard,
        probability=probability_not_recovered_at(hazard, tenure, 0, np.inf),
        default_at=np.where(defaults, default_at, 0),
        last_instalment=np.where(defaults, tenure, np.minimum(payoff_at, tenure)),
        not_recovered=defaults,
    )


def instalments_due_by(world: pd.DataFrame, day: np.ndarray) -> np.ndarray:
    """How many of each loan's instalments fall due on or before `day`."""
    months = (day.astype("datetime64[M]") - np.datetime64(snapshot_world.SNAPSHOT_DATE, "M")).astype(
        "int64"
    ) + world["months_elapsed"].to_numpy()
    in_month = _due(world, np.arange(len(world)), months) <= day
    return np.clip(months - ~in_month, 0, world["tenure"].to_numpy())


def _due(world: pd.DataFrame, loan: np.ndarray, instalment: np.ndarray) -> np.ndarray:
    return due_dates(
        instalment - world["months_elapsed"].to_numpy()[loan], world["issue_day"].to_numpy()[loan]
    )


def _draw_payments(rng: np.random.Generator, world: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Every payment up to the close (also after SNAPSHOT_DATE), and each loan's closing day."""
    size, tenure = len(world), world["tenure"].to_numpy()
    default_at, last = world["default_at"].to_numpy(), world["last_instalment"].to_numpy()
    emi_cents = _emi_cents(world)
    paid_count = np.where(default_at > 0, np.minimum(default_at - 1 + THINNING_INSTALMENTS, tenure), last)
    loan = np.repeat(np.arange(size, dtype=np.int32), paid_count)
    instalment = np.arange(len(loan)) - np.repeat(np.cumsum(paid_count) - paid_count, paid_count) + 1
    due = _due(world, loan, instalment)
    shift = rng.integers(-MAX_DAYS_EARLY, MAX_DAYS_LATE + 1, len(loan)).astype("timedelta64[D]")
    paid_day = due + np.where(rng.random(len(loan)) < 0.75, np.timedelta64(0, "D"), shift)
    thinning = (default_at[loan] > 0) & (instalment >= default_at[loan])
    cents = np.where(
        thinning,
        np.rint(rng.uniform(*THINNING_SHARE, len(loan)) * emi_cents[loan]).astype("int64"),
        emi_cents[loan],
    )
    # an early payoff pays the rest of the plan with its last instalment
    payoff = (default_at[loan] == 0) & (instalment == last[loan]) & (last[loan] < tenure[loan])
    cents = cents + np.where(payoff, (tenure[loan] - instalment) * emi_cents[loan], 0)

    oldest_unpaid = _due(world, np.arange(size), np.maximum(default_at, 1))
    charge_off = oldest_unpaid + rng.integers(*CHARGE_OFF_DAYS_PAST_DUE, size, endpoint=True).astype(
        "timedelta64[D]"
    )
    last_paid = np.full(size, np.datetime64("NaT", "D"))
    np.maximum.at(last_paid.view("int64"), loan, paid_day.astype("datetime64[D]").view("int64"))
    close_day = np.where(default_at > 0, charge_off, last_paid)
    settles = (default_at > 0) & (rng.random(size) < PARTIALLY_RECOVERED_SHARE)
    rest = tenure * emi_cents - np.bincount(loan, cents, minlength=size).astype("int64")
    settlement = np.rint(rng.uniform(*SETTLEMENT_SHARE, size) * np.maximum(rest, 0)).astype("int64")
    settled = np.flatnonzero(settles & (settlement > 0))
    loan = np.concatenate([loan, settled.astype(np.int32)])
    paid_day = np.concatenate([paid_day, close_day[settled]])
    cents = np.concatenate([cents, settlement[settled]])
    frame = pd.DataFrame({"loan": loan, "paid_day": paid_day, "cents": cents})
    return frame, close_day, np.where(default_at > 0, np.where(settles, 1, 2), 0)


def _snapshot_columns(world: pd.DataFrame, payments: pd.DataFrame, close_day: np.ndarray) -> pd.DataFrame:
    """The loan file's undated columns: at SNAPSHOT_DATE for an open loan, as it closed for a resolved one."""
    size = len(world)
    is_open = close_day > SNAPSHOT_DAY
    seen = np.where(is_open, SNAPSHOT_DAY, close_day)
    counted = payments["paid_day"].to_numpy() <= seen[payments["loan"].to_numpy()]
    paid = np.bincount(payments["loan"][counted], payments["cents"][counted], minlength=size)
    emi_cents = _emi_cents(world)
    default_at = world["default_at"].to_numpy()
    due_count = instalments_due_by(world, seen)
    missed = np.where(default_at > 0, np.maximum(due_count - default_at + 1, 0), 0)
    oldest_unpaid = _due(world, np.arange(size), np.maximum(default_at, 1))
    days_past_due = np.where(missed > 0, (seen - oldest_unpaid).astype("int64"), 0)
    owed = world["tenure"].to_numpy() * emi_cents - paid
    return world.assign(
        is_open=is_open,
        missed=missed,
        days_past_due=days_past_due,
        outstanding=np.round(np.maximum(owed, 0) / 100.0, 2),
    )


def _simulate_block(seed: np.random.SeedSequence) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    world = snapshot_world._draw_loans(rng, snapshot_world._draw_borrowers(rng, snapshot_world.BLOCK_SIZE))
    world = _draw_life(rng, world)
    payments, close_day, status = _draw_payments(rng, world)
    world = _snapshot_columns(world.assign(status=status), payments, close_day)
    world = world.assign(history=snapshot_world._payment_history(rng, world["days_past_due"].to_numpy()))
    world = snapshot_world._draw_collection(rng, world)
    return world, payments[payments["paid_day"] <= SNAPSHOT_DAY], close_day


def _truth(world: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    return truth.assign(
        monthly_default_hazard=world["hazard"].to_numpy(),
        default_instalment=world["default_at"].replace(0, np.nan).to_numpy(),
    )


def _ledger_block(rng: np.random.Generator, world, payments, close_day) -> tuple[pd.DataFrame, pd.DataFrame]:
    orders = _draw_orders(rng, world)
    closed_at = close_day.astype("datetime64[s]") + np.timedelta64(CLOSING_HOUR, "h")
    orders["closed_at"] = np.where(world["is_open"].to_numpy(), np.datetime64("NaT", "s"), closed_at)
    paid_at = _at(payments["paid_day"].to_numpy(), rng.integers(0, CLOSING_HOUR * 3600, len(payments)))
    loan = payments["loan"].to_numpy()
    order = np.argsort((loan.astype("int64") << 32) + paid_at.astype("int64"), kind="stable")
    return orders, pd.DataFrame(
        {
            "loan": loan[order],
            "paid_at": paid_at[order],
            "paid_sum": payments["cents"].to_numpy()[order] / 100.0,
        }
    )


def _simulate(n_loans: int, seed: int):
    if n_loans < 0:
        raise ValueError(f"n_loans must be >= 0, got {n_loans}")
    block_seeds = np.random.SeedSequence(seed).spawn(max(1, -(-n_loans // snapshot_world.BLOCK_SIZE)))
    return [_simulate_block(block_seed) for block_seed in block_seeds], block_seeds


def generate_loans(n_loans: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Loans and truth (with LATENT_COLUMNS) in this mode."""
    blocks, _ = _simulate(n_loans, seed)
    world = pd.concat([block[0] for block in blocks], ignore_index=True).iloc[:n_loans]
    loans, truth = loans_and_truth(world)
    return loans, _truth(world, truth)


def generate_portfolio(n_loans: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, Ledger]:
    """Loans, truth (with LATENT_COLUMNS) and ledger in this mode."""
    blocks, block_seeds = _simulate(n_loans, seed)
    world = pd.concat([block[0] for block in blocks], ignore_index=True).iloc[:n_loans]
    loans, truth = loans_and_truth(world)
    drawn = [
        _ledger_block(np.random.default_rng(block_seed.spawn(1)[0]), *block)
        for block, block_seed in zip(blocks, block_seeds, strict=True)
    ]
    orders, payments = (_stack_blocks(list(frames), n_loans) for frames in zip(*drawn, strict=True))
    tables = (_with_order_ids(frame, loans["Loan_ID"]) for frame in (orders, _plan(world), payments))
    return loans, _truth(world, truth), Ledger(*tables)
