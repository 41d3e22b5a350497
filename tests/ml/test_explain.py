"""Permutation importance and reason codes: they name the features that truly move the score."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ml.explain import (
    REASON_COUNT,
    ForestPaths,
    explain_scores,
    feature_importance,
    permutation_importance,
)
from ml.frames import in_loan_order
from ml.risk import fit_risk_models

FEATURES = ["driver", "helper", "noise", "lowering"]


def linear_model():
    """A fitted-model stand-in whose score is a logistic function of the features, typical loan at 0."""
    weights = np.array([2.0, 0.5, 0.0, -1.0])

    def predict(x, n_jobs=-1):
        return 1 / (1 + np.exp(-(x @ weights)))

    return SimpleNamespace(
        run_id="r1",
        algorithm="test",
        feature_names=FEATURES,
        typical_values=np.zeros(4),
        predict=predict,
        feature_matrix=lambda frame: frame[FEATURES].to_numpy(dtype=float),
    )


def test_shuffling_the_feature_the_outcome_depends_on_costs_the_most_auc():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3_000, 4))
    y = (x[:, 0] + 0.3 * rng.normal(size=3_000) > 0).astype(int)
    model = linear_model()

    importance = permutation_importance(model.predict, x, y, FEATURES, repeats=2, max_rows=1_000, seed=1)

    drops = importance.set_index("feature")["auc_drop"]
    assert drops.idxmax() == "driver" and drops["driver"] > 0.2
    assert drops["noise"] == pytest.approx(0, abs=1e-12), "a feature the model ignores costs nothing"
    assert (importance["n_rows"] == 1_000).all()
    single_class = permutation_importance(model.predict, x, np.zeros(3_000), FEATURES)
    assert single_class["auc_drop"].isna().all()


def test_feature_importance_ranks_the_mean_drop_over_folds():
    per_fold = pd.DataFrame(
        {
            "feature": ["a", "b", "a", "b"],
            "auc_drop": [0.1, 0.3, 0.2, 0.1],
            "n_rows": [50, 50, 40, 40],
            "fold": [0, 0, 1, 1],
        }
    )
    fitted = SimpleNamespace(run_id="r1", algorithm="test", importance=per_fold)

    table = feature_importance([fitted]).set_index("feature")

    assert table.loc["b", "importance_rank"] == 1 and table.loc["a", "importance_rank"] == 2
    assert table.loc["a", "mean_auc_drop"] == pytest.approx(0.15)
    assert (table["n_folds"] == 2).all() and (table["n_rows"] == 90).all()


def test_reasons_are_the_features_that_raise_the_score_most_with_their_contributions():
    model = linear_model()
    loans = pd.DataFrame(
        {
            "loan_id": ["L2", "L1", "L3"],
            "driver": [1.0, 0.0, 0.0],
            "helper": [1.0, 0.0, 0.0],
            "noise": [5.0, 0.0, 0.0],
            "lowering": [0.5, 0.0, -2.0],
        }
    )

    reasons = explain_scores(model, loans).set_index("loan_id")

    assert reasons.index.tolist() == ["L1", "L2", "L3"]
    score = model.predict(np.array([[1.0, 1.0, 5.0, 0.5]]))[0]
    without_driver = model.predict(np.array([[0.0, 1.0, 5.0, 0.5]]))[0]
    without_helper = model.predict(np.array([[1.0, 0.0, 5.0, 0.5]]))[0]
    without_lowering = model.predict(np.array([[1.0, 1.0, 5.0, 0.0]]))[0]
    base = model.predict(np.zeros((1, 4)))[0]
    # what the one-at-a-time differences leave unexplained is shared equally among the four features
    share = (
        score - base - (score - without_driver) - (score - without_helper) - (score - without_lowering)
    ) / 4
    assert reasons.loc["L2", ["reason_1", "reason_2"]].tolist() == ["driver", "helper"]
    assert reasons.loc["L2", "reason_1_contribution"] == pytest.approx(score - without_driver + share)
    assert reasons.loc["L2", "reason_2_contribution"] == pytest.approx(score - without_helper + share)
    np.testing.assert_allclose(reasons["base_score"], base)
    # the listed reasons, the rest and the base add up to the score
    listed = reasons.filter(like="_contribution").drop(columns="other_contribution").fillna(0).sum(axis=1)
    assert reasons.loc["L2", "base_score"] + listed["L2"] + reasons.loc["L2", "other_contribution"] == (
        pytest.approx(score)
    )
    assert reasons.loc["L1"].drop(["run_id", "base_score", "other_contribution"]).isna().all(), (
        "the typical loan has no reason"
    )
    assert reasons.loc["L1", "other_contribution"] == pytest.approx(0)
    assert reasons.loc["L3", "reason_1"] == "lowering", "a feature below typical that raises the score counts"
    assert list(reasons.columns) == [
        "run_id",
        *(
            f"reason_{rank}{suffix}"
            for rank in range(1, REASON_COUNT + 1)
            for suffix in ("", "_contribution")
        ),
        "base_score",
        "other_contribution",
    ]


def test_forest_reasons_are_its_path_contributions_and_add_up_to_its_probability(logistic_loans):
    features, _ = logistic_loans
    [(fitted, _)] = fit_risk_models(features, n_estimators=20)
    x = fitted.feature_matrix(in_loan_order(features))
    paths = ForestPaths(fitted.estimator, len(fitted.feature_names))

    raw = paths.contributions(x)
    reasons = explain_scores(fitted, features)

    forest = fitted.estimator.predict_proba(x)[:, 1]
    np.testing.assert_allclose(paths.root_rate + raw.sum(axis=1), forest, atol=1e-12)
    never_split = [
        column
        for column in range(len(fitted.feature_names))
        if all(column not in tree.tree_.feature for tree in fitted.estimator.estimators_)
    ]
    assert (raw[:, never_split] == 0).all()
    loan = int(np.argmax(forest))
    calibrated = fitted.calibrator.predict(forest)
    base = fitted.calibrator.predict(np.array([paths.root_rate]))[0]
    top = int(np.argmax(raw[loan]))
    share = raw[loan, top] / (forest[loan] - paths.root_rate)
    assert reasons.loc[loan, "reason_1"] == fitted.feature_names[top]
    assert reasons.loc[loan, "reason_1_contribution"] == pytest.approx((calibrated[loan] - base) * share)
    listed = reasons.filter(like="_contribution").drop(columns="other_contribution").fillna(0).sum(axis=1)
    np.testing.assert_allclose(
        reasons["base_score"] + listed + reasons["other_contribution"], calibrated, atol=1e-9
    )
    assert reasons["reason_1"].notna().mean() > 0.5
    one_thread = explain_scores(fitted, features, n_jobs=1)
    pd.testing.assert_frame_equal(reasons, one_thread)


def test_each_out_of_fold_loan_is_explained_by_the_model_that_scored_it(logistic_loans):
    features, _ = logistic_loans
    for algorithm in ("random_forest", "logistic_regression"):
        [(fitted, scores)] = fit_risk_models(features, algorithms=(algorithm,), n_estimators=20)
        out_of_fold = scores.loc[scores["is_out_of_fold"], "loan_id"]

        reasons = explain_scores(fitted, features, out_of_fold).merge(scores, on=["loan_id", "run_id"])

        listed = reasons.filter(like="_contribution").drop(columns="other_contribution").fillna(0).sum(axis=1)
        explained = reasons["base_score"] + listed + reasons["other_contribution"]
        np.testing.assert_allclose(explained, reasons["risk_score"], atol=1e-9, err_msg=algorithm)
        # the final model would explain another score: what this test exists to catch
        final_only = explain_scores(fitted, features).merge(scores, on=["loan_id", "run_id"])
        listed = (
            final_only.filter(like="_contribution").drop(columns="other_contribution").fillna(0).sum(axis=1)
        )
        wrong = (
            final_only["base_score"] + listed + final_only["other_contribution"] - final_only["risk_score"]
        )
        assert np.abs(wrong[final_only["is_out_of_fold"]]).max() > 1e-3
