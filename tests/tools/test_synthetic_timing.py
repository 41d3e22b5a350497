"""Tests of the generator's realistic timing: resolved loans close on their own dates, the ledger after the
observation point follows the outcome, and the truth is recomputable from the published columns."""

import numpy as np
import pandas as pd
import pytest

from tools.synthetic import SNAPSHOT_DATE, timing

WINDOW = pd.DateOffset(months=timing.PERFORMANCE_WINDOW_MONTHS)


@pytest.fixture(scope="module")
def portfolio():
    loans, truth, ledger = timing.generate_portfolio(10_000, 3)
    orders = ledger.orders.assign(order_id=ledger.orders["order_id"].astype(str)).set_index("order_id")
    payments = ledger.payments.assign(order_id=ledger.payments["order_id"].astype(str))
    return loans.set_index("Loan_ID"), truth.set_index("loan_id"), orders, payments


def _paid(payments: pd.DataFrame, after: pd.Series, loan_ids) -> pd.Series:
    """Sum paid by each loan strictly after its own date `after`."""
    later = payments[payments["paid_at"].dt.normalize() > payments["order_id"].map(after)]
    return later.groupby("order_id")["paid_sum"].sum().reindex(loan_ids, fill_value=0)


def test_resolved_loans_close_on_their_own_dates_and_open_loans_are_still_running(portfolio):
    loans, truth, orders, _ = portfolio
    resolved = loans["Recovery_Status"].notna()
    closed_at = orders["closed_at"].reindex(loans.index)
    assert closed_at[resolved].notna().all() and closed_at[~resolved].isna().all()
    assert closed_at[resolved].dt.normalize().nunique() > 50
    assert (closed_at[resolved] <= pd.Timestamp(SNAPSHOT_DATE) + pd.Timedelta(hours=18)).all()
    assert 0.15 < (~resolved).mean() < 0.4


def test_which_loans_are_open_depends_on_behaviour(portfolio):
    loans, truth, _, _ = portfolio
    is_open = loans["Recovery_Status"].isna()
    # stressed borrowers reach their observation point sooner, so fewer of their loans are still open
    assert (
        loans.loc[is_open, "Num_Missed_Payments"].mean() < loans.loc[~is_open, "Num_Missed_Payments"].mean()
    )
    assert truth.loc[is_open, "true_probability_not_recovered"].mean() < (
        truth.loc[~is_open, "true_probability_not_recovered"].mean() - 0.02
    )


def test_written_off_loans_stop_paying_and_recovered_loans_pay_off(portfolio):
    loans, _, orders, payments = portfolio
    closed = orders["closed_at"].dropna().dt.normalize()
    observed = closed - WINDOW
    resolved_ids = closed.index
    status = loans.loc[resolved_ids, "Recovery_Status"]
    # months before the close: nothing paid after the observation point's first month
    silent_from = observed + pd.DateOffset(months=2)
    paid_late = _paid(payments, silent_from, resolved_ids)
    assert (paid_late[status == "Written Off"] == 0).all()
    assert (paid_late[status == "Fully Recovered"] > 0).all()
    total = payments.groupby("order_id")["paid_sum"].sum()
    emi, tenure = loans["Monthly_EMI"], loans["Loan_Tenure"]
    recovered = status.index[status == "Fully Recovered"]
    assert (total[recovered] >= (emi * tenure)[recovered] - 0.01 * tenure[recovered]).all()


def test_the_truth_is_recomputable_and_not_linear_in_the_published_columns(portfolio):
    loans, truth, _, _ = portfolio
    recomputed = timing.realistic_probability(
        loans["Monthly_Income"],
        loans["Monthly_EMI"],
        loans["Loan_Amount"],
        loans["Collateral_Value"],
        loans["Num_Missed_Payments"],
        loans["Days_Past_Due"],
    )
    np.testing.assert_allclose(recomputed, truth["true_probability_not_recovered"], atol=1e-6)
    # the snapshot mode's log-odds are linear in these columns; the threshold and the interaction are not
    columns = np.column_stack(
        [
            np.ones(len(loans)),
            np.log(loans["Monthly_Income"]),
            loans["Monthly_EMI"] / loans["Monthly_Income"],
            loans["Loan_Amount"] / loans["Monthly_Income"],
            loans["Collateral_Value"] / loans["Loan_Amount"],
            loans["Num_Missed_Payments"],
            loans["Days_Past_Due"],
        ]
    )
    probability = truth["true_probability_not_recovered"].clip(1e-6, 1 - 1e-6)
    logit = np.log(probability / (1 - probability)).to_numpy()
    residual = logit - columns @ np.linalg.lstsq(columns, logit, rcond=None)[0]
    assert residual.std() > 0.2
