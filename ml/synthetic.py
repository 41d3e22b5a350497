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
   Days past due are 30 per missed payment minus 0-29 days (where in the cycle we are), 0 when none is missed.
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

Loans are drawn in blocks of 10,000 from seeds spawned from the run's seed, so the same seed always gives the
same files and the first k loans do not depend on how many are drawn.
"""

import argparse
from pathlib import Path

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

BLOCK_SIZE = 10_000


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
    # The oldest unpaid instalment fell due somewhere in the last 30-day cycle.
    days_past_due = np.where(missed > 0, 30 * missed - rng.integers(0, 30, len(world)), 0)
    paid = world["months_elapsed"] - missed
    balance = remaining_balance(world["amount"], world["rate"], world["tenure"], paid)
    arrears_interest = balance * world["rate"] / 1200.0 * missed
    return world.assign(
        missed=missed,
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


def generate_loans(n_loans: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw `n_loans` loans in the public dataset's format, and the truth behind each (same row order)."""
    if n_loans < 0:
        raise ValueError(f"n_loans must be >= 0, got {n_loans}")
    n_blocks = max(1, -(-n_loans // BLOCK_SIZE))
    blocks = [_simulate_block(child) for child in np.random.SeedSequence(seed).spawn(n_blocks)]
    world = pd.concat(blocks, ignore_index=True).iloc[:n_loans]
    loans = _format_loans(world)
    return loans, _format_truth(world, loans["Loan_ID"])


def _csv_table(frame: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # Money and rates are written with exactly two decimals, as a decimal type formats them.
    for index, field in enumerate(table.schema):
        if field.name in TWO_DECIMAL_COLUMNS:
            table = table.set_column(index, field.name, table.column(index).cast(pa.decimal128(15, 2)))
    return table


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # Arrow quotes header names whatever the quoting style, so the header is written by hand.
    with path.open("wb") as sink:
        sink.write((",".join(frame.columns) + "\n").encode())
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        pa_csv.write_csv(_csv_table(frame), sink, options)


def _write_frame(frame: pd.DataFrame, directory: Path, stem: str, fmt: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}.{fmt}"
    if fmt == "csv":
        _write_csv(frame, path)
    elif fmt == "parquet":
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
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


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ml.synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, required=True, help="number of loans to draw")
    parser.add_argument("--seed", type=int, required=True, help="random seed; same seed, same files")
    parser.add_argument("--out", type=Path, required=True, help="directory for loan_recovery.<format>")
    parser.add_argument("--truth-out", type=Path, help="directory for the truth file (default: --out)")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    loans, truth = generate_loans(args.loans, args.seed)
    for path in write(loans, truth, args.out, args.truth_out, args.format):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
