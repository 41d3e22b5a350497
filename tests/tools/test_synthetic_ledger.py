"""Tests of the generator's ledger: orders, plan and payments agree with the loan file to the cent."""

import numpy as np
import pandas as pd

from tools.synthetic import SNAPSHOT_DATE, generate_portfolio, write_ledger
from tools.synthetic.ledger import MAX_DAYS_EARLY, MAX_DAYS_LATE


def _cents(amounts: pd.Series) -> pd.Series:
    return (amounts * 100).round().astype("int64")


def _paid_to_date_cents(payments: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    paid = payments[payments["paid_at"].dt.normalize() <= as_of]
    return _cents(paid["paid_sum"]).groupby(paid["order_id"]).sum()


def _position_from_ledger(ledger: dict[str, pd.DataFrame], loan_ids: pd.Series) -> pd.DataFrame:
    """Missed instalments and days past due of each loan at SNAPSHOT_DATE, by the ledger rules alone."""
    as_of = pd.Timestamp(SNAPSHOT_DATE)
    due = ledger["plan"][ledger["plan"]["plan_at"] <= as_of]
    paid = due["order_id"].map(_paid_to_date_cents(ledger["payments"], as_of)).fillna(0)
    uncovered = due[_cents(due["plan_sum_total"]) > paid]
    by_loan = uncovered.groupby("order_id")["plan_at"]
    position = pd.DataFrame({"missed": by_loan.size(), "days_past_due": (as_of - by_loan.min()).dt.days})
    return position.reindex(loan_ids, fill_value=0)


def test_ledger_gives_back_missed_payments_and_days_past_due(loans, ledger):
    position = _position_from_ledger(ledger, loans["Loan_ID"])
    assert (position["missed"].to_numpy() == loans["Num_Missed_Payments"].to_numpy()).all()
    assert (position["days_past_due"].to_numpy() == loans["Days_Past_Due"].to_numpy()).all()
    assert (loans["Num_Missed_Payments"] > 0).mean() > 0.3


def test_ledger_check_notices_a_lost_payment(loans, ledger):
    # One instalment payment fewer for a loan that is up to date puts it one instalment in arrears.
    up_to_date = ledger["payments"]["order_id"].map(loans.set_index("Loan_ID")["Num_Missed_Payments"]) == 0
    lost = ledger["payments"][up_to_date].index[0]
    damaged = {**ledger, "payments": ledger["payments"].drop(index=lost)}
    position = _position_from_ledger(damaged, loans["Loan_ID"])
    differs = position["missed"].to_numpy() != loans["Num_Missed_Payments"].to_numpy()
    assert position.index[differs].tolist() == [ledger["payments"].loc[lost, "order_id"]]


def test_cumulative_plan_is_exactly_k_instalments_in_cents(loans, ledger):
    plan = ledger["plan"]
    emi = plan["order_id"].map(loans.set_index("Loan_ID")["Monthly_EMI"])
    instalment = plan.groupby("order_id").cumcount() + 1
    assert (_cents(plan["plan_sum_total"]) == instalment * _cents(emi)).all()
    # A float running sum of the same EMIs falls a hair short of the amount due on some rows: hence cents.
    assert (emi.groupby(plan["order_id"]).cumsum() < plan["plan_sum_total"]).any()


def test_orders_are_the_loans(loans, ledger):
    orders = ledger["orders"]
    assert orders["order_id"].tolist() == loans["Loan_ID"].tolist()
    assert (orders["issued_sum"] == loans["Loan_Amount"]).all()
    assert set(ledger["plan"]["order_id"]) == set(orders["order_id"])
    assert set(ledger["payments"]["order_id"]) <= set(orders["order_id"])


def test_orders_dates(loans, ledger):
    orders = ledger["orders"]
    lead = orders["put_at"] - orders["created_at"]
    assert lead.between(pd.Timedelta(0), pd.Timedelta(hours=96)).all()
    is_open = loans["Recovery_Status"].isna()
    assert (orders["closed_at"].isna() == is_open).all()
    assert (orders.loc[~is_open, "closed_at"] == pd.Timestamp(SNAPSHOT_DATE) + pd.Timedelta(hours=18)).all()
    assert (orders["put_at"] < pd.Timestamp(SNAPSHOT_DATE) - pd.Timedelta(days=27)).all()


def test_plan_is_the_full_monthly_schedule(loans, ledger):
    plan = ledger["plan"]
    by_loan = plan.groupby("order_id", sort=False)
    assert (by_loan.size().reindex(loans["Loan_ID"]).to_numpy() == loans["Loan_Tenure"].to_numpy()).all()
    assert (by_loan["plan_sum_total"].diff().dropna() > 0).all()
    # Due monthly on the day the loan was put (a day every month has), the first a month after it.
    put_at = plan["order_id"].map(ledger["orders"].set_index("order_id")["put_at"])
    months_after_put = plan["plan_at"].dt.to_period("M") - put_at.dt.to_period("M")
    assert ((months_after_put.map(lambda offset: offset.n)) == by_loan.cumcount() + 1).all()
    assert (plan["plan_at"].dt.day == put_at.dt.day).all()
    assert plan["plan_at"].dt.day.between(1, 28).all()
    # Some instalments are due by the snapshot date and at least one is still to come.
    due = (plan["plan_at"] <= pd.Timestamp(SNAPSHOT_DATE)).groupby(plan["order_id"], sort=False).sum()
    assert (due > 0).all()
    assert (due.reindex(loans["Loan_ID"]).to_numpy() < loans["Loan_Tenure"].to_numpy()).all()


def test_payments_are_positive_and_none_after_the_snapshot_or_a_close(ledger):
    payments = ledger["payments"]
    assert (payments["paid_sum"] > 0).all()
    assert (payments["paid_at"].dt.normalize() <= pd.Timestamp(SNAPSHOT_DATE)).all()
    assert (payments["paid_at"] < pd.Timestamp(SNAPSHOT_DATE) + pd.Timedelta(hours=18)).all()
    put_at = payments["order_id"].map(ledger["orders"].set_index("order_id")["put_at"])
    assert (payments["paid_at"] >= put_at).all()
    assert payments.groupby("order_id")["paid_at"].is_monotonic_increasing.all()


def test_instalments_are_paid_mostly_on_the_due_day(loans, ledger):
    emi = ledger["payments"]["order_id"].map(loans.set_index("Loan_ID")["Monthly_EMI"])
    instalments = ledger["payments"][ledger["payments"]["paid_sum"] == emi]
    number = instalments.groupby("order_id").cumcount() + 1
    due = ledger["plan"].assign(k=ledger["plan"].groupby("order_id").cumcount() + 1)
    matched = instalments.assign(k=number).merge(due, on=["order_id", "k"], validate="one_to_one")
    delay = (matched["paid_at"].dt.normalize() - matched["plan_at"]).dt.days
    assert delay.between(-MAX_DAYS_EARLY, MAX_DAYS_LATE).all()
    assert 0.72 <= (delay == 0).mean() <= 0.80
    assert 0.03 <= (delay < 0).mean() <= 0.07


def test_some_loans_overpaid_and_some_partly_paid(loans, ledger):
    as_of = pd.Timestamp(SNAPSHOT_DATE)
    plan = ledger["plan"]
    due = _cents(plan[plan["plan_at"] <= as_of].groupby("order_id")["plan_sum_total"].max())
    paid = _paid_to_date_cents(ledger["payments"], as_of).reindex(due.index, fill_value=0)
    by_loan = loans.set_index("Loan_ID")
    up_to_date = by_loan["Num_Missed_Payments"].reindex(due.index) == 0
    overpaid = paid > due
    assert not (overpaid & ~up_to_date).any()
    assert 0.07 <= overpaid[up_to_date].mean() <= 0.13
    partly_paid = paid % _cents(by_loan["Monthly_EMI"]).reindex(due.index) != 0
    assert 0.25 <= partly_paid[~up_to_date].mean() <= 0.35


def test_ledger_csv_format(ledger_dir):
    patterns = {
        "orders": r"LN_\d+,(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,){2}(\d{4}-\d\d-\d\d 18:00:00)?,\d+\.00",
        "plan": r"LN_\d+,\d{4}-\d\d-\d\d,\d+\.\d\d",
        "payments": r"LN_\d+,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+\.\d\d",
    }
    headers = {
        "orders": "order_id,created_at,put_at,closed_at,issued_sum",
        "plan": "order_id,plan_at,plan_sum_total",
        "payments": "order_id,paid_at,paid_sum",
    }
    for name, pattern in patterns.items():
        text = (ledger_dir / f"{name}.csv").read_bytes()
        assert b"\r" not in text and text.endswith(b"\n")
        header, *rows = text.decode().splitlines()
        assert header == headers[name]
        assert pd.Series(rows).str.fullmatch(pattern).all(), name


def test_ledger_parquet_reads_back_as_the_generated_frames(tmp_path):
    _, _, ledger = generate_portfolio(200, 5)
    for path, frame in zip(write_ledger(ledger, tmp_path, fmt="parquet"), ledger, strict=True):
        read = pd.read_parquet(path)
        assert read["order_id"].tolist() == frame["order_id"].astype(str).tolist()
        for column in frame.columns[1:]:
            expected = frame[column].to_numpy()
            if column == "plan_at":
                expected = expected.astype("datetime64[D]").astype(object)
            np.testing.assert_array_equal(read[column].to_numpy(), expected, err_msg=f"{path.name}: {column}")


def test_same_seed_gives_identical_ledger_files(tmp_path):
    first = write_ledger(generate_portfolio(300, 1)[2], tmp_path / "a")
    second = write_ledger(generate_portfolio(300, 1)[2], tmp_path / "b")
    assert [path.read_bytes() for path in first] == [path.read_bytes() for path in second]
    assert [path.name for path in first] == ["orders.csv", "plan.csv", "payments.csv"]
