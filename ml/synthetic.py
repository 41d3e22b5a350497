"""Deterministic generator of loan data in the public dataset's 21-column format, with a known causal world.

It feeds the warehouse's seed and its tests: the true probability behind every outcome is known, so the risk
model can be scored against an oracle and the fairness checks against attributes that truly have no effect.

The causal world, in the order it is drawn:

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
7. Ledger: the same loans in LoanTrack360's three tables (see generate_portfolio), as of SNAPSHOT_DATE.
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

Loans are drawn in blocks of 10,000 from seeds spawned from the run's seed, each block's ledger from a seed
spawned from the block's, so the same seed always gives the same files, the first k loans and their ledger do
not depend on how many are drawn, and the loan file is the same whether or not the ledger is drawn.
"""

import argparse
import datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

COLUMNS = [
    "Borrower_ID",
    "Age",
    "Gender",
    "Employment_Type",
    "Monthly_Income",
    "Num_Dependents",
    "Loan_ID",
    "Loan_Amount",
    "Loan_Tenure",
    "Interest_Rate",
    "Loan_Type",
    "Collateral_Value",
    "Outstanding_Loan_Amount",
    "Monthly_EMI",
    "Payment_History",
    "Num_Missed_Payments",
    "Days_Past_Due",
    "Recovery_Status",
    "Collection_Attempts",
    "Collection_Method",
    "Legal_Action_Taken",
]
TWO_DECIMAL_COLUMNS = ["Interest_Rate", "Collateral_Value", "Outstanding_Loan_Amount", "Monthly_EMI"]
TRUTH_COLUMNS = ["loan_id", "true_probability_not_recovered", "is_open", "is_not_fully_recovered"]
LOANS_FILE = "loan_recovery"
TRUTH_FILE = "loan_recovery_truth"
# Written as dates; the ledger's other timestamps keep their time of day.
DATE_COLUMNS = ["plan_at"]
LEDGER_MONEY_COLUMNS = ["issued_sum", "plan_sum_total", "paid_sum"]

# Everything in the loan file and the ledger is as of this date.
SNAPSHOT_DATE = datetime.date(2026, 6, 30)

GENDERS = ["Male", "Female"]
EMPLOYMENT_TYPES = ["Salaried", "Self-Employed", "Business Owner"]
LOAN_TYPES = ["Personal", "Home", "Auto", "Business"]
PAYMENT_HISTORIES = ["On-Time", "Delayed", "Missed"]
RECOVERY_STATUSES = ["Fully Recovered", "Partially Recovered", "Written Off"]
COLLECTION_METHODS = ["Calls", "Legal Notice", "Debt Collectors", "Settlement Offer"]
TENURES_MONTHS = np.array([12, 24, 36, 48, 60, 72, 84])

# Shares close to the public dataset's.
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

# Ledger: every month has a day 28, so an instalment's due day never needs clamping.
MAX_ISSUE_DAY = 28
MAX_CREATION_LEAD_HOURS = 96
# Resolved loans close at this hour of SNAPSHOT_DATE; payments are made earlier in the day.
CLOSING_HOUR = 18
ON_TIME_SHARE, LATE_SHARE = 0.75, 0.20
MAX_DAYS_LATE, MAX_DAYS_EARLY = 10, 5
PARTIAL_PAYMENT_SHARE, PARTIAL_PAYMENT_EMIS = 0.3, (0.1, 0.9)
PREPAYMENT_SHARE, PREPAYMENT_EMIS = 0.1, (0.5, 3.0)

BLOCK_SIZE = 10_000

_SNAPSHOT_DAY = np.datetime64(SNAPSHOT_DATE, "D")
_SNAPSHOT_MONTH = np.datetime64(SNAPSHOT_DATE, "M")
_CLOSED_AT = _SNAPSHOT_DAY.astype("datetime64[s]") + np.timedelta64(CLOSING_HOUR, "h")
_DAY_SECONDS = 86_400


class Ledger(NamedTuple):
    """The loans' ledger in LoanTrack360's format, one frame per file; order_id is categorical."""

    orders: pd.DataFrame
    plan: pd.DataFrame
    payments: pd.DataFrame


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
    monthly_income = np.asarray(monthly_income, dtype=float)
    z = (
        INTERCEPT
        + COEFFICIENTS["log_income_vs_reference"] * np.log(monthly_income / REFERENCE_MONTHLY_INCOME)
        + COEFFICIENTS["emi_to_income"] * np.asarray(monthly_emi) / monthly_income
        + COEFFICIENTS["loan_to_annual_income"] * np.asarray(loan_amount) / (12.0 * monthly_income)
        + COEFFICIENTS["collateral_coverage"] * np.asarray(collateral_value) / np.asarray(loan_amount)
        + COEFFICIENTS["num_missed_payments"] * np.asarray(num_missed_payments)
        + COEFFICIENTS["days_past_due"] * np.asarray(days_past_due)
    )
    return 1.0 / (1.0 + np.exp(-z))


def _due_dates(months_after_snapshot_month, day) -> np.ndarray:
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


def _draw_missed_payments(rng: np.random.Generator, world: pd.DataFrame) -> np.ndarray:
    stress = (
        STRESS_WEIGHTS["log_emi_share"] * np.log(world["emi"] / world["income"] / TARGET_EMI_SHARE)
        + STRESS_WEIGHTS["log_loan_to_annual_income"] * np.log(world["amount"] / (12.0 * world["income"]))
        + STRESS_WEIGHTS["log_income_vs_reference"] * np.log(world["income"] / REFERENCE_MONTHLY_INCOME)
        + EMPLOYMENT_STRESS[world["employment"]]
        + rng.normal(0.0, STRESS_NOISE, len(world))
    )
    missed = rng.poisson(BASE_MISSED_RATE * np.exp(MISSED_RATE_PER_STRESS * stress))
    return np.minimum(missed, np.minimum(world["months_elapsed"].to_numpy(), MAX_MISSED_PAYMENTS))


def _payment_history(rng: np.random.Generator, days_past_due: np.ndarray) -> np.ndarray:
    recorded = np.where(days_past_due == 0, 0, np.where(days_past_due <= DELAYED_MAX_DAYS, 1, 2))
    # The real data's history column often disagrees with its counts; shift some labels to another value.
    misrecorded = rng.random(len(days_past_due)) < MISRECORDED_HISTORY_SHARE
    return np.where(misrecorded, (recorded + rng.integers(1, 3, len(recorded))) % 3, recorded)


def _draw_behaviour(rng: np.random.Generator, world: pd.DataFrame) -> pd.DataFrame:
    missed = _draw_missed_payments(rng, world)
    issue_day = rng.integers(1, MAX_ISSUE_DAY + 1, len(world))
    # The missed instalments are the latest ones due, so the oldest of them fell due missed - 1 months ago.
    oldest_missed_due = _due_dates(1 - missed, issue_day)
    days_past_due = np.where(missed > 0, (_SNAPSHOT_DAY - oldest_missed_due).astype("int64"), 0)
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


def _draw_outcomes(rng: np.random.Generator, world: pd.DataFrame) -> pd.DataFrame:
    probability = not_recovered_probability(
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
        is_open=rng.random(len(world)) < OPEN_SHARE,
    )


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


def _labels(values: list[str], codes) -> np.ndarray:
    return np.asarray(values, dtype=object)[np.asarray(codes)]


def _format_loans(world: pd.DataFrame) -> pd.DataFrame:
    number = np.arange(1, len(world) + 1).astype(str)
    status = np.where(world["is_open"], None, _labels(RECOVERY_STATUSES, world["status"]))
    loans = {
        "Borrower_ID": np.strings.add("BRW_", number),
        "Age": world["age"],
        "Gender": _labels(GENDERS, world["gender"]),
        "Employment_Type": _labels(EMPLOYMENT_TYPES, world["employment"]),
        "Monthly_Income": world["income"].astype("int64"),
        "Num_Dependents": world["dependents"],
        "Loan_ID": np.strings.add("LN_", number),
        "Loan_Amount": world["amount"].astype("int64"),
        "Loan_Tenure": world["tenure"],
        "Interest_Rate": world["rate"],
        "Loan_Type": _labels(LOAN_TYPES, world["loan_type"]),
        "Collateral_Value": world["collateral"],
        "Outstanding_Loan_Amount": world["outstanding"],
        "Monthly_EMI": world["emi"],
        "Payment_History": _labels(PAYMENT_HISTORIES, world["history"]),
        "Num_Missed_Payments": world["missed"],
        "Days_Past_Due": world["days_past_due"],
        "Recovery_Status": pd.Series(status, index=world.index, dtype="str"),
        "Collection_Attempts": world["attempts"],
        "Collection_Method": _labels(COLLECTION_METHODS, world["method"]),
        "Legal_Action_Taken": np.where(world["legal"], "Yes", "No"),
    }
    return pd.DataFrame(loans)


def _format_truth(world: pd.DataFrame, loan_ids: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "loan_id": loan_ids,
            "true_probability_not_recovered": np.round(world["probability"].to_numpy(), 6),
            "is_open": world["is_open"].to_numpy(),
            "is_not_fully_recovered": world["not_recovered"].to_numpy(),
        }
    )


def _at(days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def _instalments(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Instalments 1..counts[i] of each loan i, as a row per instalment: its loan and its number."""
    loan = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    first_row = np.cumsum(counts) - counts
    instalment = np.arange(1, len(loan) + 1)
    instalment -= first_row[loan]
    return loan, instalment


def _instalment_due_dates(world: pd.DataFrame, loan: np.ndarray, instalment: np.ndarray) -> np.ndarray:
    months_after_snapshot_month = instalment - world["months_elapsed"].to_numpy()[loan]
    return _due_dates(months_after_snapshot_month, world["issue_day"].to_numpy()[loan])


def _emi_cents(world: pd.DataFrame) -> np.ndarray:
    # Whole cents, so that k payments of one EMI add up to exactly the k-th cumulative amount due.
    return np.rint(world["emi"].to_numpy() * 100).astype("int64")


def _draw_orders(rng: np.random.Generator, world: pd.DataFrame) -> pd.DataFrame:
    size = len(world)
    put_day = _due_dates(-world["months_elapsed"].to_numpy(), world["issue_day"].to_numpy())
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
    plan_at = _instalment_due_dates(world, loan, instalment).astype("datetime64[s]")
    # Due by instalment k: k EMIs, in cents (written over the instalment numbers to spare memory).
    cumulative_cents = np.multiply(instalment, _emi_cents(world)[loan], out=instalment)
    return pd.DataFrame(
        {"loan": loan, "plan_at": plan_at, "plan_sum_total": cumulative_cents / 100.0}, copy=False
    )


def _draw_instalment_payments(rng: np.random.Generator, world: pd.DataFrame, emi_cents: np.ndarray) -> tuple:
    """One payment of exactly the EMI per paid instalment, mostly on the due day, never after the snapshot."""
    loan, instalment = _instalments(world["months_elapsed"].to_numpy() - world["missed"].to_numpy())
    due = _instalment_due_dates(world, loan, instalment)
    timing = rng.random(len(loan))
    late = rng.integers(1, MAX_DAYS_LATE + 1, len(loan))
    early = rng.integers(1, MAX_DAYS_EARLY + 1, len(loan))
    shift = np.where(timing < ON_TIME_SHARE, 0, np.where(timing < ON_TIME_SHARE + LATE_SHARE, late, -early))
    paid_day = np.minimum(due + shift.astype("timedelta64[D]"), _SNAPSHOT_DAY)
    return loan, _at(paid_day, rng.integers(0, CLOSING_HOUR * 3600, len(loan))), emi_cents[loan]


def _draw_partial_payments(rng: np.random.Generator, world: pd.DataFrame, emi_cents: np.ndarray) -> tuple:
    """Some loans in arrears paid part of their oldest missed instalment, never enough to cover it."""
    size, missed = len(world), world["missed"].to_numpy()
    made = (missed > 0) & (rng.random(size) < PARTIAL_PAYMENT_SHARE)
    cents = np.rint(rng.uniform(*PARTIAL_PAYMENT_EMIS, size) * emi_cents).astype("int64")
    oldest_missed_due = _due_dates(1 - missed, world["issue_day"].to_numpy())
    days_since_due = np.maximum((_SNAPSHOT_DAY - oldest_missed_due).astype("int64"), 0)
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


def _simulate(n_loans: int, seed: int) -> tuple[list[pd.DataFrame], list[np.random.SeedSequence]]:
    """Whole blocks of loans covering the first `n_loans`, and the seed of each block's ledger."""
    if n_loans < 0:
        raise ValueError(f"n_loans must be >= 0, got {n_loans}")
    n_blocks = max(1, -(-n_loans // BLOCK_SIZE))
    block_seeds = np.random.SeedSequence(seed).spawn(n_blocks)
    # Spawned before the blocks are drawn, and only read by the ledger: the loans are the same without it.
    ledger_seeds = [block_seed.spawn(1)[0] for block_seed in block_seeds]
    return [_simulate_block(block_seed) for block_seed in block_seeds], ledger_seeds


def _loans_and_truth(world: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    loans = _format_loans(world)
    return loans, _format_truth(world, loans["Loan_ID"])


def generate_loans(n_loans: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw `n_loans` loans in the public dataset's format, and the truth behind each (same row order)."""
    blocks, _ = _simulate(n_loans, seed)
    return _loans_and_truth(pd.concat(blocks, ignore_index=True).iloc[:n_loans])


def generate_portfolio(n_loans: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, Ledger]:
    """The loans and truth of generate_loans (identical), and the same loans' ledger as of SNAPSHOT_DATE.

    The ledger's frames are sorted by loan, then by plan_at or paid_at; order_id is a categorical whose
    categories are the Loan_IDs, which keeps tens of millions of rows small.
    """
    blocks, ledger_seeds = _simulate(n_loans, seed)
    world = pd.concat(blocks, ignore_index=True).iloc[:n_loans]
    loans, truth = _loans_and_truth(world)
    drawn = [
        _draw_ledger_block(np.random.default_rng(ledger_seed), block)
        for block, ledger_seed in zip(blocks, ledger_seeds, strict=True)
    ]
    orders, payments = (_stack_blocks(list(frames), n_loans) for frames in zip(*drawn, strict=True))
    tables = (_with_order_ids(frame, loans["Loan_ID"]) for frame in (orders, _plan(world), payments))
    return loans, truth, Ledger(*tables)


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


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ml.synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, required=True, help="number of loans to draw")
    parser.add_argument("--seed", type=int, required=True, help="random seed; same seed, same files")
    parser.add_argument("--out", type=Path, required=True, help="directory for loan_recovery.<format>")
    parser.add_argument("--truth-out", type=Path, help="directory for the truth file (default: --out)")
    parser.add_argument("--ledger-out", type=Path, help="directory for the ledger: orders, plan and payments")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    if args.ledger_out:
        loans, truth, ledger = generate_portfolio(args.loans, args.seed)
    else:
        (loans, truth), ledger = generate_loans(args.loans, args.seed), None
    paths = list(write(loans, truth, args.out, args.truth_out, args.format))
    if ledger is not None:
        paths += write_ledger(ledger, args.ledger_out, args.format)
    for path in paths:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
