"""Realistic timing: loans resolve on their own dates, and the ledger after a loan's observation point follows
its outcome. `python -m tools.synthetic --timing realistic`; the bundled sample is drawn this way.

The snapshot mode (world.py, ledger.py) closes every resolved loan on SNAPSHOT_DATE and draws payments
independently of the outcome, so it cannot show a feature that reads the ledger past the moment the outcome
was decided. Here, as on a real book:

1. Borrowers, loan terms and stress as in world.py, but a loan is issued on day 1-27 of its month, A months
   before the snapshot's month, A uniform 1 to MAX_AGE_MONTHS.
2. Observation point: T months after issue, on day OBSERVATION_DAY of that month, where
   T = 1 + floor(U ** exp(TIMING_PER_STRESS x stress) x (tenure - W)), U uniform: stressed loans reach
   theirs sooner. W = PERFORMANCE_WINDOW_MONTHS. The outcome is decided in the W months that follow, and
   the loan closes on day OBSERVATION_DAY of month T + W. Which loans are still open depends on behaviour:
   a loan whose close would fall after SNAPSHOT_DATE is open and observed on SNAPSHOT_DATE instead.
3. Behaviour up to the observation point as world.py draws it up to the snapshot: missed payments (Poisson
   in the stress) are the latest instalments due, days past due and the outstanding amount are measured at
   the observation point, and the loan file carries those (so its Num_Missed_Payments and Days_Past_Due are
   the ledger's position at the observation point, for open and resolved loans alike).
4. Outcome: the log-odds of world.py plus two effects a linear model in the published columns cannot
   express:

       z = world.py's z + 1.0 if days past due > 90 (a threshold: the usual default definition)
                        + 2.5 x EMI / monthly income if the loan has no collateral (an interaction)

   then status and collection as in world.py.
5. Ledger after the observation point (resolved loans only): a Fully Recovered loan pays its arrears 1-10
   days later, then every instalment, and pays off the rest of its plan on the closing day; a Partially
   Recovered one pays 0 to W - 1 more instalments and settles 20-60% of the rest on the closing day; a
   Written Off one pays at most one more instalment, so it stops paying months before it closes. Before the
   observation point the ledger is drawn as in ledger.py (instalments on time, late or early, partial
   payments in arrears, prepayments), with the observation point in the place of SNAPSHOT_DATE.

So the warehouse's rule, observation date = closed_at minus W months (SNAPSHOT_DATE for open loans), gives
back each loan's observation point, and the ledger rules of ledger.py at that date give back the loan
file's Num_Missed_Payments and Days_Past_Due exactly.
"""

import numpy as np
import pandas as pd

from tools.synthetic import ledger as snapshot_ledger
from tools.synthetic import world as snapshot_world
from tools.synthetic.ledger import CLOSING_HOUR, Ledger, _at, _emi_cents, _instalments
from tools.synthetic.loans import loans_and_truth
from tools.synthetic.world import SNAPSHOT_DAY, due_dates

PERFORMANCE_WINDOW_MONTHS = 6
OBSERVATION_DAY = 28
MAX_ISSUE_DAY = OBSERVATION_DAY - 1
MAX_AGE_MONTHS = 96
TIMING_PER_STRESS = 0.7
SEVERE_DELINQUENCY_DAYS, SEVERE_DELINQUENCY_LOGIT = 90, 1.0
UNSECURED_BURDEN_LOGIT = 2.5
RECOVERED_CATCH_UP_MAX_DAYS = 10
SETTLEMENT_SHARE = (0.2, 0.6)
WRITTEN_OFF_MAX_EXTRA_INSTALMENTS = 1


def realistic_probability(monthly_income, monthly_emi, loan_amount, collateral_value, missed, days_past_due):
    """True probability of not being fully recovered in this mode: world.py's z plus the two effects above."""
    logit = snapshot_world.not_recovered_logit(
        monthly_income, monthly_emi, loan_amount, collateral_value, missed, days_past_due
    )
    logit = (
        logit
        + SEVERE_DELINQUENCY_LOGIT * (np.asarray(days_past_due) > SEVERE_DELINQUENCY_DAYS)
        + UNSECURED_BURDEN_LOGIT
        * (np.asarray(collateral_value) == 0)
        * np.asarray(monthly_emi)
        / np.asarray(monthly_income, dtype=float)
    )
    return 1.0 / (1.0 + np.exp(-logit))


def _days(world: pd.DataFrame, column: str) -> np.ndarray:
    # pandas keeps dates at a finer unit than days
    return world[column].to_numpy().astype("datetime64[D]")


def _draw_timeline(rng: np.random.Generator, world: pd.DataFrame, stress: np.ndarray) -> pd.DataFrame:
    size, tenure = len(world), world["tenure"].to_numpy()
    age = rng.integers(1, MAX_AGE_MONTHS + 1, size)
    span = np.maximum(tenure - PERFORMANCE_WINDOW_MONTHS, 1)
    to_observation = 1 + np.minimum(
        np.floor(rng.random(size) ** np.exp(TIMING_PER_STRESS * stress) * span), span - 1
    ).astype("int64")
    is_open = age < to_observation + PERFORMANCE_WINDOW_MONTHS
    observed_at_age = np.where(is_open, age, to_observation)
    observation_day = np.where(
        is_open, SNAPSHOT_DAY, due_dates(observed_at_age - age, np.full(size, OBSERVATION_DAY))
    )
    close_day = due_dates(observed_at_age + PERFORMANCE_WINDOW_MONTHS - age, np.full(size, OBSERVATION_DAY))
    return world.assign(
        # months_elapsed is the age at the snapshot, as in world.py: it places the issue date and the plan
        months_elapsed=age,
        observed_at_age=observed_at_age,
        observation_day=observation_day,
        close_day=np.where(is_open, np.datetime64("NaT", "D"), close_day),
        is_open=is_open,
        issue_day=rng.integers(1, MAX_ISSUE_DAY + 1, size),
    )


def _draw_behaviour(rng: np.random.Generator, world: pd.DataFrame, stress: np.ndarray) -> pd.DataFrame:
    observed_at_age = world["observed_at_age"].to_numpy()
    missed = snapshot_world.draw_missed_payments(rng, stress, observed_at_age)
    oldest_missed_due = due_dates(
        observed_at_age - missed + 1 - world["months_elapsed"].to_numpy(), world["issue_day"].to_numpy()
    )
    days_past_due = np.where(
        missed > 0, (_days(world, "observation_day") - oldest_missed_due).astype("int64"), 0
    )
    paid = observed_at_age - missed
    balance = snapshot_world.remaining_balance(world["amount"], world["rate"], world["tenure"], paid)
    arrears_interest = balance * world["rate"] / 1200.0 * missed
    return world.assign(
        missed=missed,
        days_past_due=days_past_due,
        history=snapshot_world._payment_history(rng, days_past_due),
        outstanding=np.round(balance + arrears_interest, 2),
    )


def _simulate_block(seed: np.random.SeedSequence) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    world = snapshot_world._draw_loans(rng, snapshot_world._draw_borrowers(rng, snapshot_world.BLOCK_SIZE))
    stress = snapshot_world.draw_stress(rng, world).to_numpy()
    world = _draw_behaviour(rng, _draw_timeline(rng, world, stress), stress)
    outcomes = snapshot_world.draw_outcomes(rng, world, realistic_probability)
    return snapshot_world._draw_collection(rng, outcomes)


def simulate(n_loans: int, seed: int) -> tuple[list[pd.DataFrame], list[np.random.SeedSequence]]:
    """Whole blocks of loans covering the first `n_loans`, and the seed of each block's ledger."""
    if n_loans < 0:
        raise ValueError(f"n_loans must be >= 0, got {n_loans}")
    block_seeds = np.random.SeedSequence(seed).spawn(max(1, -(-n_loans // snapshot_world.BLOCK_SIZE)))
    ledger_seeds = [block_seed.spawn(1)[0] for block_seed in block_seeds]
    return [_simulate_block(block_seed) for block_seed in block_seeds], ledger_seeds


def generate_loans(n_loans: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Loans and truth in this mode, as tools.synthetic.generate_loans writes them."""
    blocks, _ = simulate(n_loans, seed)
    return loans_and_truth(pd.concat(blocks, ignore_index=True).iloc[:n_loans])


def _payments_at(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    return _at(days, rng.integers(0, CLOSING_HOUR * 3600, len(days)))


def _instalment_due(world: pd.DataFrame, loan: np.ndarray, instalment: np.ndarray) -> np.ndarray:
    return due_dates(
        instalment - world["months_elapsed"].to_numpy()[loan], world["issue_day"].to_numpy()[loan]
    )


def _before_observation(rng: np.random.Generator, world: pd.DataFrame, emi_cents: np.ndarray, put_at) -> list:
    """ledger.py's payments with each loan's observation point in the place of the snapshot."""
    observation_day = _days(world, "observation_day")
    loan, instalment = _instalments(world["observed_at_age"].to_numpy() - world["missed"].to_numpy())
    timing = rng.random(len(loan))
    late = rng.integers(1, snapshot_ledger.MAX_DAYS_LATE + 1, len(loan))
    early = rng.integers(1, snapshot_ledger.MAX_DAYS_EARLY + 1, len(loan))
    shift = np.where(
        timing < snapshot_ledger.ON_TIME_SHARE,
        0,
        np.where(timing < snapshot_ledger.ON_TIME_SHARE + snapshot_ledger.LATE_SHARE, late, -early),
    )
    paid_day = np.minimum(
        _instalment_due(world, loan, instalment) + shift.astype("timedelta64[D]"), observation_day[loan]
    )
    instalments = (loan, _payments_at(rng, paid_day), emi_cents[loan])

    size, missed = len(world), world["missed"].to_numpy()
    made = (missed > 0) & (rng.random(size) < snapshot_ledger.PARTIAL_PAYMENT_SHARE)
    cents = np.rint(rng.uniform(*snapshot_ledger.PARTIAL_PAYMENT_EMIS, size) * emi_cents).astype("int64")
    oldest_missed_due = due_dates(
        world["observed_at_age"].to_numpy() - missed + 1 - world["months_elapsed"].to_numpy(),
        world["issue_day"].to_numpy(),
    )
    days_since_due = np.maximum((observation_day - oldest_missed_due).astype("int64"), 0)
    paid_day = oldest_missed_due + rng.integers(0, days_since_due + 1).astype("timedelta64[D]")
    partials = (np.flatnonzero(made).astype(np.int32), _payments_at(rng, paid_day)[made], cents[made])

    made = (missed == 0) & (rng.random(size) < snapshot_ledger.PREPAYMENT_SHARE)
    cents = np.rint(rng.uniform(*snapshot_ledger.PREPAYMENT_EMIS, size) * emi_cents).astype("int64")
    # strictly before the observation day's end, so the prepayment is seen at the observation point
    until = observation_day.astype("datetime64[s]") + np.timedelta64(CLOSING_HOUR, "h")
    paid_at = put_at + rng.integers(0, np.maximum((until - put_at).astype("int64"), 1)).astype(
        "timedelta64[s]"
    )
    prepayments = (np.flatnonzero(made).astype(np.int32), paid_at[made], cents[made])
    return [instalments, partials, prepayments]


def _after_observation(
    rng: np.random.Generator, world: pd.DataFrame, emi_cents: np.ndarray, paid_before
) -> list:
    """The resolved loans' payments between the observation point and the close, by outcome."""
    size, status = len(world), world["status"].to_numpy()
    resolved = ~world["is_open"].to_numpy()
    observation_day, close_day = _days(world, "observation_day"), _days(world, "close_day")
    missed = world["missed"].to_numpy()
    window = PERFORMANCE_WINDOW_MONTHS
    more = np.select(
        [status == 0, status == 1],
        [window, rng.integers(0, window, size)],
        rng.integers(0, WRITTEN_OFF_MAX_EXTRA_INSTALMENTS + 1, size),
    )
    more = np.where(resolved, more, 0)
    loan, extra = _instalments(more)
    due = _instalment_due(world, loan, world["observed_at_age"].to_numpy()[loan] + extra)
    paid_day = np.minimum(due + rng.integers(0, 6, len(loan)).astype("timedelta64[D]"), close_day[loan])
    instalments = (loan, _payments_at(rng, paid_day), emi_cents[loan])

    catches_up = resolved & (status == 0) & (missed > 0)
    catch_up_day = observation_day + rng.integers(1, RECOVERED_CATCH_UP_MAX_DAYS + 1, size).astype(
        "timedelta64[D]"
    )
    catch_up = (
        np.flatnonzero(catches_up).astype(np.int32),
        _payments_at(rng, catch_up_day)[catches_up],
        (missed * emi_cents)[catches_up],
    )

    plan_cents = world["tenure"].to_numpy() * emi_cents
    paid = paid_before + np.bincount(loan, emi_cents[loan], minlength=size).astype("int64")
    paid += np.where(catches_up, missed * emi_cents, 0)
    rest = np.maximum(plan_cents - paid, 0)
    share = np.where(status == 0, 1.0, np.where(status == 1, rng.uniform(*SETTLEMENT_SHARE, size), 0.0))
    final_cents = np.rint(rest * share).astype("int64")
    settles = resolved & (final_cents > 0)
    final = (
        np.flatnonzero(settles).astype(np.int32),
        _payments_at(rng, close_day)[settles],
        final_cents[settles],
    )
    return [instalments, catch_up, final]


def _draw_ledger_block(rng: np.random.Generator, world: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    orders = snapshot_ledger._draw_orders(rng, world)
    closed_at = _days(world, "close_day").astype("datetime64[s]") + np.timedelta64(CLOSING_HOUR, "h")
    orders["closed_at"] = closed_at
    emi_cents = _emi_cents(world)
    before = _before_observation(rng, world, emi_cents, orders["put_at"].to_numpy())
    paid_before = sum(np.bincount(loan, cents, minlength=len(world)) for loan, _, cents in before).astype(
        "int64"
    )
    parts = before + _after_observation(rng, world, emi_cents, paid_before)
    loan, paid_at, cents = (np.concatenate(column) for column in zip(*parts, strict=True))
    order = np.argsort((loan.astype("int64") << 32) + paid_at.astype("int64"), kind="stable")
    payments = pd.DataFrame(
        {"loan": loan[order], "paid_at": paid_at[order], "paid_sum": cents[order] / 100.0}
    )
    return orders, payments


def generate_portfolio(n_loans: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, Ledger]:
    """Loans, truth and ledger in this mode, as tools.synthetic.generate_portfolio returns them."""
    blocks, ledger_seeds = simulate(n_loans, seed)
    world = pd.concat(blocks, ignore_index=True).iloc[:n_loans]
    loans, truth = loans_and_truth(world)
    drawn = [
        _draw_ledger_block(np.random.default_rng(ledger_seed), block)
        for block, ledger_seed in zip(blocks, ledger_seeds, strict=True)
    ]
    orders, payments = (
        snapshot_ledger._stack_blocks(list(frames), n_loans) for frames in zip(*drawn, strict=True)
    )
    tables = (
        snapshot_ledger._with_order_ids(frame, loans["Loan_ID"])
        for frame in (orders, snapshot_ledger._plan(world), payments)
    )
    return loans, truth, Ledger(*tables)
