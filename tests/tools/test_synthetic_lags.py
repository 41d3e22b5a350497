"""The lagged-closing generator: closing dates follow the outcome and vary, payments thin out before a
default, and the true probability at an observation point uses only what was decided by then."""

import numpy as np
import pandas as pd
import pytest

from tools.synthetic import lags
from tools.synthetic.world import SNAPSHOT_DATE

SNAPSHOT = pd.Timestamp(SNAPSHOT_DATE)


@pytest.fixture(scope="module")
def book():
    loans, truth, ledger = lags.generate_portfolio(3000, 11)
    orders = ledger.orders.assign(order_id=ledger.orders["order_id"].astype(str))
    payments = ledger.payments.assign(order_id=ledger.payments["order_id"].astype(str))
    plan = ledger.plan.assign(order_id=ledger.plan["order_id"].astype(str))
    status = loans.set_index("Loan_ID")["Recovery_Status"]
    resolved = orders.dropna(subset=["closed_at"]).assign(status=lambda frame: frame["order_id"].map(status))
    return loans, truth.set_index("loan_id"), resolved, payments, plan


def test_defaults_are_charged_off_120_to_240_days_past_due_and_recoveries_on_their_last_payment(book):
    _, truth, resolved, payments, plan = book
    last_paid = payments.groupby("order_id")["paid_at"].max().dt.normalize()
    recovered = resolved[resolved["status"] == "Fully Recovered"]
    assert (recovered["closed_at"].dt.normalize() == recovered["order_id"].map(last_paid)).all()

    defaulted = resolved[resolved["status"] != "Fully Recovered"].set_index("order_id")
    first_unpaid = truth.loc[defaulted.index, "default_instalment"].astype(int)
    due = plan.assign(k=plan.groupby("order_id").cumcount() + 1).set_index(["order_id", "k"])["plan_at"]
    oldest_unpaid_due = due.loc[list(zip(defaulted.index, first_unpaid, strict=True))].to_numpy()
    days_past_due = (defaulted["closed_at"].dt.normalize().to_numpy() - oldest_unpaid_due) / np.timedelta64(
        1, "D"
    )
    assert days_past_due.min() >= 120 and days_past_due.max() <= 240
    # the lag varies, so the close says more than the outcome's date
    assert np.std(days_past_due) > 20


def test_early_payoffs_close_before_the_plan_ends(book):
    loans, _, resolved, _, plan = book
    last_due = plan.groupby("order_id")["plan_at"].max()
    recovered = resolved[resolved["status"] == "Fully Recovered"]
    early = recovered["closed_at"] < recovered["order_id"].map(last_due) - pd.Timedelta(days=40)
    assert 0.05 < early.mean() < 0.8


def test_payments_thin_out_before_a_default(book):
    loans, truth, resolved, payments, _ = book
    emi = loans.set_index("Loan_ID")["Monthly_EMI"]
    defaulted = truth.index[truth["default_instalment"].notna()]
    closed_on = payments["order_id"].map(resolved.set_index("order_id")["closed_at"].dt.normalize())
    # a settlement is paid on the closing day, after the thinning
    paid = payments[payments["order_id"].isin(defaulted) & ~(payments["paid_at"].dt.normalize() == closed_on)]
    partial = paid["paid_sum"] < 0.5 * paid["order_id"].map(emi)
    # each default made its two thinning payments, unless the snapshot came first
    assert partial.groupby(paid["order_id"]).sum().between(0, 2).all()
    assert partial.sum() > 1.5 * len(resolved[resolved["status"] != "Fully Recovered"])
    assert (payments["paid_at"] <= SNAPSHOT + pd.Timedelta(days=1)).all()


def test_the_true_probability_is_one_once_a_default_started_and_the_hazard_ahead_before():
    hazard, tenure = np.array([0.02, 0.02, 0.02, 0.02]), np.array([24, 24, 24, 24])
    due, started = np.array([5, 10, 10, 24]), np.array([10, 10, np.inf, np.inf])
    probability = lags.probability_not_recovered_at(hazard, tenure, due, started)
    assert probability[0] < 1 and probability[1] == 1
    survive = 0.98 * (1 - lags.EARLY_PAYOFF_HAZARD)
    assert probability[2] == pytest.approx(sum(0.02 * survive**k for k in range(14)))
    assert probability[3] == 0
