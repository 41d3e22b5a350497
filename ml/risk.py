"""Loan risk score: calibrated probabilities from one of three estimators, compared on the same folds, saved.

Two targets say what "high risk" means:

- "outcome": the loan was not fully recovered (LABEL); learnt from resolved loans only.
- "segment": the source documents' method; the borrower's segment is one of HIGH_RISK_SEGMENTS. Learnt
  from every loan, so it needs the segments from ml.segmentation.

Three estimators (ALGORITHMS) learn on the same stratified folds, so their metrics compare like for like:
random_forest (the source documents'), hist_gradient_boosting, and logistic_regression on standardised
features as the baseline. They learn from a stratified random sample of at most `training_rows` of the loans
with a label (var risk_training_rows; the same sample for every algorithm): on 1M loans, 200,000 rank
outcomes as well as all of them (see RiskParameters) at a fraction of the cost. Every loan of the sample is
scored out of fold (is_out_of_fold): no score comes from a model that saw that loan's label. Every other
loan (labelled loans outside the sample, and open loans under "outcome") is scored by the final model,
fitted on the whole sample, which never saw it either; so every score is honest and the metrics use them all.

Scores are calibrated so that 0.75 means three in four: a Platt calibrator (a logistic regression on the
log-odds of the raw score) maps raw scores to probabilities. Cross-fitted: the out-of-fold scores of fold k
are calibrated by a calibrator fitted on the out-of-fold scores and labels of the other folds only; the
final model's calibrator uses every training loan's out-of-fold score.

Each fit is a FittedModel, saved with its run id (save_model / load_model), so a later build can score new
loans with it instead of refitting (score_with_model). Model quality (model_run_summary) is always measured
against the actual outcome of resolved loans, whatever the target.
"""

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from ml.drift import Binning, reference_binning
from ml.explain import permutation_importance
from ml.features import ID_COLUMN, LABEL, model_features
from ml.frames import column_per_loan, content_hash, in_loan_order, numeric_matrix

ALGORITHMS = ("random_forest", "hist_gradient_boosting", "logistic_regression")
TARGETS = ("outcome", "segment")
# Prefixes, so that extra clusters such as "High Loan, Higher Default Risk (2)" are high risk too.
HIGH_RISK_SEGMENTS = ("Moderate Income, High Loan Burden", "High Loan, Higher Default Risk")
PREDICTION_BLOCK_ROWS = 20_000
# Loans outside the training sample are scored this many at a time (each block split again for the threads).
SCORING_BLOCK_ROWS = 500_000
# Equal-count score bins of the expected calibration error and of the score_calibration mart.
CALIBRATION_BINS = 10
# Raw scores are clipped this far from 0 and 1 before taking log-odds.
LOGIT_EPSILON = 1e-6
SCORE_COLUMNS = ["loan_id", "algorithm", "run_id", "risk_score", "is_out_of_fold", "is_selected"]


@dataclass(frozen=True)
class RiskParameters:
    """Settings of a risk model run; all of them enter the run id.

    The models learn from a stratified sample of at most `training_rows` labelled loans (None: all of
    them). Random forest: leaves of at least `min_samples_leaf` loans give smooth probabilities rather
    than the 0/1 votes of fully grown trees; each tree learns from a bootstrap of `max_samples` loans of
    the sample, so the trees are cheap and differ. Measured on 1M synthetic loans (tools.synthetic --seed 7;
    ROC AUC on 200,000 held-out resolved loans): these defaults (100 trees, leaves of 20, 15,000 loans per
    tree, 200,000-loan sample) reach 0.8386; 100 trees with the former leaves of 10 and 100,000 loans per
    tree, fitted on all 600,000 other resolved loans, 0.8383 at several times the cost; the defaults on a
    100,000-loan sample 0.8381, with 70 trees 0.8383. Gradient boosting and the logistic regression use
    scikit-learn's defaults (the regression on standardised features, missing values replaced by the
    median plus a flag, up to 1,000 iterations). Permutation importance shuffles each feature
    `importance_repeats` times on at most `importance_rows` held-out loans per fold.
    """

    n_folds: int = 5
    random_state: int = 42
    training_rows: int | None = 200_000
    n_estimators: int = 100
    min_samples_leaf: int = 20
    max_features: str | float = "sqrt"
    max_samples: int | None = 15_000
    importance_repeats: int = 3
    importance_rows: int = 2_000

    def __post_init__(self) -> None:
        if self.n_folds < 2:
            raise ValueError(f"n_folds must be at least 2, got {self.n_folds}")
        if self.n_estimators < 1 or self.min_samples_leaf < 1:
            raise ValueError("n_estimators and min_samples_leaf must be at least 1")
        if self.training_rows is not None and self.training_rows < self.n_folds:
            raise ValueError(f"training_rows must be None or at least n_folds, got {self.training_rows}")
        if self.max_samples is not None and self.max_samples < 1:
            raise ValueError(f"max_samples must be at least 1 or None, got {self.max_samples}")
        if self.importance_repeats < 1 or self.importance_rows < 2:
            raise ValueError("importance_repeats must be at least 1 and importance_rows at least 2")


class PlattCalibrator:
    """Maps raw scores to probabilities with a logistic regression on their log-odds (Platt scaling).

    With a single label class it returns that class's rate: there is nothing to calibrate against.
    """

    def fit(self, raw: np.ndarray, labels: np.ndarray) -> "PlattCalibrator":
        self.constant = float(labels.mean()) if len(np.unique(labels)) < 2 else None
        if self.constant is None:
            self.regression = LogisticRegression(C=1e6).fit(_logit(raw)[:, None], labels)
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        if self.constant is not None:
            return np.full(len(raw), self.constant)
        return self.regression.predict_proba(_logit(raw)[:, None])[:, 1]


@dataclass
class FittedModel:
    """A fitted risk model with what later builds need to score, explain and monitor new loans with it."""

    run_id: str
    algorithm: str
    target: str
    parameters: RiskParameters
    feature_names: list[str]
    estimator: object
    calibrator: PlattCalibrator
    # Median of each feature over the training loans: the "typical loan" reason codes compare with.
    typical_values: np.ndarray
    # Binned distribution of each feature and of the calibrated out-of-fold score over the training loans,
    # which population stability compares the scored loans with.
    feature_reference: dict[str, Binning]
    score_reference: Binning
    summary: dict = field(default_factory=dict)
    importance: pd.DataFrame | None = None

    def predict(self, x: np.ndarray, n_jobs: int = -1) -> np.ndarray:
        """Calibrated probability of a positive label for each row of the feature matrix."""
        return self.calibrator.predict(_positive_probability(self.estimator, x, n_jobs))

    def feature_matrix(self, features: pd.DataFrame) -> np.ndarray:
        """The model's features from a loan_features-like frame; ValueError naming any that is missing."""
        missing = [column for column in self.feature_names if column not in features]
        if missing:
            raise ValueError(f"model {self.run_id} needs column(s) {', '.join(missing)}")
        return numeric_matrix(features, self.feature_names)


def score_loans(
    features: pd.DataFrame,
    target: str = "outcome",
    segments: pd.DataFrame | None = None,
    algorithm: str = "random_forest",
    compare: bool = False,
    model_dir: str | Path | None = None,
    saved_run_id: str = "",
    threshold: float = 0.5,
    n_jobs: int = -1,
    **parameters,
) -> pd.DataFrame:
    """Scores per loan and algorithm (SCORE_COLUMNS); the rows with is_selected drive strategy.

    With `saved_run_id` the loans are scored by that saved model (from `model_dir`), nothing is refitted and
    no score is out of fold. Otherwise `algorithm` is fitted (every algorithm when `compare`), each fit is
    saved in `model_dir` when given, and the selected algorithm's scores are flagged is_selected.
    `parameters` are the fields of RiskParameters; `n_jobs` only changes speed, never the scores.
    """
    if saved_run_id:
        return score_with_model(load_model(model_dir, saved_run_id), features, n_jobs)
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; expected one of {ALGORITHMS}")
    algorithms = ALGORITHMS if compare else (algorithm,)
    fits = fit_risk_models(features, target, segments, algorithms, threshold, n_jobs, **parameters)
    frames = []
    for fitted, scores in fits:
        if model_dir is not None:
            save_model(fitted, model_dir)
        frames.append(scores.assign(is_selected=fitted.algorithm == algorithm))
    return pd.concat(frames, ignore_index=True)[SCORE_COLUMNS]


def fit_risk_models(
    features: pd.DataFrame,
    target: str = "outcome",
    segments: pd.DataFrame | None = None,
    algorithms: tuple[str, ...] = ("random_forest",),
    threshold: float = 0.5,
    n_jobs: int = -1,
    **parameters,
) -> list[tuple[FittedModel, pd.DataFrame]]:
    """Fit each algorithm on the same sample and folds; per algorithm the FittedModel and its loan scores."""
    features = in_loan_order(features)
    params = RiskParameters(**parameters)
    labels = _training_labels(features, target, segments)
    labelled = np.flatnonzero(~np.isnan(labels))
    if len(labelled) < params.n_folds:
        raise ValueError(f"{len(labelled)} training loans, fewer than the {params.n_folds} folds")
    feature_names = model_features(features)
    x = numeric_matrix(features, feature_names)
    rows = labelled[training_sample(labels[labelled], params.training_rows, params.random_state)]
    training = np.zeros(len(features), dtype=bool)
    training[rows] = True
    y = labels[rows]
    folds = _fold_of_each_row(y, params)
    folds_id = content_hash(
        {"n_folds": params.n_folds, "random_state": params.random_state},
        pd.DataFrame(
            {ID_COLUMN: features[ID_COLUMN].iloc[rows].astype(str).to_numpy(), "fold": folds, "label": y}
        ),
    )
    training_data = pd.DataFrame(x[rows], columns=feature_names).assign(
        loan_id=features[ID_COLUMN].iloc[rows].astype(str).to_numpy(), label=y
    )
    typical_values = np.nanmedian(x[rows], axis=0)
    feature_reference = {name: reference_binning(x[rows, i]) for i, name in enumerate(feature_names)}
    fits = []
    for algorithm in algorithms:
        spec = {
            "target": target,
            "algorithm": algorithm,
            "parameters": asdict(params),
            "features": feature_names,
        }
        run_id = content_hash(spec, training_data)

        estimators = _fit_folds_and_final(algorithm, x[rows], y, folds, params, n_jobs)
        raw = np.empty(len(rows))
        importances = []
        for fold, estimator in enumerate(estimators[:-1]):
            held_out = folds == fold
            raw[held_out] = _positive_probability(estimator, x[rows[held_out]], n_jobs)
            importances.append(
                permutation_importance(
                    lambda matrix, model=estimator: _positive_probability(model, matrix, n_jobs),
                    x[rows[held_out]],
                    y[held_out],
                    feature_names,
                    repeats=params.importance_repeats,
                    max_rows=params.importance_rows,
                    seed=params.random_state + fold,
                ).assign(fold=fold)
            )
        calibrated = np.empty(len(rows))
        for fold in range(params.n_folds):
            held_out = folds == fold
            calibrator = PlattCalibrator().fit(raw[~held_out], y[~held_out])
            calibrated[held_out] = calibrator.predict(raw[held_out])

        fitted = FittedModel(
            run_id=run_id,
            algorithm=algorithm,
            target=target,
            parameters=params,
            feature_names=feature_names,
            estimator=estimators[-1],
            calibrator=PlattCalibrator().fit(raw, y),
            typical_values=typical_values,
            feature_reference=feature_reference,
            score_reference=reference_binning(calibrated),
        )
        scores = np.empty(len(features))
        scores[rows] = calibrated
        # The other loans in blocks, so that no copy of their whole feature matrix is made.
        others = np.flatnonzero(~training)
        for start in range(0, len(others), SCORING_BLOCK_ROWS):
            block = others[start : start + SCORING_BLOCK_ROWS]
            scores[block] = fitted.predict(x[block], n_jobs)
        frame = pd.DataFrame(
            {
                ID_COLUMN: features[ID_COLUMN].array,
                "algorithm": algorithm,
                "run_id": run_id,
                "risk_score": scores,
                "is_out_of_fold": training,
            }
        )
        fitted.importance = pd.concat(importances, ignore_index=True)
        fitted.summary = model_run_summary(features, frame, labels, threshold) | {
            "run_id": run_id,
            "target": target,
            "algorithm": algorithm,
            "parameters": json.dumps(asdict(params), sort_keys=True),
            "features": json.dumps(feature_names),
            "cv_folds_id": folds_id,
            "n_training_rows": len(rows),
            "n_labelled_rows": len(labelled),
            "n_positive_labels": int(y.sum()),
            "fitted_at": pd.Timestamp.now(tz="UTC"),
        }
        fits.append((fitted, frame))
    return fits


def model_run_summary(
    features: pd.DataFrame, scores: pd.DataFrame, labels: np.ndarray, threshold: float
) -> dict:
    """Metrics of one run's scores (in loan order of `features`) against the actual outcome.

    The cv_* metrics compare the scores of resolved loans with their actual outcome: out of fold for the
    training sample, by the final model (which never saw them) for the others; a loan is flagged high risk
    when its score is at least `threshold`. label_roc_auc compares the labelled loans' scores, equally honest,
    with the label the model learnt. A metric is None when
    it is undefined (e.g. an AUC with a single class).
    """
    risk_score = column_per_loan(features, scores, "risk_score").to_numpy(dtype="float64")
    training = ~np.isnan(labels)
    outcome = _outcome(features)
    resolved = ~np.isnan(outcome)
    actual, scored = outcome[resolved], risk_score[resolved]
    flagged = scored >= threshold
    return {
        "n_scored_rows": len(scores),
        "n_evaluation_rows": int(resolved.sum()),
        "threshold": threshold,
        "cv_roc_auc": _roc_auc(actual, scored),
        "cv_precision": float(actual[flagged].mean()) if flagged.any() else None,
        "cv_recall": float(flagged[actual == 1].mean()) if (actual == 1).any() else None,
        "cv_brier": float(((scored - actual) ** 2).mean()) if resolved.any() else None,
        "expected_calibration_error": expected_calibration_error(actual, scored),
        "label_roc_auc": _roc_auc(labels[training], risk_score[training]),
    }


def expected_calibration_error(
    actual: np.ndarray, scores: np.ndarray, n_bins: int = CALIBRATION_BINS
) -> float | None:
    """Mean |mean score - observed rate| over equal-count score bins, weighted by bin size.

    Bins follow SQL's ntile(n_bins) over the scores in increasing order (ties in the order given), as the
    score_calibration mart does. None without scores.
    """
    if len(scores) == 0:
        return None
    order = np.argsort(scores, kind="stable")
    bins = np.array_split(order, min(n_bins, len(scores)))
    gaps = [len(b) * abs(scores[b].mean() - actual[b].mean()) for b in bins]
    return float(sum(gaps) / len(scores))


def is_score_predictive(cv_roc_auc: float | None, min_auc: float) -> bool:
    """Whether a score ranks actual outcomes well enough to act on: cross-validated AUC at least min_auc."""
    return cv_roc_auc is not None and not np.isnan(cv_roc_auc) and cv_roc_auc >= min_auc


def run_summaries(scores: pd.DataFrame, model_dir: str | Path, min_auc: float) -> pd.DataFrame:
    """One row per run in `scores`: the saved model's summary and whether its score is predictive."""
    rows = [
        fitted.summary | {"is_score_predictive": is_score_predictive(fitted.summary["cv_roc_auc"], min_auc)}
        for fitted in saved_models(scores, model_dir)
    ]
    metrics = [
        "cv_roc_auc",
        "cv_precision",
        "cv_recall",
        "cv_brier",
        "expected_calibration_error",
        "label_roc_auc",
    ]
    return pd.DataFrame(rows).astype({metric: "Float64" for metric in metrics})


def score_with_model(fitted: FittedModel, features: pd.DataFrame, n_jobs: int = -1) -> pd.DataFrame:
    """Scores (SCORE_COLUMNS) of every loan by a saved model; nothing is refitted, nothing is out of fold."""
    features = in_loan_order(features)
    return pd.DataFrame(
        {
            ID_COLUMN: features[ID_COLUMN].array,
            "algorithm": fitted.algorithm,
            "run_id": fitted.run_id,
            "risk_score": fitted.predict(fitted.feature_matrix(features), n_jobs),
            "is_out_of_fold": False,
            "is_selected": True,
        }
    )


def save_model(fitted: FittedModel, model_dir: str | Path) -> Path:
    """Write the model to `<model_dir>/<run_id>.joblib` (atomically: a reader never sees half a file)."""
    directory = Path(model_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{fitted.run_id}.joblib"
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".tmp", delete=False) as handle:
        joblib.dump(fitted, handle)
    os.replace(handle.name, path)
    return path


def load_model(model_dir: str | Path, run_id: str) -> FittedModel:
    """The model saved with this run id; FileNotFoundError naming the file when there is none."""
    path = Path(model_dir) / f"{run_id}.joblib"
    if not path.exists():
        raise FileNotFoundError(f"no saved risk model {path}; fit one first (var risk_model_run_id empty)")
    return joblib.load(path)


def saved_models(scores: pd.DataFrame, model_dir: str | Path) -> list[FittedModel]:
    """The saved model of every run in `scores`, in run id order."""
    return [load_model(model_dir, run_id) for run_id in sorted(scores["run_id"].unique())]


def selected_model(scores: pd.DataFrame, model_dir: str | Path) -> FittedModel:
    """The saved model whose scores drive strategy (the is_selected rows)."""
    run_ids = scores.loc[scores["is_selected"].astype(bool), "run_id"].unique()
    if len(run_ids) != 1:
        raise ValueError(f"expected the scores of one selected run, got {sorted(run_ids)}")
    return load_model(model_dir, run_ids[0])


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
    subsets = [folds != fold for fold in range(params.n_folds)] + [np.ones(len(y), dtype=bool)]
    # The limit is process-wide: set once around all the fits, so that no fit ending lifts it for another.
    with threadpool_limits(1, user_api="openmp"):
        return Parallel(n_jobs=outer_jobs, prefer="threads")(
            delayed(_fit)(algorithm, x[subset], y[subset], params, inner_jobs) for subset in subsets
        )


def _fold_of_each_row(y: np.ndarray, params: RiskParameters) -> np.ndarray:
    folds = np.empty(len(y), dtype="int64")
    splitter = StratifiedKFold(params.n_folds, shuffle=True, random_state=params.random_state)
    for fold, (_, held_out) in enumerate(splitter.split(np.zeros(len(y)), y)):
        folds[held_out] = fold
    return folds


def _training_labels(features: pd.DataFrame, target: str, segments: pd.DataFrame | None) -> np.ndarray:
    """1/0 for the loans the model learns from, NaN for the others."""
    if target == "outcome":
        return _outcome(features)
    if target == "segment":
        if segments is None:
            raise ValueError('target "segment" needs the segments frame')
        names = column_per_loan(features, segments, "segment_name")
        return names.str.startswith(HIGH_RISK_SEGMENTS).to_numpy(dtype="float64")
    raise ValueError(f"unknown target {target!r}; expected one of {TARGETS}")


def _outcome(features: pd.DataFrame) -> np.ndarray:
    outcome = pd.to_numeric(features[LABEL], errors="coerce").astype("Float64").to_numpy(na_value=np.nan)
    if not np.isin(outcome[~np.isnan(outcome)], (0, 1)).all():
        raise ValueError(f"{LABEL} must be 1, 0 or missing")
    return outcome


def _fit(algorithm: str, x: np.ndarray, y: np.ndarray, params: RiskParameters, n_jobs: int):
    if len(np.unique(y)) < 2:
        # A single class: every estimator would predict it; the dummy says so without failing.
        return DummyClassifier(strategy="prior").fit(x, y)
    if algorithm == "random_forest":
        model = RandomForestClassifier(
            n_estimators=params.n_estimators,
            min_samples_leaf=params.min_samples_leaf,
            max_features=params.max_features,
            max_samples=None if params.max_samples is None else min(params.max_samples, len(y)),
            random_state=params.random_state,
            n_jobs=n_jobs,
        )
    elif algorithm == "hist_gradient_boosting":
        # One OpenMP thread (set below): with dbt running models side by side, OpenMP's spinning threads
        # made small fits twenty times slower on two cores.
        model = HistGradientBoostingClassifier(random_state=params.random_state)
    else:
        # Ledger features can be missing; the regression sees the median and a missing-value flag instead.
        model = make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True),
            StandardScaler(),
            LogisticRegression(max_iter=1_000),
        )
    with threadpool_limits(1, user_api="openmp"):
        return model.fit(x, y)


def _positive_probability(model, x: np.ndarray, n_jobs: int) -> np.ndarray:
    # A training set with a single class gives a single probability column.
    if 1.0 not in model.classes_:
        return np.zeros(len(x))
    if len(x) == 0:
        return np.zeros(0)
    # A parallel forest adds up its trees in whichever order its threads finish, which changes the last bit of
    # some scores from run to run; threads over blocks of loans, each adding the trees in order, do not.
    if isinstance(model, RandomForestClassifier):
        model.set_params(n_jobs=1)
    blocks = np.array_split(x, -(-len(x) // PREDICTION_BLOCK_ROWS))
    with threadpool_limits(1, user_api="openmp"):
        probabilities = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(model.predict_proba)(b) for b in blocks
        )
    return np.concatenate(probabilities)[:, list(model.classes_).index(1.0)]


def _logit(raw: np.ndarray) -> np.ndarray:
    clipped = np.clip(raw, LOGIT_EPSILON, 1 - LOGIT_EPSILON)
    return np.log(clipped / (1 - clipped))


def _roc_auc(actual: np.ndarray, scored: np.ndarray) -> float | None:
    return float(roc_auc_score(actual, scored)) if len(np.unique(actual)) == 2 else None
