"""Loan risk score: calibrated probabilities from one of three estimators, compared on the same folds, saved.

Two targets say what "high risk" means:

- "outcome": the loan was not fully recovered (LABEL); learnt from resolved loans only.
- "segment": the source documents' method; the borrower's segment is one of HIGH_RISK_SEGMENTS. Learnt
  from every loan, so it needs the segments from ml.segmentation.

Three estimators (ALGORITHMS, built in ml.estimators) learn on the same stratified folds, so their metrics
compare like for like: random_forest (the source documents'), hist_gradient_boosting, and logistic_regression
on standardised features as the baseline. They learn from observations: with a ledger, the rows of
loan_observations (a resolved loan on each observation date it was open, docs/point-in-time.md); without, the
loans' own rows. They take a stratified random sample of at most `risk_training_rows` (the var) of the
observations with a label (the same sample for every algorithm): on 1M loans, 200,000 rank outcomes as well as
all of them (see ml.estimators.RiskParameters) at a fraction of the cost. The folds split loans, so all of a
loan's observations are held out together. Every loan of the sample is scored out of fold at its own row of
loan_features (is_out_of_fold): no score comes from a model that saw that loan's label. Every other loan
(labelled loans outside the sample, and open loans under "outcome") is scored by the final model, fitted on
the whole sample, which never saw it either; so every score is honest and the metrics use them all.

Scores are calibrated (ml.estimators.PlattCalibrator) and cross-fitted: the out-of-fold scores of fold k
are calibrated by a calibrator fitted on the out-of-fold scores and labels of the other folds only; the
final model's calibrator uses every training loan's out-of-fold score.

Each fit is a FittedModel, saved with its run id in the model store (ml.model_store), so a later build can
score new loans with it instead of refitting (score_with_model). Model quality (ml.run_metrics) is always
measured against the actual outcome of resolved loans, whatever the target.
"""

import json
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from ml.drift import population_stability, reference_binning
from ml.estimators import PlattCalibrator, RiskParameters, fit_estimator, positive_probability
from ml.explain import permutation_importance
from ml.features import ID_COLUMN, RISK_FEATURES, model_features, with_extra_features
from ml.frames import column_per_loan, content_hash, in_loan_order, in_observation_order, numeric_matrix
from ml.model_store import FittedModel, save_model
from ml.run_metrics import actual_outcome, model_run_summary
from ml.var_choices import RISK_ALGORITHMS as ALGORITHMS
from ml.var_choices import RISK_TARGETS as TARGETS

# Models saved before the split of this module were pickled as ml.risk.FittedModel, ml.risk.PlattCalibrator
# and ml.risk.RiskParameters: the imports above keep those names, and so the saved models, loadable.

# The profiles of ml.segmentation.SEGMENT_NAMES that target "segment" calls high risk: heavy burden, and
# large loans in arrears. Matched as prefixes, so that extra clusters such as "High Loan, In Arrears (2)" are
# high risk too.
HIGH_RISK_SEGMENTS = ("Moderate Income, High Loan Burden", "High Loan, In Arrears")
# Loans outside the training sample are scored this many at a time (each block split again for the threads).
SCORING_BLOCK_ROWS = 500_000
SCORE_COLUMNS = ["loan_id", "algorithm", "run_id", "risk_score", "is_out_of_fold", "is_selected"]


def score_loans(
    features: pd.DataFrame,
    risk_target: str = "outcome",
    segments: pd.DataFrame | None = None,
    risk_algorithm: str = "random_forest",
    compare_risk_algorithms: bool = False,
    risk_model_dir: str | Path | None = None,
    high_risk_threshold: float = 0.5,
    n_jobs: int = -1,
    score_others=None,
    training: pd.DataFrame | None = None,
    **parameters,
) -> pd.DataFrame:
    """Scores per loan and algorithm (SCORE_COLUMNS); the rows with is_selected drive strategy.

    `risk_algorithm` is fitted (every algorithm when `compare_risk_algorithms`), each fit is saved in
    `risk_model_dir` when given, and the selected algorithm's scores are flagged is_selected (a saved model
    scores with score_with_model). `parameters` are the fields of RiskParameters; `n_jobs` only changes
    speed, never the scores. `score_others(fitted, loan_ids)`, when given, scores the loans outside the
    training sample instead of this process (ml.spark_job scores them on Spark's executors); it returns their
    scores in that order. `training`, when given, holds the observations the models learn from
    (loan_observations: a loan may have several, at different observation dates); without it the loans
    learn from their own rows.
    """
    if risk_algorithm not in ALGORITHMS:
        raise ValueError(f"unknown risk_algorithm {risk_algorithm!r}; expected one of {ALGORITHMS}")
    algorithms = ALGORITHMS if compare_risk_algorithms else (risk_algorithm,)
    fits = fit_risk_models(
        features,
        risk_target,
        segments,
        algorithms,
        high_risk_threshold,
        n_jobs,
        score_others,
        training=training,
        **parameters,
    )
    frames = []
    for fitted, scores in fits:
        if risk_model_dir is not None:
            save_model(fitted, risk_model_dir)
        frames.append(scores.assign(is_selected=fitted.algorithm == risk_algorithm))
    return pd.concat(frames, ignore_index=True)[SCORE_COLUMNS]


def fit_risk_models(
    features: pd.DataFrame,
    risk_target: str = "outcome",
    segments: pd.DataFrame | None = None,
    algorithms: tuple[str, ...] = ("random_forest",),
    high_risk_threshold: float = 0.5,
    n_jobs: int = -1,
    score_others=None,
    *,
    training: pd.DataFrame | None = None,
    **parameters,
) -> list[tuple[FittedModel, pd.DataFrame]]:
    """Fit each algorithm on the same sample and folds; per algorithm the FittedModel and its loan scores.

    Under target "outcome" the models learn from `training` (observations, several per loan allowed) or,
    without it, from the loans' own rows; under target "segment" always from the loans' own rows, since every
    loan has its segment. The folds split loans, not observations: every observation of a loan is held out
    together, and a loan of the training sample is scored, at its own row of `features`, by the model of its
    fold.
    """
    features = in_loan_order(features)
    if training is None or risk_target == "segment":
        features = training = with_extra_features(features)
    else:
        training = with_extra_features(in_observation_order(training))
    params = RiskParameters(**parameters)
    labels = _training_labels(training, risk_target, segments)
    labelled = np.flatnonzero(~np.isnan(labels))
    if len(labelled) < params.cv_folds:
        raise ValueError(f"{len(labelled)} training loans, fewer than the {params.cv_folds} folds")
    feature_names = model_features(training)
    x_training = numeric_matrix(training, feature_names)
    if training is not features:
        features = with_extra_features(features, feature_names)
    x = x_training if training is features else numeric_matrix(features, feature_names)
    rows = labelled[training_sample(labels[labelled], params.risk_training_rows, params.random_state)]
    y = labels[rows]
    row_loans = training[ID_COLUMN].iloc[rows].astype(str).to_numpy()
    folds = _fold_of_each_row(row_loans, y, params)
    fold_of_loan = pd.Series(folds, index=row_loans).groupby(level=0, sort=False).first()
    # A loan of the training sample is scored by its fold's model (out of fold), any other by the final model.
    loan_fold = features[ID_COLUMN].astype(str).map(fold_of_loan).fillna(-1).to_numpy(dtype="int64")
    in_sample = loan_fold >= 0
    folds_id = content_hash(
        {"cv_folds": params.cv_folds, "random_state": params.random_state},
        pd.DataFrame({ID_COLUMN: row_loans, "fold": folds, "label": y}),
    )
    training_data = pd.DataFrame(x_training[rows], columns=feature_names).assign(loan_id=row_loans, label=y)
    typical_values = np.nanmedian(x_training[rows], axis=0)
    feature_reference = {name: reference_binning(x_training[rows, i]) for i, name in enumerate(feature_names)}
    # The label of each loan at its own row, for the run's metrics.
    loan_labels = labels if training is features else _training_labels(features, risk_target, segments)
    fits = []
    for algorithm in algorithms:
        spec = {
            "target": risk_target,
            "algorithm": algorithm,
            "parameters": asdict(params),
            "features": feature_names,
        }
        run_id = content_hash(spec, training_data)

        estimators = _fit_folds_and_final(algorithm, x_training[rows], y, folds, params, n_jobs)
        raw = np.empty(len(rows))
        importances = []
        for fold, estimator in enumerate(estimators[:-1]):
            held_out = folds == fold
            raw[held_out] = positive_probability(estimator, x_training[rows[held_out]], n_jobs)
            importances.append(
                permutation_importance(
                    lambda matrix, model=estimator: positive_probability(model, matrix, n_jobs),
                    x_training[rows[held_out]],
                    y[held_out],
                    feature_names,
                    repeats=params.importance_repeats,
                    max_rows=params.importance_rows,
                    seed=params.random_state + fold,
                ).assign(fold=fold)
            )
        calibrated = np.empty(len(rows))
        calibrators = []
        for fold in range(params.cv_folds):
            held_out = folds == fold
            calibrators.append(PlattCalibrator().fit(raw[~held_out], y[~held_out]))
            calibrated[held_out] = calibrators[fold].predict(raw[held_out])

        fitted = FittedModel(
            run_id=run_id,
            algorithm=algorithm,
            target=risk_target,
            parameters=params,
            feature_names=feature_names,
            estimator=estimators[-1],
            calibrator=PlattCalibrator().fit(raw, y),
            typical_values=typical_values,
            feature_reference=feature_reference,
            score_reference=reference_binning(calibrated),
            fold_models=tuple(zip(estimators[:-1], calibrators, strict=True)),
            training_folds=fold_of_loan,
        )
        scores = np.empty(len(features))
        if training is features:
            # the loans are their own training rows: their out-of-fold scores are the loans'
            scores[rows] = calibrated
        else:
            for fold, (estimator, calibrator) in enumerate(fitted.fold_models):
                held_out = loan_fold == fold
                scores[held_out] = calibrator.predict(positive_probability(estimator, x[held_out], n_jobs))
        others = np.flatnonzero(~in_sample)
        if score_others is not None:
            scores[others] = score_others(fitted, features[ID_COLUMN].iloc[others])
        # The other loans in blocks, so that no copy of their whole feature matrix is made.
        for start in range(0, len(others) if score_others is None else 0, SCORING_BLOCK_ROWS):
            block = others[start : start + SCORING_BLOCK_ROWS]
            scores[block] = fitted.predict(x[block], n_jobs)
        frame = pd.DataFrame(
            {
                ID_COLUMN: features[ID_COLUMN].array,
                "algorithm": algorithm,
                "run_id": run_id,
                "risk_score": scores,
                "is_out_of_fold": in_sample,
            }
        )
        fitted.importance = pd.concat(importances, ignore_index=True)
        stability = population_stability(fitted, features, frame)
        fitted.fit_stability = dict(
            zip(stability["variable_name"], stability["population_stability_index"], strict=True)
        )
        fitted.summary = model_run_summary(features, frame, loan_labels, high_risk_threshold) | {
            "run_id": run_id,
            "target": risk_target,
            "algorithm": algorithm,
            "parameters": json.dumps(asdict(params), sort_keys=True),
            "features": json.dumps(feature_names),
            # The warehouse's features without a value for any loan: their columns are not in the loan file.
            "features_left_out": json.dumps([name for name in RISK_FEATURES if name not in feature_names]),
            "cv_folds_id": folds_id,
            "n_training_rows": len(rows),
            "n_labelled_rows": len(labelled),
            "n_positive_labels": int(y.sum()),
            "fitted_at": pd.Timestamp.now(tz="UTC"),
        }
        fits.append((fitted, frame))
    return fits


def score_with_model(fitted: FittedModel, features: pd.DataFrame, n_jobs: int = -1) -> pd.DataFrame:
    """Scores (SCORE_COLUMNS) of every loan by a saved model; nothing is refitted.

    A loan of the model's training sample is scored by the model of its fold, out of fold, when the fold
    models are loaded (load_model with_folds): rescoring it keeps its score honest, as when the model was
    fitted. Every other loan is scored by the final model.
    """
    features = in_loan_order(features)
    x = fitted.feature_matrix(features)
    fold = np.full(len(features), -1)
    if fitted.fold_models and fitted.training_folds is not None:
        fold = features[ID_COLUMN].astype(str).map(fitted.training_folds).fillna(-1).to_numpy(dtype="int64")
    scores = np.empty(len(features))
    models = [fitted, *(replace(fitted, estimator=e, calibrator=c) for e, c in fitted.fold_models)]
    for model_index, model in enumerate(models):
        rows = fold == model_index - 1
        scores[rows] = model.predict(x[rows], n_jobs)
    return pd.DataFrame(
        {
            ID_COLUMN: features[ID_COLUMN].array,
            "algorithm": fitted.algorithm,
            "run_id": fitted.run_id,
            "risk_score": scores,
            "is_out_of_fold": fold >= 0,
            "is_selected": True,
        }
    )


def training_sample(y: np.ndarray, n_rows: int | None, random_state: int) -> np.ndarray:
    """Sorted positions of a stratified random sample of `n_rows` of the labels `y` (all when None or more).

    Each class gets its share of the sample, rounded by largest remainder (ties: the smaller class value), and
    its loans are drawn at random: the same labels and seed always give the same sample.
    """
    if n_rows is None or n_rows >= len(y):
        return np.arange(len(y))
    classes, counts = np.unique(y, return_counts=True)
    exact = n_rows * counts / len(y)
    quotas = np.floor(exact).astype("int64")
    short = n_rows - quotas.sum()
    quotas[np.argsort(-(exact - quotas), kind="stable")[:short]] += 1
    rng = np.random.default_rng(random_state)
    chosen = [
        rng.choice(np.flatnonzero(y == label), quota, replace=False)
        for label, quota in zip(classes, quotas, strict=True)
    ]
    return np.sort(np.concatenate(chosen))


def _fit_folds_and_final(
    algorithm: str, x: np.ndarray, y: np.ndarray, folds: np.ndarray, params: RiskParameters, n_jobs: int
) -> list:
    """One estimator per fold (fitted without that fold), then the final one fitted on every row.

    The forest spreads its trees over the cores; the other estimators run single-threaded, so their fits run
    side by side instead. Each fit is seeded on its own: the estimators do not depend on the threads.
    """
    inner_jobs, outer_jobs = (n_jobs, 1) if algorithm == "random_forest" else (1, n_jobs)
    subsets = [folds != fold for fold in range(params.cv_folds)] + [np.ones(len(y), dtype=bool)]
    # The limit is process-wide: set once around all the fits, so that no fit ending lifts it for another.
    with threadpool_limits(1, user_api="openmp"):
        return Parallel(n_jobs=outer_jobs, prefer="threads")(
            delayed(fit_estimator)(algorithm, x[subset], y[subset], params, inner_jobs) for subset in subsets
        )


def _fold_of_each_row(loans: np.ndarray, y: np.ndarray, params: RiskParameters) -> np.ndarray:
    """Each row's fold: loans (with their first row's label) are split into stratified folds, and every row
    of a loan falls in its loan's fold, so that no loan is both learnt from and held out."""
    first = pd.Series(y, index=loans).groupby(level=0, sort=False).first()
    loan_folds = np.empty(len(first), dtype="int64")
    splitter = StratifiedKFold(params.cv_folds, shuffle=True, random_state=params.random_state)
    for fold, (_, held_out) in enumerate(splitter.split(np.zeros(len(first)), first.to_numpy())):
        loan_folds[held_out] = fold
    return pd.Series(loan_folds, index=first.index).loc[loans].to_numpy()


def _training_labels(features: pd.DataFrame, target: str, segments: pd.DataFrame | None) -> np.ndarray:
    """1/0 for the loans the model learns from, NaN for the others."""
    if target == "outcome":
        return actual_outcome(features)
    if target == "segment":
        if segments is None:
            raise ValueError('target "segment" needs the segments frame')
        names = column_per_loan(features, segments, "segment_name")
        return names.str.startswith(HIGH_RISK_SEGMENTS).to_numpy(dtype="float64")
    raise ValueError(f"unknown target {target!r}; expected one of {TARGETS}")
