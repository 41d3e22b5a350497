"""The simulated day: day N+1 keeps day N's rows in place and adds the day's payments, loans and closures."""

import datetime

import pandas as pd

from tests.dbt_runner import SAMPLE_LEDGER, SAMPLE_LOANS
from tools.synthetic.daily import LEDGER_TABLES, next_day, next_day_folder, read_table

DAY = datetime.date(2026, 7, 1)


def sample_day() -> list[pd.DataFrame]:
    return [read_table(SAMPLE_LOANS)] + [read_table(SAMPLE_LEDGER / f"{name}.csv") for name in LEDGER_TABLES]


def test_the_next_day_keeps_every_row_in_place_and_adds_the_days_rows():
    loans, orders, plan, payments = sample_day()
    new_loans, new_orders, new_plan, new_payments = next_day(
        loans, orders, plan, payments, DAY, seed=3, as_text=True
    )
    # Rows keep their positions; only closures edit rows already there.
    pd.testing.assert_frame_equal(new_plan.iloc[: len(plan)], plan)
    pd.testing.assert_frame_equal(new_payments.iloc[: len(payments)], payments)
    closed = (new_orders.closed_at.iloc[: len(orders)] != orders.closed_at).to_numpy()
    assert closed.sum() == round(0.001 * len(orders)) and (orders.closed_at[closed] == "").all()
    assert (new_orders.closed_at[: len(orders)][closed] == "2026-07-01 18:00:00").all()
    recovered = (new_loans.Recovery_Status.iloc[: len(loans)] != loans.Recovery_Status).to_numpy()
    assert (new_loans.Loan_ID[: len(loans)][recovered] == new_orders.order_id[: len(orders)][closed]).all()
    # The day's payments: 1% of the loans, on the day or backdated, paying open loans.
    added = new_payments.iloc[len(payments) :]
    assert len(added) == round(0.01 * len(loans))
    paid_on = pd.to_datetime(added.paid_at).dt.date
    assert ((paid_on <= DAY) & (paid_on >= DAY - datetime.timedelta(days=10))).all()
    assert added.order_id.isin(orders.order_id[orders.closed_at == ""]).all()
    # New loans: in the loan file and the orders, with a plan, fresh ids, issued on the day.
    fresh = new_loans.Loan_ID.iloc[len(loans) :]
    assert len(fresh) == round(0.001 * len(loans)) and not fresh.isin(loans.Loan_ID).any()
    assert (new_orders.order_id.iloc[len(orders) :].to_numpy() == fresh.to_numpy()).all()
    assert set(new_plan.order_id.iloc[len(plan) :]) == set(fresh)
    assert (pd.to_datetime(new_orders.put_at.iloc[len(orders) :]).dt.date == DAY).all()


def test_the_same_day_and_seed_give_the_same_files_and_days_follow_each_other(tmp_path):
    first = next_day_folder(tmp_path / "days", SAMPLE_LOANS.parent, seed=1)
    second = next_day_folder(tmp_path / "days", SAMPLE_LOANS.parent, seed=1)
    assert (first.name, second.name) == ("2026-07-01", "2026-07-02")
    again = next_day_folder(tmp_path / "again", SAMPLE_LOANS.parent, seed=1)
    for name in ["loan_recovery.csv"] + [f"ledger/{table}.csv" for table in LEDGER_TABLES]:
        assert (first / name).read_bytes() == (again / name).read_bytes()
        assert len(read_table(second / name)) >= len(read_table(first / name))
