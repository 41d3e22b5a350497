"""Fit rarely, score daily: when a build refits, and which loans it scores with the saved model."""

import pandas as pd
import pytest

from ml.drift import PSI_COLUMNS
from ml.features import LABEL
from ml.model_store import save_model
from ml.refit_policy import (
    FITTED,
    SAVED_MODEL,
    RefitPolicy,
    drift_refit_reason,
    refit_reason,
    scores_for_build,
)
from ml.risk import fit_risk_models

NOW = pd.Timestamp("2026-07-01 06:00", tz="UTC")
FAST = {"n_estimators": 30}


def stability(*indexes: float) -> pd.DataFrame:
    rows = [("r", f"v{i}", index, 10, 100, 100) for i, index in enumerate(indexes)]
    return pd.DataFrame(rows, columns=PSI_COLUMNS)


@pytest.mark.parametrize(
    ("policy", "fitted_at", "reason"),
    [
        (RefitPolicy(refit_risk_model=True), NOW, "refit asked"),
        (RefitPolicy(), None, "no saved model in use"),
        (RefitPolicy(risk_model_max_age_days=30), NOW - pd.Timedelta(days=30.5), "30.5 days old, above 30"),
        (RefitPolicy(risk_model_max_age_days=30), NOW - pd.Timedelta(days=29.5), None),
    ],
)
def test_a_refit_is_due_when_asked_without_a_model_or_when_the_model_is_too_old(policy, fitted_at, reason):
    found = refit_reason(policy, fitted_at, NOW)
    assert found is None if reason is None else reason in found


def test_a_refit_is_due_when_a_population_stability_index_is_above_the_threshold():
    assert drift_refit_reason(RefitPolicy(max_population_stability_index=0.2), stability(0.05, 0.2)) is None
    assert "v1 0.210, above 0.2" in drift_refit_reason(RefitPolicy(), stability(0.05, 0.21))
    assert drift_refit_reason(RefitPolicy(), stability()) is None


def test_a_gap_already_there_when_the_model_was_fitted_does_not_call_for_a_refit():
    shifted = stability(0.05, 0.3)
    assert drift_refit_reason(RefitPolicy(), shifted, at_fit={"v0": 0.01, "v1": 0.25}) is None
    assert "v1 0.300" in drift_refit_reason(RefitPolicy(), shifted, at_fit={"v0": 0.01, "v1": 0.15})
    assert "v1 0.300" in drift_refit_reason(RefitPolicy(), shifted, at_fit={"v1": None})
    # A structural gap on one variable does not hide a new shift of another.
    both = stability(0.4, 0.3)
    assert "v0 0.400" in drift_refit_reason(RefitPolicy(), both, at_fit={"v0": 0.1, "v1": 0.25})


@pytest.fixture
def saved(logistic_loans, tmp_path):
    features, _ = logistic_loans
    [(fitted, scores)] = fit_risk_models(features, algorithms=("logistic_regression",), **FAST)
    fitted.summary["fitted_at"] = NOW - pd.Timedelta(days=1)
    save_model(fitted, tmp_path)
    previous = scores.assign(is_selected=True)
    return features, fitted, previous, tmp_path


def test_a_daily_build_scores_only_the_changed_loans_with_the_model_in_use(saved):
    features, fitted, previous, risk_model_dir = saved
    changed = pd.Index(features["loan_id"].iloc[:7])
    rows = scores_for_build(
        features,
        fit=lambda _: pytest.fail("refitted"),
        policy=RefitPolicy(),
        risk_model_dir=risk_model_dir,
        now=NOW,
        changed_ids=changed,
        previous=previous,
        previous_run_ids=frozenset({fitted.run_id}),
    )
    assert sorted(rows["loan_id"]) == sorted(changed)
    assert (rows["run_id"] == fitted.run_id).all()
    assert rows["scoring_decision"].str.startswith(f"{SAVED_MODEL}: saved model 1.0 days old").all()


def test_the_model_in_use_rescores_every_loan_when_the_table_holds_other_runs(saved):
    features, fitted, previous, risk_model_dir = saved
    rows = scores_for_build(
        features,
        fit=lambda _: pytest.fail("refitted"),
        policy=RefitPolicy(),
        risk_model_dir=risk_model_dir,
        now=NOW,
        changed_ids=pd.Index(features["loan_id"].iloc[:1]),
        previous=previous,
        previous_run_ids=frozenset({fitted.run_id, "another"}),
    )
    assert len(rows) == len(features) and (rows["run_id"] == fitted.run_id).all()


@pytest.mark.parametrize(
    ("policy", "incremental", "why"),
    [
        (RefitPolicy(refit_risk_model=True), True, "refit asked"),
        (RefitPolicy(risk_model_max_age_days=0.5), True, "days old"),
        (RefitPolicy(), False, "no saved model in use"),
    ],
)
def test_a_build_refits_every_loan_when_the_policy_says_so(saved, policy, incremental, why):
    features, fitted, previous, risk_model_dir = saved
    runs = frozenset({fitted.run_id})
    state = {"changed_ids": pd.Index([]), "previous": previous, "previous_run_ids": runs}
    rows = scores_for_build(
        features,
        fit=lambda loans: previous.iloc[: len(loans)].assign(run_id="refitted"),
        policy=policy,
        risk_model_dir=risk_model_dir,
        now=NOW,
        **(state if incremental else {}),
    )
    assert len(rows) == len(features) and (rows["run_id"] == "refitted").all()
    assert rows["scoring_decision"].str.startswith(f"{FITTED}: ").all()
    assert rows["scoring_decision"].str.contains(why).all()


def test_a_build_refits_when_the_book_shifted_since_the_fit(saved):
    features, fitted, previous, risk_model_dir = saved
    is_open = features[LABEL].isna()
    shifted = features.assign(monthly_income=features["monthly_income"].where(~is_open, 0.0))

    def build(book):
        return scores_for_build(
            book,
            fit=lambda loans: previous.iloc[: len(loans)].assign(run_id="refitted"),
            policy=RefitPolicy(),
            risk_model_dir=risk_model_dir,
            now=NOW,
            changed_ids=pd.Index(book.loc[is_open, "loan_id"]),
            previous=previous,
            previous_run_ids=frozenset({fitted.run_id}),
        )

    assert build(features)["scoring_decision"].str.startswith(SAVED_MODEL).all()
    refitted = build(shifted)
    assert (refitted["run_id"] == "refitted").all()
    assert refitted["scoring_decision"].str.contains("population stability of monthly_income").all()
