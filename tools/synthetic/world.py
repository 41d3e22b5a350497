"""The generator's causal world: borrowers, their loans, behaviour, outcome and collection, drawn in blocks.

In the order it is drawn:

1. Borrower: age, gender and number of dependents are drawn independently and influence nothing downstream.
   Monthly income is 15,000 + 235,000 x Beta(1.5, 1.9) (median about 115,000). Employment type is drawn alone.
2. Loan: the type sets the interest-rate band and whether there is collateral (Personal loans have none; the
   others are covered 0.5 to 1.5 times). The borrower wants an instalment of 18% of income times a
   log-normal factor (sigma 0.55, at most 80% of income), which with the rate and tenure sets the amount:
   at least 50,000, and scaled back smoothly below the 2,000,000 ceiling. The EMI is the amortisation
   instalment of that amount.
3. Behaviour: a latent financial stress

       stress = 1.0 x log(EMI / income / 0.18) + 0.4 x log(loan / annual income) - 0.5 x log(income / 115,000)
                + 0.25 if self-employed, 0.35 if business owner + Normal(0, 0.5)

   drives missed payments, Poisson with mean 1.3 x exp(0.8 x stress), capped by the months elapsed and at 12.
   Everything is as of SNAPSHOT_DATE (2026-06-30). A loan was issued on day d (uniform 1-28, a day every
   month has) of the month E months before the snapshot's month, E being the months elapsed (uniform 1 to
   tenure - 1), and instalment k falls due on day d of the k-th month after issue: instalments 1..E are due by
   SNAPSHOT_DATE, instalment E + 1 is not. The M missed payments are the M latest instalments due, so days
   past due are SNAPSHOT_DATE minus the due date of instalment E - M + 1, 0 when none is missed.
   Payment history is read off days past due (0: On-Time, up to 90: Delayed, beyond: Missed), but 12% of loans
   carry another, wrongly recorded label. The outstanding amount is the amortisation balance after the
   instalments actually paid plus interest accrued on the missed ones (so a few loans in arrears owe more than
   they borrowed).
4. Outcome: the true probability that a loan is NOT fully recovered is

       p = 1 / (1 + exp(-z)),  z = -1.5
                                  - 1.00 x log(monthly income / 115,000)
                                  + 3.20 x EMI / monthly income
                                  + 0.30 x loan amount / annual income
                                  - 1.50 x collateral value / loan amount
                                  + 0.40 x missed payments
                                  + 0.013 x days past due

   computed from the published (rounded) columns, so anyone can recompute it from the CSV. The outcome is a
   Bernoulli draw from p; a loan that is not fully recovered is Written Off with probability 0.05 + 0.45 x p,
   otherwise Partially Recovered. Age, gender and dependents have no effect at all; employment type, loan
   type, tenure and rate act only through stress and the terms of z. On 100,000 loans about 40% are not fully
   recovered and p ranks the drawn outcomes with an AUC of about 0.84.
5. Open loans: 20% of loans, chosen independently of risk, are still open. They have no Recovery_Status in the
   loan file, but the truth file keeps their p and the outcome the future would reveal.
6. Collection (recorded after the outcome, so it leaks it, as in the real data): more attempts on worse
   outcomes, legal action only on half of the Written Off loans; open loans get one attempt per 30 days past
   due, Calls up to 60 days and a Settlement Offer beyond, and no legal action.
7. Ledger: the same loans' orders, plan and payments (ledger.py).

Loans are drawn in blocks of 10,000 from seeds spawned from the run's seed, each block's ledger from a seed
spawned from the block's, so the same seed always gives the same files, the first k loans and their ledger do
not depend on how many are drawn, and the loan file is the same whether or not the ledger is drawn.
"""

import datetime
from pathlib import Path

import numpy as np
import pandas as pd

# Everything in the loan file and the ledger is as of this date.
SNAPSHOT_DATE = datetime.date(2026, 6, 30)

# The categories the warehouse accepts: the seed that staging matches the loan file against.
CATEGORIES_SEED = Path(__file__).resolve().parents[2] / "seeds" / "input_categories.csv"


def accepted_categories(seed: Path = CATEGORIES_SEED) -> dict[str, list[str]]:
    """Each category column of the loan file -> its accepted values, in the seed's category_order."""
    frame = pd.read_csv(seed, dtype={"category": str}).sort_values(["source_column", "category_order"])
    return {column: list(group["category"]) for column, group in frame.groupby("source_column")}


_CATEGORIES = accepted_categories()
GENDERS = _CATEGORIES["Gender"]
EMPLOYMENT_TYPES = _CATEGORIES["Employment_Type"]
LOAN_TYPES = _CATEGORIES["Loan_Type"]
PAYMENT_HISTORIES = _CATEGORIES["Payment_History"]
RECOVERY_STATUSES = _CATEGORIES["Recovery_Status"]
COLLECTION_METHODS = _CATEGORIES["Collection_Method"]
TENURES_MONTHS = np.array([12, 24, 36, 48, 60, 72, 84])

# Shares close to the public dataset's; each list follows its categories' order in the seed.
GENDER_WEIGHTS = [0.6, 0.4]
EMPLOYMENT_WEIGHTS = [0.58, 0.31, 0.11]
LOAN_TYPE_WEIGHTS = [0.44, 0.29, 0.17, 0.10]
TENURE_WEIGHTS = [0.09, 0.12, 0.19, 0.22, 0.20, 0.12, 0.06]
# Secured, longer-lived lending is cheaper; rows follow LOAN_TYPES.
RATE_BANDS_PCT = np.array([[9.0, 16.0], [5.0, 10.0], [6.5, 12.0], [8.0, 15.0]])

MIN_INCOME, MAX_INCOME = 15_000, 250_000
MIN_LOAN, MAX_LOAN = 50_000, 2_000_000
REFERENCE_MONTHLY_INCOME = 115_000.0
TARGET_EMI_SHARE, TARGET_EMI_SPREAD = 0.18, 0.55
# Lenders will not lend beyond an instalment of this share of income.
MAX_EMI_SHARE = 0.8

# Latent stress -> missed payments.
STRESS_WEIGHTS = {"log_emi_share": 1.0, "log_loan_to_annual_income": 0.4, "log_income_vs_reference": -0.5}
EMPLOYMENT_STRESS = np.array([0.0, 0.25, 0.35])
STRESS_NOISE = 0.5
BASE_MISSED_RATE, MISSED_RATE_PER_STRESS = 1.3, 0.8
# A year of missed instalments is where the public data stops counting.
MAX_MISSED_PAYMENTS = 12
DELAYED_MAX_DAYS = 90
MISRECORDED_HISTORY_SHARE = 0.12

# The true risk formula (see the module docstring).
INTERCEPT = -1.5
COEFFICIENTS = {
    "log_income_vs_reference": -1.00,
    "emi_to_income": 3.20,
    "loan_to_annual_income": 0.30,
    "collateral_coverage": -1.50,
    "num_missed_payments": 0.40,
    "days_past_due": 0.013,
}
WRITTEN_OFF_BASE, WRITTEN_OFF_PER_PROBABILITY = 0.05, 0.45
OPEN_SHARE = 0.20

# Collection on resolved loans; rows follow RECOVERY_STATUSES. Open loans follow their own rule.
ATTEMPT_RANGES = np.array([[0, 3], [1, 10], [3, 10]])
METHOD_WEIGHTS = np.array(
    [
        [0.40, 0.10, 0.15, 0.35],
        [0.20, 0.20, 0.30, 0.30],
        [0.10, 0.35, 0.35, 0.20],
    ]
)
LEGAL_ACTION_SHARE_WRITTEN_OFF = 0.5
OPEN_CALLS_MAX_DAYS = 60
MAX_ATTEMPTS = 10

# Loans are issued on a day every month has, so an instalment's due day never needs clamping.
MAX_ISSUE_DAY = 28
BLOCK_SIZE = 10_000

SNAPSHOT_DAY = np.datetime64(SNAPSHOT_DATE, "D")
_SNAPSHOT_MONTH = np.datetime64(SNAPSHOT_DATE, "M")


def monthly_emi(principal, annual_rate_pct, tenure_months):
    """Amortisation instalment of a loan."""
    rate = np.asarray(annual_rate_pct) / 1200.0
    growth = (1.0 + rate) ** tenure_months
    return principal * rate * growth / (growth - 1.0)


def remaining_balance(principal, annual_rate_pct, tenure_months, payments_made):
    """Principal still owed after `payments_made` amortisation instalments."""
    rate = np.asarray(annual_rate_pct) / 1200.0
    growth_term = (1.0 + rate) ** tenure_months
    growth_paid = (1.0 + rate) ** payments_made
    return principal * (growth_term - growth_paid) / (growth_term - 1.0)


def not_recovered_probability(
    monthly_income, monthly_emi, loan_amount, collateral_value, num_missed_payments, days_past_due
):
    """True probability that a loan is not fully recovered: the documented logistic formula."""
    logit = not_recovered_logit(
        monthly_income, monthly_emi, loan_amount, collateral_value, num_missed_payments, days_past_due
    )
    return 1.0 / (1.0 + np.exp(-logit))


def not_recovered_logit(
    monthly_income, monthly_emi, loan_amount, collateral_value, num_missed_payments, days_past_due
):
    """The log-odds z of not_recovered_probability."""
    monthly_income = np.asarray(monthly_income, dtype=float)
    return (
        INTERCEPT
        + COEFFICIENTS["log_income_vs_reference"] * np.log(monthly_income / REFERENCE_MONTHLY_INCOME)
        + COEFFICIENTS["emi_to_income"] * np.asarray(monthly_emi) / monthly_income
        + COEFFICIENTS["loan_to_annual_income"] * np.asarray(loan_amount) / (12.0 * monthly_income)
        + COEFFICIENTS["collateral_coverage"] * np.asarray(collateral_value) / np.asarray(loan_amount)
        + COEFFICIENTS["num_missed_payments"] * np.asarray(num_missed_payments)
        + COEFFICIENTS["days_past_due"] * np.asarray(days_past_due)
    )


def due_dates(months_after_snapshot_month, day) -> np.ndarray:
    """Day `day` of the month that lies the given number of months after SNAPSHOT_DATE's month."""
    months = _SNAPSHOT_MONTH + np.asarray(months_after_snapshot_month).astype("timedelta64[M]")
    # In place: the ledger's plan runs this on tens of millions of rows.
    dates = months.astype("datetime64[D]")
    dates += np.asarray(day).astype("timedelta64[D]")
    dates -= np.timedelta64(1, "D")
    return dates


def _soft_cap(wanted, ceiling: float, sharpness: float = 4.0):
    """Scale large wishes back smoothly below the ceiling, so amounts do not pile up on the ceiling itself."""
    return wanted / (1.0 + (wanted / ceiling) ** sharpness) ** (1.0 / sharpness)


def _draw_borrowers(rng: np.random.Generator, size: int) -> pd.DataFrame:
    income = MIN_INCOME + (MAX_INCOME - MIN_INCOME) * rng.beta(1.5, 1.9, size)
    return pd.DataFrame(
        {
            "age": rng.integers(21, 65, size),
            "gender": rng.choice(len(GENDERS), size, p=GENDER_WEIGHTS),
            "employment": rng.choice(len(EMPLOYMENT_TYPES), size, p=EMPLOYMENT_WEIGHTS),
            "income": np.rint(income),
            "dependents": rng.integers(0, 4, size),
        }
    )


def _draw_loans(rng: np.random.Generator, world: pd.DataFrame) -> pd.DataFrame:
    size = len(world)
    loan_type = rng.choice(len(LOAN_TYPES), size, p=LOAN_TYPE_WEIGHTS)
    tenure = rng.choice(TENURES_MONTHS, size, p=TENURE_WEIGHTS)
    band = RATE_BANDS_PCT[loan_type]
    rate = np.round(rng.uniform(band[:, 0], band[:, 1]), 2)
    # Borrowers size a loan by the instalment they think they can afford, which ties amounts to income.
    emi_share = np.minimum(TARGET_EMI_SHARE * rng.lognormal(0.0, TARGET_EMI_SPREAD, size), MAX_EMI_SHARE)
    wanted_emi = world["income"] * emi_share
    amount = np.rint(np.maximum(_soft_cap(wanted_emi / monthly_emi(1.0, rate, tenure), MAX_LOAN), MIN_LOAN))
    coverage = np.where(loan_type == 0, 0.0, rng.uniform(0.5, 1.5, size))
    return world.assign(
        loan_type=loan_type,
        tenure=tenure,
        rate=rate,
        amount=amount,
        emi=np.round(monthly_emi(amount, rate, tenure), 2),
        collateral=np.round(amount * coverage, 2),
        months_elapsed=rng.integers(1, tenure),
    )


def draw_stress(rng: np.random.Generator, world: pd.DataFrame) -> pd.Series:
    """The borrower's latent financial stress (see the module docstring)."""
    return (
        STRESS_WEIGHTS["log_emi_share"] * np.log(world["emi"] / world["income"] / TARGET_EMI_SHARE)
        + STRESS_WEIGHTS["log_loan_to_annual_income"] * np.log(world["amount"] / (12.0 * world["income"]))
        + STRESS_WEIGHTS["log_income_vs_reference"] * np.log(world["income"] / REFERENCE_MONTHLY_INCOME)
        + EMPLOYMENT_STRESS[world["employment"]]
        + rng.normal(0.0, STRESS_NOISE, len(world))
    )


def draw_missed_payments(rng: np.random.Generator, stress, months_due) -> np.ndarray:
    """Missed payments: Poisson in the stress, capped by the instalments due and at MAX_MISSED_PAYMENTS."""
    missed = rng.poisson(BASE_MISSED_RATE * np.exp(MISSED_RATE_PER_STRESS * stress))
    return np.minimum(missed, np.minimum(np.asarray(months_due), MAX_MISSED_PAYMENTS))


def _draw_missed_payments(rng: np.random.Generator, world: pd.DataFrame) -> np.ndarray:
    return draw_missed_payments(rng, draw_stress(rng, world), world["months_elapsed"].to_numpy())


def _payment_history(rng: np.random.Generator, days_past_due: np.ndarray) -> np.ndarray:
    recorded = np.where(days_past_due == 0, 0, np.where(days_past_due <= DELAYED_MAX_DAYS, 1, 2))
    # The real data's history column often disagrees with its counts; shift some labels to another value.
    misrecorded = rng.random(len(days_past_due)) < MISRECORDED_HISTORY_SHARE
    return np.where(misrecorded, (recorded + rng.integers(1, 3, len(recorded))) % 3, recorded)


def _draw_behaviour(rng: np.random.Generator, world: pd.DataFrame) -> pd.DataFrame:
    missed = _draw_missed_payments(rng, world)
    issue_day = rng.integers(1, MAX_ISSUE_DAY + 1, len(world))
    # The missed instalments are the latest ones due, so the oldest of them fell due missed - 1 months ago.
    oldest_missed_due = due_dates(1 - missed, issue_day)
    days_past_due = np.where(missed > 0, (SNAPSHOT_DAY - oldest_missed_due).astype("int64"), 0)
    paid = world["months_elapsed"] - missed
    balance = remaining_balance(world["amount"], world["rate"], world["tenure"], paid)
    arrears_interest = balance * world["rate"] / 1200.0 * missed
    return world.assign(
        missed=missed,
        issue_day=issue_day,
        days_past_due=days_past_due,
        history=_payment_history(rng, days_past_due),
        outstanding=np.round(balance + arrears_interest, 2),
    )


def draw_outcomes(rng: np.random.Generator, world: pd.DataFrame, probability_of) -> pd.DataFrame:
    """Each loan's outcome drawn from its true probability of not being recovered, `probability_of` the
    world's columns income, emi, amount, collateral, missed and days_past_due."""
    probability = probability_of(
        world["income"],
        world["emi"],
        world["amount"],
        world["collateral"],
        world["missed"],
        world["days_past_due"],
    )
    not_recovered = rng.random(len(world)) < probability
    written_off = rng.random(len(world)) < WRITTEN_OFF_BASE + WRITTEN_OFF_PER_PROBABILITY * probability
    return world.assign(
        probability=probability,
        not_recovered=not_recovered,
        status=np.where(not_recovered, np.where(written_off, 2, 1), 0),
    )


def _draw_outcomes(rng: np.random.Generator, world: pd.DataFrame) -> pd.DataFrame:
    outcomes = draw_outcomes(rng, world, not_recovered_probability)
    return outcomes.assign(is_open=rng.random(len(world)) < OPEN_SHARE)


def _draw_collection(rng: np.random.Generator, world: pd.DataFrame) -> pd.DataFrame:
    status = world["status"].to_numpy()
    is_open = world["is_open"].to_numpy()
    days_past_due = world["days_past_due"].to_numpy()
    attempts_range = ATTEMPT_RANGES[status]
    resolved_attempts = rng.integers(attempts_range[:, 0], attempts_range[:, 1] + 1)
    cumulative = METHOD_WEIGHTS.cumsum(axis=1)[status]
    resolved_method = (rng.random(len(world))[:, None] > cumulative[:, :-1]).sum(axis=1)
    legal = (status == 2) & (rng.random(len(world)) < LEGAL_ACTION_SHARE_WRITTEN_OFF)
    # An open loan's collectors have only called or offered terms so far, about once per month overdue.
    open_attempts = np.minimum(-(-days_past_due // 30), MAX_ATTEMPTS)
    open_method = np.where(days_past_due <= OPEN_CALLS_MAX_DAYS, 0, 3)
    return world.assign(
        attempts=np.where(is_open, open_attempts, resolved_attempts),
        method=np.where(is_open, open_method, resolved_method),
        legal=legal & ~is_open,
    )


def _simulate_block(seed: np.random.SeedSequence) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    world = _draw_borrowers(rng, BLOCK_SIZE)
    for step in (_draw_loans, _draw_behaviour, _draw_outcomes, _draw_collection):
        world = step(rng, world)
    return world


def simulate(n_loans: int, seed: int) -> tuple[list[pd.DataFrame], list[np.random.SeedSequence]]:
    """Whole blocks of loans covering the first `n_loans`, and the seed of each block's ledger."""
    if n_loans < 0:
        raise ValueError(f"n_loans must be >= 0, got {n_loans}")
    n_blocks = max(1, -(-n_loans // BLOCK_SIZE))
    block_seeds = np.random.SeedSequence(seed).spawn(n_blocks)
    # Spawned before the blocks are drawn, and only read by the ledger: the loans are the same without it.
    ledger_seeds = [block_seed.spawn(1)[0] for block_seed in block_seeds]
    return [_simulate_block(block_seed) for block_seed in block_seeds], ledger_seeds
