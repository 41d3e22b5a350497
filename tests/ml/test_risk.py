"""Risk scores: out-of-fold for training loans, reproducible run ids, metrics against the actual outcome."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

import ml.estimators
import ml.model_store
import ml.risk
from ml.estimators import PlattCalibrator
from ml.features import LABEL, RISK_FEATURES
from ml.model_store import load_model, save_model, selected_model
from ml.risk import (
    ALGORITHMS,
    HIGH_RISK_SEGMENTS,
    fit_risk_models,
    score_loans,
    score_with_model,
)
from ml.run_metrics import auc_interval, expected_calibration_error, is_score_predictive, run_summaries
from ml.segmentation import SEGMENT_NAMES

# Few trees keep the file fast; the forest's quality is measured with the defaults in one test only.
FAST = {"n_estimators": 30}


def resolved(features: pd.DataFrame) -> np.ndarray:
    return features[LABEL].notna().to_numpy()


def test_out_of_fold_auc_comes_close_to_the_true_probabilities(logistic_loans):
    features, truth = logistic_loans
    is_resolved = resolved(features)
    outcome = features.loc[is_resolved, LABEL].astype(int)

    scores = score_loans(features)

    model_auc = roc_auc_score(outcome, scores["risk_score"][is_resolved])
    oracle_auc = roc_auc_score(outcome, truth[is_resolved])
    assert is_resolved.sum() == 1600
    assert model_auc > oracle_auc - 0.05, (model_auc, oracle_auc)
    assert scores["risk_score"].between(0, 1).all()
    assert scores["risk_score"].nunique() > 1000, "probabilities should be smooth, not a few vote fractions"


def test_no_loan_is_scored_by_a_model_that_saw_its_label(logistic_loans, monkeypatch):
    features, _ = logistic_loans
    # Each loan carries its row number in one feature, so the spy knows which loans each forest saw.
    features = features.assign(payment_history_rank=np.arange(len(features)))
    row_column = RISK_FEATURES.index("payment_history_rank")
    forests = []

    class SpyForest(RandomForestClassifier):
        def fit(self, X, y, sample_weight=None):
            self.fitted_rows = set(X[:, row_column].astype(int))
            self.scored_blocks = []
            forests.append(self)
            return super().fit(X, y, sample_weight)

        def predict_proba(self, X):
            self.scored_blocks.append(X[:, row_column].astype(int))
            return super().predict_proba(X)

    monkeypatch.setattr(ml.estimators, "RandomForestClassifier", SpyForest)
    is_resolved = resolved(features)

    scores = score_loans(features, cv_folds=5, **FAST)

    training_rows = set(np.flatnonzero(is_resolved))
    # Each fold forest scores its held-out loans, then shuffled copies of them for permutation importance.
    scored_rows = [set(np.concatenate(forest.scored_blocks)) for forest in forests]
    assert len(forests) == 6
    for fitted, scored in zip([forest.fitted_rows for forest in forests[:5]], scored_rows[:5], strict=True):
        assert fitted.isdisjoint(scored)
        assert fitted <= training_rows
        assert fitted | scored == training_rows
    assert sum(len(scored) for scored in scored_rows[:5]) == len(training_rows), "each loan held out once"
    assert forests[5].fitted_rows == training_rows
    assert scored_rows[5] == set(np.flatnonzero(~is_resolved))
    assert scores["is_out_of_fold"].tolist() == is_resolved.tolist()


def test_the_calibrator_of_each_fold_learns_only_from_the_other_folds(logistic_loans, monkeypatch):
    features, _ = logistic_loans
    calibrators = []

    class SpyCalibrator(PlattCalibrator):
        def fit(self, raw, labels):
            self.fitted_on, self.fitted_labels, self.calibrated = np.array(raw), np.array(labels), []
            calibrators.append(self)
            return super().fit(raw, labels)

        def predict(self, raw):
            if hasattr(self, "calibrated"):
                self.calibrated.append(np.array(raw))
            return super().predict(raw)

    monkeypatch.setattr(ml.risk, "PlattCalibrator", SpyCalibrator)

    [(fitted, scores)] = fit_risk_models(features, cv_folds=5, **FAST)

    folds = fitted.training_folds
    labels = features.set_index("loan_id").loc[folds.index, LABEL].astype(float).to_numpy()
    x = fitted.feature_matrix(features.set_index("loan_id").loc[folds.index].reset_index())
    # the raw out-of-fold score of every training loan, from the fold model that did not see it
    raw = np.empty(len(folds))
    for fold, (estimator, _) in enumerate(fitted.fold_models):
        raw[folds.to_numpy() == fold] = estimator.predict_proba(x[folds.to_numpy() == fold])[:, 1]
    assert len(calibrators) == 6, "one per fold, then the final model's"
    for fold, calibrator in enumerate(calibrators[:5]):
        held_out = folds.to_numpy() == fold
        np.testing.assert_array_equal(calibrator.fitted_on, raw[~held_out])
        np.testing.assert_array_equal(calibrator.fitted_labels, labels[~held_out])
        np.testing.assert_array_equal(calibrator.calibrated[0], raw[held_out])
    np.testing.assert_array_equal(calibrators[5].fitted_on, raw)


def _draw_scored_loans(rng, n):
    score = rng.random(n)
    return (rng.random(n) < 0.2 + 0.4 * score).astype(int), score


def test_the_auc_interval_covers_the_true_auc_about_95_times_in_100_and_narrows_with_more_loans():
    rng = np.random.default_rng(0)
    true_auc = roc_auc_score(*_draw_scored_loans(rng, 2_000_000))
    intervals = [auc_interval(*_draw_scored_loans(rng, 400)) for _ in range(400)]
    covered = np.mean([low <= true_auc <= high for low, high in intervals])
    assert 0.92 <= covered <= 0.98
    wide, narrow = (auc_interval(*_draw_scored_loans(rng, n)) for n in (400, 40_000))
    assert narrow[1] - narrow[0] < (wide[1] - wide[0]) / 5
    assert auc_interval(np.array([1, 0, 0]), np.array([0.2, 0.1, 0.3])) == (None, None)


def test_a_feature_only_a_fitted_model_could_exploit_does_not_lift_the_scores(logistic_loans):
    features, _ = logistic_loans
    rng = np.random.default_rng(1)
    # Labels are coin flips; only the loan's own row number, which a forest can memorise, "predicts" them.
    noise = features.assign(payment_history_rank=rng.permutation(len(features)))
    noise[LABEL] = rng.integers(0, 2, len(features))
    memorising = {"min_samples_leaf": 1, "max_features": 1.0, "n_estimators": 30}

    scores = score_loans(noise, **memorising)

    x, y = noise[RISK_FEATURES].to_numpy(dtype=float), noise[LABEL].to_numpy(dtype=int)
    in_sample = RandomForestClassifier(30, max_features=1.0, random_state=42).fit(x, y).predict_proba(x)[:, 1]
    assert roc_auc_score(y, in_sample) > 0.95, "the leak this test looks for is real"
    assert roc_auc_score(y, scores["risk_score"]) < 0.6


def test_a_loans_observations_are_held_out_together_and_its_own_row_scored_out_of_fold(
    logistic_loans, monkeypatch
):
    features, _ = logistic_loans
    rng = np.random.default_rng(2)
    # Coin-flip outcomes, and every observation of a loan carries the loan's number, which a forest memorises:
    # had a loan's observations been split between folds, its other observations would "predict" its label.
    noise = features.assign(payment_history_rank=rng.permutation(len(features)))
    is_resolved = resolved(noise)
    noise[LABEL] = np.where(is_resolved, rng.integers(0, 2, len(noise)), np.nan)
    observations = pd.concat(
        [
            noise[is_resolved].assign(observation_date=pd.Timestamp("2025-01-31") + pd.DateOffset(months=k))
            for k in range(4)
        ],
        ignore_index=True,
    )
    memorising = {"min_samples_leaf": 1, "max_features": 1.0, "n_estimators": 30}

    def outcome_auc(fold_of_each_row):
        monkeypatch.setattr(ml.risk, "_fold_of_each_row", fold_of_each_row)
        [(fitted, scores)] = fit_risk_models(noise, training=observations, **memorising)
        assert fitted.summary["n_training_rows"] == 4 * is_resolved.sum()
        assert (scores["is_out_of_fold"] == is_resolved).all()
        return roc_auc_score(noise.loc[is_resolved, LABEL], scores.loc[is_resolved, "risk_score"])

    def by_row(loans, y, params):
        return np.arange(len(y)) % params.cv_folds

    by_loan = ml.risk._fold_of_each_row
    assert outcome_auc(by_row) > 0.9, "the leak this test looks for is real"
    assert outcome_auc(by_loan) < 0.6


def test_open_loans_are_scored_by_a_forest_fitted_on_all_resolved_loans(logistic_loans):
    features, _ = logistic_loans
    is_resolved = resolved(features)
    x = features[RISK_FEATURES].to_numpy(dtype=float)
    y = features.loc[is_resolved, LABEL].to_numpy(dtype=int)
    full = RandomForestClassifier(
        30, min_samples_leaf=20, max_features="sqrt", max_samples=len(y), random_state=42
    ).fit(x[is_resolved], y)

    [(fitted, scores)] = fit_risk_models(features, **FAST)

    raw = full.predict_proba(x[~is_resolved])[:, 1]
    np.testing.assert_allclose(fitted.estimator.predict_proba(x[~is_resolved])[:, 1], raw)
    np.testing.assert_allclose(scores.loc[~is_resolved, "risk_score"], fitted.calibrator.predict(raw))
    assert not np.allclose(scores.loc[is_resolved, "risk_score"], fitted.predict(x[is_resolved]))


def test_run_id_is_a_content_hash_of_target_parameters_and_training_data(logistic_loans):
    features, _ = logistic_loans
    first = score_loans(features, n_jobs=1, **FAST)
    flipped = features.copy()
    first_resolved = flipped[LABEL].first_valid_index()
    flipped.loc[first_resolved, LABEL] = 1 - flipped.loc[first_resolved, LABEL]

    again = score_loans(features, n_jobs=2, **FAST)

    assert first.equals(again)
    run_id = first["run_id"].iloc[0]
    assert first["run_id"].nunique() == 1 and len(run_id) == 16 and int(run_id, 16) >= 0
    assert score_loans(features, n_estimators=31)["run_id"].iloc[0] != run_id
    assert score_loans(features, random_state=7, **FAST)["run_id"].iloc[0] != run_id
    assert score_loans(flipped, **FAST)["run_id"].iloc[0] != run_id


def test_the_row_order_of_the_table_does_not_change_any_score(logistic_loans):
    features, _ = logistic_loans
    shuffled = features.sample(frac=1, random_state=3)

    in_order = score_loans(features, **FAST).set_index("loan_id").sort_index()
    out_of_order = score_loans(shuffled, **FAST).set_index("loan_id").sort_index()

    pd.testing.assert_frame_equal(in_order, out_of_order)


def test_dtypes_from_the_warehouse_do_not_change_the_run(logistic_loans):
    features, _ = logistic_loans
    plain = features.astype({column: float for column in RISK_FEATURES})
    plain[LABEL] = plain[LABEL].astype(float)
    boxed = features.astype({"is_home_loan": bool, "num_missed_payments": "Int64"})
    boxed[LABEL] = boxed[LABEL].astype(object).where(boxed[LABEL].notna(), None)

    assert score_loans(plain, **FAST).equals(score_loans(boxed, **FAST))


def test_unknown_targets_algorithms_and_missing_segments_are_refused(logistic_loans):
    features, _ = logistic_loans

    with pytest.raises(ValueError, match="unknown target"):
        score_loans(features, risk_target="recovery", **FAST)
    with pytest.raises(ValueError, match="unknown risk_algorithm"):
        score_loans(features, risk_algorithm="xgboost", **FAST)
    with pytest.raises(ValueError, match="segments"):
        score_loans(features, risk_target="segment", **FAST)


def segments_by_loan_size(features: pd.DataFrame) -> pd.DataFrame:
    """Segments unrelated to the outcome model: big loans are high risk, one of them under a suffixed name."""
    big = features["loan_amount"] > features["loan_amount"].median()
    names = np.where(big, "High Loan, In Arrears", "High Income, Light Burden").astype(object)
    names[np.flatnonzero(big)[0]] = "Moderate Income, High Loan Burden (2)"
    return pd.DataFrame({"loan_id": features["loan_id"], "segment_id": big + 1, "segment_name": names})


def test_segment_target_learns_the_high_risk_segments_from_every_loan(logistic_loans):
    features, _ = logistic_loans
    segments = segments_by_loan_size(features)

    # Observations of the resolved loans are for target outcome: every loan has a segment, and learns from it.
    observations = features[resolved(features)].assign(observation_date=pd.Timestamp("2025-01-31"))

    [(fitted, scores)] = fit_risk_models(features, "segment", segments, training=observations, **FAST)
    summary = fitted.summary

    assert set(HIGH_RISK_SEGMENTS) <= set(SEGMENT_NAMES)
    assert scores["is_out_of_fold"].all()
    assert summary["n_training_rows"] == summary["n_scored_rows"] == len(features)
    assert summary["n_positive_labels"] == (features["loan_amount"] > features["loan_amount"].median()).sum()
    assert summary["label_roc_auc"] > 0.95


def test_metrics_measure_the_actual_outcome_whatever_the_target(logistic_loans):
    features, _ = logistic_loans
    segments = segments_by_loan_size(features)
    is_resolved = resolved(features)
    outcome = features.loc[is_resolved, LABEL].to_numpy(dtype=int)

    for target in ("outcome", "segment"):
        [(fitted, scores)] = fit_risk_models(features, target, segments, high_risk_threshold=0.4, **FAST)
        summary = fitted.summary

        risk = scores.loc[is_resolved, "risk_score"].to_numpy()
        flagged = risk >= 0.4
        assert summary["run_id"] == scores["run_id"].iloc[0]
        assert summary["n_evaluation_rows"] == 1600
        assert summary["cv_roc_auc"] == pytest.approx(roc_auc_score(outcome, risk))
        assert summary["cv_precision"] == pytest.approx(outcome[flagged].mean())
        assert summary["cv_recall"] == pytest.approx(flagged[outcome == 1].mean())
        assert summary["cv_brier"] == pytest.approx(((risk - outcome) ** 2).mean())
        assert summary["expected_calibration_error"] == pytest.approx(
            expected_calibration_error(outcome, risk)
        )
    assert abs(summary["cv_roc_auc"] - summary["label_roc_auc"]) > 0.1


def test_summary_records_the_run_settings(logistic_loans):
    features, _ = logistic_loans

    [(fitted, _)] = fit_risk_models(features, **FAST)

    row = fitted.summary
    assert (row["target"], row["algorithm"]) == ("outcome", "random_forest")
    assert json.loads(row["features"]) == RISK_FEATURES
    assert json.loads(row["parameters"]) == {
        "cv_folds": 5,
        "random_state": 42,
        "risk_training_rows": 200_000,
        "n_estimators": 30,
        "min_samples_leaf": 20,
        "max_features": "sqrt",
        "max_samples": 15_000,
        "importance_repeats": 3,
        "importance_rows": 2_000,
    }
    assert row["n_positive_labels"] == features[LABEL].sum()
    assert row["cv_roc_auc"] == pytest.approx(row["label_roc_auc"])


def test_a_single_outcome_class_leaves_undefined_metrics_missing(logistic_loans):
    features, _ = logistic_loans
    all_recovered = features.assign(**{LABEL: features[LABEL].where(features[LABEL].isna(), 0)})

    [(fitted, scores)] = fit_risk_models(all_recovered, **FAST)
    summary = fitted.summary

    assert (scores["risk_score"] == 0).all()
    assert summary["n_positive_labels"] == 0
    assert summary["cv_roc_auc"] is None and summary["label_roc_auc"] is None
    assert summary["cv_precision"] is None and summary["cv_recall"] is None
    assert summary["cv_brier"] == 0 and summary["expected_calibration_error"] == 0
    assert fitted.importance["auc_drop"].isna().all()


def test_all_algorithms_learn_on_the_same_folds_and_only_the_chosen_one_drives_strategy(
    logistic_loans, tmp_path
):
    features, truth = logistic_loans
    is_resolved = resolved(features)
    oracle_auc = roc_auc_score(features.loc[is_resolved, LABEL].astype(int), truth[is_resolved])

    scores = score_loans(
        features,
        risk_algorithm="logistic_regression",
        compare_risk_algorithms=True,
        risk_model_dir=tmp_path,
        **FAST,
    )
    runs = run_summaries(scores, tmp_path, min_predictive_auc=0.55).set_index("algorithm")

    assert sorted(runs.index) == sorted(ALGORITHMS)
    assert runs["cv_folds_id"].nunique() == 1 and runs["run_id"].is_unique
    assert len(scores) == 3 * len(features)
    assert set(scores.loc[scores["is_selected"], "algorithm"]) == {"logistic_regression"}
    assert selected_model(scores, tmp_path).run_id == runs.loc["logistic_regression", "run_id"]
    assert (runs["cv_roc_auc"] > oracle_auc - 0.05).all(), runs["cv_roc_auc"]
    assert (runs["expected_calibration_error"] < 0.05).all(), runs["expected_calibration_error"]
    assert runs["is_score_predictive"].all()


def test_calibration_turns_distorted_scores_into_probabilities():
    rng = np.random.default_rng(0)
    truth = rng.uniform(0.02, 0.98, 20_000)
    outcome = rng.binomial(1, truth)
    # Right ranking, wrong probabilities: cubed, as an over-confident model would squash them.
    distorted = truth**3

    calibrated = PlattCalibrator().fit(distorted[:10_000], outcome[:10_000]).predict(distorted[10_000:])

    assert expected_calibration_error(outcome[10_000:], distorted[10_000:]) > 0.15
    assert expected_calibration_error(outcome[10_000:], calibrated) < 0.03
    assert roc_auc_score(outcome[10_000:], calibrated) == pytest.approx(
        roc_auc_score(outcome[10_000:], truth[10_000:])
    )
    assert (PlattCalibrator().fit(distorted, np.zeros(len(distorted))).predict(truth) == 0).all()


def test_expected_calibration_error_bins_like_sql_ntile():
    # 12 scores in 10 bins: ntile puts two in each of the first two bins and one in the rest.
    scores = np.array([0.1, 0.1, 0.3, 0.3] + [0.5] * 8)
    actual = np.array([0, 0, 1, 1] + [1, 0] * 4)

    expected = (2 * 0.1 + 2 * 0.7 + 4 * 0.5 + 4 * 0.5) / 12
    assert expected_calibration_error(actual, scores) == pytest.approx(expected)
    assert expected_calibration_error(np.array([1, 0]), np.array([0.5, 0.5])) == pytest.approx(0.5)
    assert expected_calibration_error(np.array([]), np.array([])) is None


@pytest.mark.parametrize(
    ("ci_low", "predictive"),
    [(0.55, True), (0.5499, False), (0.9, True), (None, False), (float("nan"), False)],
)
def test_a_score_is_predictive_when_the_low_end_of_its_auc_interval_reaches_the_minimum(ci_low, predictive):
    assert is_score_predictive(ci_low, 0.55) is predictive


def test_a_saved_model_scores_new_loans_as_it_scored_the_open_ones(logistic_loans, tmp_path):
    features, _ = logistic_loans
    [(fitted, scores)] = fit_risk_models(features, algorithms=("hist_gradient_boosting",), **FAST)
    save_model(fitted, tmp_path)
    is_open = ~resolved(features)

    rescored = score_with_model(load_model(tmp_path, fitted.run_id), features.loc[is_open])

    assert load_model(tmp_path, fitted.run_id).summary == fitted.summary
    np.testing.assert_allclose(rescored["risk_score"], scores.loc[is_open, "risk_score"])
    assert (rescored["run_id"] == fitted.run_id).all()
    assert not rescored["is_out_of_fold"].any() and rescored["is_selected"].all()
    with pytest.raises(FileNotFoundError, match="no saved risk model"):
        load_model(tmp_path, "0123456789abcdef")
    with pytest.raises(ValueError, match="needs column"):
        score_with_model(fitted, features.drop(columns="days_past_due"))


def test_a_saved_model_rescores_its_training_loans_out_of_fold(logistic_loans, tmp_path):
    features, _ = logistic_loans
    [(fitted, scores)] = fit_risk_models(features, algorithms=("random_forest",), **FAST)
    save_model(fitted, tmp_path)

    rescored = score_with_model(load_model(tmp_path, fitted.run_id, with_folds=True), features)
    without_folds = score_with_model(load_model(tmp_path, fitted.run_id), features)

    # Each training loan gets its out-of-fold score again, not the final model's in-sample one.
    compared = ["loan_id", "risk_score", "is_out_of_fold"]
    pd.testing.assert_frame_equal(rescored[compared], scores[compared], check_dtype=False)
    assert rescored["is_out_of_fold"].sum() == scores["is_out_of_fold"].sum() > 0
    in_sample = without_folds.loc[scores["is_out_of_fold"].to_numpy(), "risk_score"].to_numpy()
    assert not np.allclose(in_sample, rescored.loc[rescored["is_out_of_fold"], "risk_score"])


def test_a_model_saved_before_the_split_of_ml_risk_still_loads(logistic_loans, tmp_path, monkeypatch):
    features, _ = logistic_loans
    [(fitted, scores)] = fit_risk_models(features, algorithms=("logistic_regression",), **FAST)
    # Models saved before ml.estimators and ml.model_store existed name their classes under ml.risk.
    for cls in (ml.model_store.FittedModel, ml.estimators.PlattCalibrator, ml.estimators.RiskParameters):
        monkeypatch.setattr(cls, "__module__", "ml.risk")
    save_model(fitted, tmp_path)
    monkeypatch.undo()
    assert b"ml.risk" in (tmp_path / f"{fitted.run_id}.joblib").read_bytes()

    rescored = score_with_model(load_model(tmp_path, fitted.run_id), features)

    assert isinstance(load_model(tmp_path, fitted.run_id), ml.model_store.FittedModel)
    np.testing.assert_array_equal(rescored["risk_score"], fitted.predict(fitted.feature_matrix(features)))


def test_selected_model_needs_exactly_one_selected_run(logistic_loans, tmp_path):
    features, _ = logistic_loans
    scores = score_loans(features, risk_model_dir=tmp_path, **FAST)

    with pytest.raises(ValueError, match="one selected run"):
        selected_model(scores.assign(is_selected=False), tmp_path)


def test_the_training_sample_keeps_the_class_shares_and_the_same_seed_draws_the_same_loans():
    y = np.array([1.0] * 300 + [0.0] * 700)

    sample = ml.risk.training_sample(y, 101, random_state=42)

    assert len(sample) == 101 and np.all(np.diff(sample) > 0)
    assert (y[sample] == 1).sum() == 30, "30.3 positives round down, 70.7 negatives round up"
    assert np.array_equal(sample, ml.risk.training_sample(y, 101, random_state=42))
    assert not np.array_equal(sample, ml.risk.training_sample(y, 101, random_state=7))
    assert np.array_equal(ml.risk.training_sample(y, None, 42), np.arange(1_000))
    assert np.array_equal(ml.risk.training_sample(y, 5_000, 42), np.arange(1_000))


def test_loans_outside_the_training_sample_are_scored_by_the_final_model_and_count_in_the_metrics(
    logistic_loans,
):
    features, _ = logistic_loans
    is_resolved = resolved(features)
    outcome = features.loc[is_resolved, LABEL].to_numpy(dtype=int)

    [(fitted, scores)] = fit_risk_models(features, risk_training_rows=500, **FAST)
    summary = fitted.summary

    in_sample = scores["is_out_of_fold"].to_numpy()
    assert in_sample.sum() == 500 and not (in_sample & ~is_resolved).any()
    assert features.loc[in_sample, LABEL].mean() == pytest.approx(features[LABEL].mean(), abs=0.01)
    x = features[RISK_FEATURES].to_numpy(dtype=float)
    np.testing.assert_allclose(scores.loc[~in_sample, "risk_score"], fitted.predict(x[~in_sample]))
    assert (summary["n_training_rows"], summary["n_labelled_rows"], summary["n_evaluation_rows"]) == (
        500,
        1600,
        1600,
    )
    resolved_scores = scores.loc[is_resolved, "risk_score"]
    assert summary["cv_roc_auc"] == pytest.approx(roc_auc_score(outcome, resolved_scores))
    assert fitted.score_reference.n_rows == 500
    again = fit_risk_models(features, risk_training_rows=500, n_jobs=1, **FAST)[0][1]
    assert scores.equals(again)
    assert fit_risk_models(features, risk_training_rows=501, **FAST)[0][0].run_id != fitted.run_id


def test_fold_models_are_saved_beside_the_model_and_loaded_only_to_explain(logistic_loans, tmp_path):
    features, _ = logistic_loans
    [(fitted, _)] = fit_risk_models(features, **FAST)

    save_model(fitted, tmp_path)

    assert load_model(tmp_path, fitted.run_id).fold_models == ()
    explained = load_model(tmp_path, fitted.run_id, with_folds=True)
    assert len(explained.fold_models) == 5
    pd.testing.assert_series_equal(explained.training_folds, fitted.training_folds)


def test_extra_features_are_learnt_and_features_without_values_are_left_out(logistic_loans, tmp_path):
    features, truth = logistic_loans
    # A lender's file without Monthly_Income, with its own score and region: the score carries the truth.
    lender = features.assign(monthly_income=None).assign(
        extra_features=[
            json.dumps({"bureau_score": float(np.log(p / (1 - p))), "region": region})
            for p, region in zip(truth, np.resize(["north", "south", "east"], len(truth)), strict=True)
        ]
    )
    [(fitted, scores)] = fit_risk_models(lender, algorithms=("logistic_regression",), **FAST)
    used = json.loads(fitted.summary["features"])

    assert "monthly_income" not in used
    assert json.loads(fitted.summary["features_left_out"]) == ["monthly_income"]
    assert used[-4:] == [
        "extra:bureau_score",
        "extra:region=east",
        "extra:region=north",
        "extra:region=south",
    ]
    is_resolved = resolved(lender)
    auc = roc_auc_score(lender.loc[is_resolved, LABEL].astype(int), scores.loc[is_resolved, "risk_score"])
    assert auc > 0.75
    save_model(fitted, tmp_path)
    rescored = score_with_model(load_model(tmp_path, fitted.run_id), lender.loc[~is_resolved])
    np.testing.assert_allclose(rescored["risk_score"], scores.loc[~is_resolved, "risk_score"])
