"""End to end: on the realistic-timing sample no model beats the generator's truth: no feature leaks."""

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from tests.dbt_runner import REPO, query

TRUTH = REPO / "tests" / "fixtures" / "loan_recovery_truth.csv"
BOOTSTRAP_SAMPLES = 1000


def _paired_bootstrap_gaps(outcome, model, oracle, seed=0) -> np.ndarray:
    """Model AUC minus oracle AUC on resampled loans (the same loans for both)."""
    rng = np.random.default_rng(seed)
    gaps = []
    for _ in range(BOOTSTRAP_SAMPLES):
        rows = rng.integers(0, len(outcome), len(outcome))
        gaps.append(roc_auc_score(outcome[rows], model[rows]) - roc_auc_score(outcome[rows], oracle[rows]))
    return np.array(gaps)


def test_the_selected_model_does_not_beat_the_oracle_on_realistic_timing(sample_warehouse):
    scores = query(
        sample_warehouse,
        """
        select s.loan_id, s.risk_score, f.is_not_fully_recovered::int as outcome
        from risk_scores as s
        inner join loan_features as f on s.loan_id = f.loan_id
        where s.is_out_of_fold
        """,
    )
    loans = scores.merge(pd.read_csv(TRUTH), on="loan_id", validate="one_to_one")
    outcome = loans["outcome"].to_numpy()
    model, oracle = loans["risk_score"].to_numpy(), loans["true_probability_not_recovered"].to_numpy()

    gap = roc_auc_score(outcome, model) - roc_auc_score(outcome, oracle)
    low, high = np.quantile(_paired_bootstrap_gaps(outcome, model, oracle), [0.025, 0.975])
    print(f"\nOOF AUC minus oracle AUC, {len(loans)} resolved loans: {gap:+.4f} [{low:+.4f}, {high:+.4f}]")
    assert len(loans) > 1000
    # A feature that reads the ledger after the observation point shows as an AUC above the best possible.
    assert low <= 0, f"the model beats the true probability by {gap:+.4f} (95% interval above 0): a leak"


def test_resolved_loans_close_on_their_own_dates_and_their_ledger_tells_their_outcome(sample_warehouse):
    loans = query(
        sample_warehouse,
        """
        select f.observation_date, r.closed_at, r.repayment_segment, f.is_not_fully_recovered
        from loan_features as f
        inner join loan_repayment as r on f.loan_id = r.loan_id
        where not f.is_open
        """,
    )
    assert loans["closed_at"].dt.date.nunique() > 50
    # the default performance window: six months before the close
    assert (loans["closed_at"].dt.normalize() - pd.DateOffset(months=6) == loans["observation_date"]).all()
    # at the as-of date, fully recovered loans have paid off and most others are behind
    recovered = ~loans["is_not_fully_recovered"].astype(bool)
    assert (loans.loc[recovered, "repayment_segment"] != "Underpaid").all()
    assert (loans.loc[~recovered, "repayment_segment"] == "Underpaid").mean() > 0.8
