"""Synthetic `loan_features`-like frames for the ML tests, with a known logistic truth behind the label."""

import numpy as np
import pandas as pd
import pytest

from ml.features import LABEL, RISK_FEATURES


def make_loan_features(
    n_loans: int = 2000, n_open: int = 400, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """A loan_features-like frame and each loan's true probability of not being fully recovered.

    The label of the `n_open` open loans is missing (nullable Int64, as DuckDB hands it over). The ratio
    features are drawn, not computed from the amounts: their formulas are loan_features.sql's alone, and the
    ML code takes every feature as given.
    """
    rng = np.random.default_rng(seed)
    monthly_income = rng.lognormal(np.log(60_000), 0.5, n_loans)
    loan_amount = monthly_income * rng.lognormal(np.log(12), 0.6, n_loans)
    loan_tenure_months = rng.choice([12, 24, 36, 48, 60, 84, 120], n_loans)
    interest_rate_pct = rng.uniform(6, 18, n_loans)
    monthly_rate = interest_rate_pct / 1200
    monthly_emi = loan_amount * monthly_rate / (1 - (1 + monthly_rate) ** -loan_tenure_months)
    collateral_value = loan_amount * rng.uniform(0, 1.5, n_loans)
    outstanding_loan_amount = loan_amount * rng.uniform(0.05, 1, n_loans)
    emi_to_income_ratio = rng.lognormal(np.log(0.2), 0.6, n_loans)
    # Heavier burdens lead to more missed payments, as in the source data's EDA.
    num_missed_payments = rng.poisson(0.5 + 3 * emi_to_income_ratio)
    days_past_due = np.round(num_missed_payments * 30 * rng.uniform(0.5, 1.5, n_loans))
    payment_history_rank = np.minimum(num_missed_payments, 2)
    employment = rng.choice(3, n_loans, p=[0.6, 0.25, 0.15])
    loan_type = rng.choice(4, n_loans)
    is_business_loan = (loan_type == 2).astype(int)

    logit = (
        -0.5
        + 0.7 * (num_missed_payments - num_missed_payments.mean())
        + 4 * (emi_to_income_ratio - emi_to_income_ratio.mean())
        - 0.8 * (np.log(monthly_income) - np.log(monthly_income).mean())
        + 0.6 * is_business_loan
    )
    truth = 1 / (1 + np.exp(-logit))
    label = pd.array(rng.binomial(1, truth), dtype="Int64")
    label[rng.permutation(n_loans)[:n_open]] = pd.NA

    frame = pd.DataFrame(
        {
            "loan_id": [f"L{i:05d}" for i in range(n_loans)],
            "monthly_income": monthly_income,
            "loan_amount": loan_amount,
            "loan_tenure_months": loan_tenure_months,
            "interest_rate_pct": interest_rate_pct,
            "collateral_value": collateral_value,
            "outstanding_loan_amount": outstanding_loan_amount,
            "monthly_emi": monthly_emi,
            "num_missed_payments": num_missed_payments,
            "days_past_due": days_past_due,
            "emi_to_income_ratio": emi_to_income_ratio,
            "loan_to_annual_income_ratio": rng.lognormal(np.log(1.0), 0.6, n_loans),
            "collateral_coverage_ratio": rng.uniform(0, 1.5, n_loans),
            "outstanding_share": rng.uniform(0.05, 1, n_loans),
            "payment_history_rank": payment_history_rank,
            "is_self_employed": employment == 1,
            "is_business_owner": employment == 2,
            "is_home_loan": (loan_type == 0).astype(int),
            "is_auto_loan": (loan_type == 1).astype(int),
            "is_business_loan": is_business_loan,
            LABEL: label,
        }
    )
    assert list(frame.columns[1:-1]) == RISK_FEATURES
    return frame, truth


@pytest.fixture(scope="session")
def logistic_loans() -> tuple[pd.DataFrame, np.ndarray]:
    """2,000 loans, 1,600 of them resolved, and their true probabilities."""
    return make_loan_features()
