"""End to end, on a book whose loans close when their outcome says (tools/synthetic/lags.py): no model beats
the true probability at its observation point, and moving closing dates by outcome moves no observation point.

A warehouse that placed the observation point by the closing date (closed_at minus six months) beat the true
probability there by +0.046 AUC on this book; docs/point-in-time.md.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from tests.dbt_runner import WAREHOUSE, query, run_dbt_build
from tools.synthetic import lags
from tools.synthetic.files import write, write_ledger

pytestmark = pytest.mark.slow

LOANS, SEED = 5000, 3
AS_OF = pd.Timestamp("2026-06-30 18:00:00")
BOOTSTRAP_SAMPLES = 500
# How far a write-off's close moves later, and a full recovery's earlier, in the second build.
CLOSE_SHIFT = pd.Timedelta(days=120)
OUT_OF_FOLD_SQL = """
    select
        s.loan_id, s.risk_score, f.observation_date, f.loan_tenure_months,
        cast(f.is_not_fully_recovered as int) as outcome,
        (select count(*) from intermediate.int_ledger_plan_validated as p
         where p.loan_id = f.loan_id and p.due_on <= f.observation_date) as instalments_due
    from risk_scores as s
    inner join loan_features as f on s.loan_id = f.loan_id
    where s.is_out_of_fold
"""


# What OUT_OF_FOLD_SQL reads, and what they are built from.
SCORED_MODELS = ["+risk_scores", "+loan_features", "+int_ledger_plan_validated"]


def _build(workdir, loans, truth, ledger, select: list[str] | None = None) -> pd.DataFrame:
    """The book built (the `select`ed models only, if given), its out-of-fold scores beside the truth."""
    write(loans, truth, workdir / "data")
    write_ledger(ledger, workdir / "data" / "ledger")
    # Paths relative to the build's folder: both builds have the same vars, so the second reuses the first's
    # parse of the project (tests/dbt_runner.py).
    dbt_vars = {"loan_recovery_path": "data/loan_recovery.csv", "ledger_path": "data/ledger"}
    result = run_dbt_build(workdir, dbt_vars, select)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    database = workdir / WAREHOUSE
    scored = query(database, OUT_OF_FOLD_SQL).merge(truth, on="loan_id", validate="one_to_one")
    oracle = lags.probability_not_recovered_at(
        scored["monthly_default_hazard"],
        scored["loan_tenure_months"],
        scored["instalments_due"],
        scored["default_instalment"].fillna(np.inf),
    )
    return scored.assign(oracle=oracle)


@pytest.fixture(scope="module")
def lagged_book():
    return lags.generate_portfolio(LOANS, SEED)


@pytest.fixture(scope="module")
def as_recorded(lagged_book, tmp_path_factory) -> pd.DataFrame:
    return _build(tmp_path_factory.mktemp("lagged"), *lagged_book)


@pytest.fixture(scope="module")
def closes_moved_by_outcome(lagged_book, tmp_path_factory) -> pd.DataFrame:
    """The same book, each write-off closed later (never after the as-of date), each full recovery earlier.

    Only the scores and what they are built from (SCORED_MODELS), with their data tests: the marts below them
    and their tests ran on this book in `as_recorded`, whose rows differ from these only in closing dates."""
    loans, truth, ledger = lagged_book
    status = ledger.orders["order_id"].astype(str).map(loans.set_index("Loan_ID")["Recovery_Status"])
    closed_at, put_at = ledger.orders["closed_at"], ledger.orders["put_at"]
    later = (closed_at + CLOSE_SHIFT).clip(upper=AS_OF)
    earlier = (closed_at - CLOSE_SHIFT).where(lambda moved: moved > put_at, put_at)
    moved = closed_at.mask(status == "Written Off", later).mask(status == "Fully Recovered", earlier)
    ledger = ledger._replace(orders=ledger.orders.assign(closed_at=moved))
    return _build(tmp_path_factory.mktemp("moved"), loans, truth, ledger, SCORED_MODELS)


def _paired_gap(scored: pd.DataFrame, seed=0) -> tuple[float, float, float]:
    """Model AUC minus true-probability AUC, with a 95% interval over loans resampled for both at once."""
    rng = np.random.default_rng(seed)
    outcome, model, oracle = (scored[column].to_numpy() for column in ("outcome", "risk_score", "oracle"))
    gaps = []
    for _ in range(BOOTSTRAP_SAMPLES):
        rows = rng.integers(0, len(outcome), len(outcome))
        gaps.append(roc_auc_score(outcome[rows], model[rows]) - roc_auc_score(outcome[rows], oracle[rows]))
    low, high = np.quantile(gaps, [0.025, 0.975])
    return roc_auc_score(outcome, model) - roc_auc_score(outcome, oracle), low, high


def test_no_model_beats_the_true_probability_at_its_observation_point(as_recorded):
    gap, low, high = _paired_gap(as_recorded)
    print(
        f"\nout-of-fold AUC {roc_auc_score(as_recorded.outcome, as_recorded.risk_score):.4f}, minus the true "
        f"probability's: {gap:+.4f} [{low:+.4f}, {high:+.4f}] on {len(as_recorded)} loans"
    )
    assert len(as_recorded) > 2500
    # Only a feature read after the observation point, or a point placed by the outcome, lifts it above 0.
    assert gap <= 0, f"the model beats the true probability by {gap:+.4f} [{low:+.4f}, {high:+.4f}]: a leak"


def test_closing_dates_moved_by_outcome_move_no_observation_point_nor_the_auc(
    as_recorded, closes_moved_by_outcome
):
    both = as_recorded.merge(closes_moved_by_outcome, on="loan_id", suffixes=("", "_moved"))
    assert len(both) > 0.9 * len(as_recorded)
    assert (both["observation_date"] == both["observation_date_moved"]).all()
    aucs = {}
    for name, scored in (("as recorded", as_recorded), ("moved", closes_moved_by_outcome)):
        aucs[name] = roc_auc_score(scored.outcome, scored.risk_score)
        oracle = roc_auc_score(scored.outcome, scored.oracle)
        print(f"\n{name}: out-of-fold AUC {aucs[name]:.4f}, true probability {oracle:.4f}")
        assert aucs[name] <= oracle
    assert abs(aucs["as recorded"] - aucs["moved"]) < 0.01
