"""Loan risk score: a Random Forest's probability that a loan is high risk, and a record of each run.

Two targets say what "high risk" means:

- "outcome": the loan was not fully recovered (LABEL); learnt from resolved loans only.
- "segment": the source documents' method; the borrower's segment is one of HIGH_RISK_SEGMENTS. Learnt
  from every loan, so it needs the segments from ml.segmentation.

Every loan the model learns from is scored out of fold (stratified K-fold): no score comes from a model
that saw that loan's label. The other loans (open loans under "outcome") are scored by a model fitted on
all training loans. Model quality is always measured against the actual outcome of resolved loans,
whatever the target.
"""

import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.parallel import Parallel, delayed

from ml.features import ID_COLUMN, LABEL, model_features
from ml.frames import column_per_loan, content_hash, in_loan_order, numeric_matrix

ALGORITHM = "random_forest"
TARGETS = ("outcome", "segment")
# Prefixes, so that extra clusters such as "High Loan, Higher Default Risk (2)" are high risk too.
HIGH_RISK_SEGMENTS = ("Moderate Income, High Loan Burden", "High Loan, Higher Default Risk")
PREDICTION_BLOCK_ROWS = 20_000


@dataclass(frozen=True)
class ForestParameters:
    """Settings of a risk model run; all of them enter the run id.

    Leaves of at least 10 loans give smooth probabilities rather than the 0/1 votes of fully grown trees. Each
    tree learns from a bootstrap of at most `max_samples` loans, which bounds time and memory on 1M loans.
    """

    n_folds: int = 5
    random_state: int = 42
    n_estimators: int = 300
    min_samples_leaf: int = 10
    max_features: str | float = "sqrt"
    max_samples: int | None = 100_000

    def __post_init__(self) -> None:
        if self.n_folds < 2:
            raise ValueError(f"n_folds must be at least 2, got {self.n_folds}")
        if self.n_estimators < 1 or self.min_samples_leaf < 1:
            raise ValueError("n_estimators and min_samples_leaf must be at least 1")
        if self.max_samples is not None and self.max_samples < 1:
            raise ValueError(f"max_samples must be at least 1 or None, got {self.max_samples}")


def score_loans(
    features: pd.DataFrame,
    target: str = "outcome",
    segments: pd.DataFrame | None = None,
    n_jobs: int = -1,
    **parameters,
) -> pd.DataFrame:
    """One row per loan: loan_id, risk_score (probability in [0, 1]), is_out_of_fold, run_id.

    `parameters` are the fields of ForestParameters; `n_jobs` only changes speed, never the scores.
    """
    features = in_loan_order(features)
    run = _prepare_run(features, target, segments, parameters)
    params, labels, training, x = run.parameters, run.labels, run.training, run.x
    scores = np.empty(len(features))

    rows = np.flatnonzero(training)
    folds = StratifiedKFold(params.n_folds, shuffle=True, random_state=params.random_state)
    for fit_rows, held_out_rows in folds.split(rows, labels[rows]):
        model = _fit(x[rows[fit_rows]], labels[rows[fit_rows]], params, n_jobs)
        scores[rows[held_out_rows]] = _positive_probability(model, x[rows[held_out_rows]], n_jobs)
    if not training.all():
        model = _fit(x[training], labels[training], params, n_jobs)
        scores[~training] = _positive_probability(model, x[~training], n_jobs)

    return pd.DataFrame(
        {
            ID_COLUMN: features[ID_COLUMN].to_numpy(),
            "risk_score": scores,
            "is_out_of_fold": training,
            "run_id": run.run_id,
        }
    )


def model_run_summary(
    features: pd.DataFrame,
    scores: pd.DataFrame,
    target: str = "outcome",
    segments: pd.DataFrame | None = None,
    threshold: float = 0.5,
    **parameters,
) -> pd.DataFrame:
    """One row describing the run that produced `scores` from these inputs and parameters, with its metrics.

    The cv_* metrics compare the scores of resolved loans (out of fold wherever the loan was in training) with
    their actual outcome; a loan is flagged high risk when its score is at least `threshold`. label_roc_auc
    compares the out-of-fold scores with the label the model learnt. A metric is missing when it is undefined
    (e.g. an AUC with a single class). Raises ValueError when the scores come from another run.
    """
    features = in_loan_order(features)
    run = _prepare_run(features, target, segments, parameters)
    produced_by = set(scores["run_id"].unique())
    if produced_by != {run.run_id}:
        raise ValueError(f"scores come from run(s) {sorted(produced_by)}, these inputs give run {run.run_id}")
    risk_score = column_per_loan(features, scores, "risk_score").to_numpy(dtype="float64")

    labels, training = run.labels, run.training
    outcome = _outcome(features)
    resolved = ~np.isnan(outcome)
    actual, scored = outcome[resolved], risk_score[resolved]
    flagged = scored >= threshold
    summary = {
        "run_id": run.run_id,
        "target": target,
        "algorithm": ALGORITHM,
        "parameters": json.dumps(asdict(run.parameters), sort_keys=True),
        "features": json.dumps(run.feature_names),
        "n_training_rows": int(training.sum()),
        "n_scored_rows": len(scores),
        "n_positive_labels": int(labels[training].sum()),
        "n_evaluation_rows": int(resolved.sum()),
        "threshold": threshold,
        "cv_roc_auc": _roc_auc(actual, scored),
        "cv_precision": actual[flagged].mean() if flagged.any() else None,
        "cv_recall": flagged[actual == 1].mean() if (actual == 1).any() else None,
        "cv_brier": ((scored - actual) ** 2).mean() if resolved.any() else None,
        "label_roc_auc": _roc_auc(labels[training], risk_score[training]),
    }
    metrics = ["cv_roc_auc", "cv_precision", "cv_recall", "cv_brier", "label_roc_auc"]
    return pd.DataFrame([summary]).astype({metric: "Float64" for metric in metrics})


@dataclass(frozen=True)
class _Run:
    parameters: ForestParameters
    labels: np.ndarray
    training: np.ndarray
    feature_names: list[str]
    x: np.ndarray
    run_id: str


def _prepare_run(
    features: pd.DataFrame, target: str, segments: pd.DataFrame | None, parameters: dict
) -> _Run:
    params = ForestParameters(**parameters)
    labels = _training_labels(features, target, segments)
    training = ~np.isnan(labels)
    if training.sum() < params.n_folds:
        raise ValueError(f"{int(training.sum())} training loans, fewer than the {params.n_folds} folds")
    feature_names = model_features(features)
    x = numeric_matrix(features, feature_names)
    run_id = _run_id(target, params, feature_names, features[ID_COLUMN], x, labels, training)
    return _Run(params, labels, training, feature_names, x, run_id)


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


def _run_id(
    target: str,
    params: ForestParameters,
    feature_names: list[str],
    loan_ids: pd.Series,
    x: np.ndarray,
    labels: np.ndarray,
    training: np.ndarray,
) -> str:
    spec = {"target": target, "algorithm": ALGORITHM, "parameters": asdict(params), "features": feature_names}
    training_data = pd.DataFrame(x[training], columns=feature_names).assign(
        loan_id=loan_ids.astype(str).to_numpy()[training], label=labels[training]
    )
    return content_hash(spec, training_data)


def _fit(x: np.ndarray, y: np.ndarray, params: ForestParameters, n_jobs: int) -> RandomForestClassifier:
    model = RandomForestClassifier(
        n_estimators=params.n_estimators,
        min_samples_leaf=params.min_samples_leaf,
        max_features=params.max_features,
        max_samples=None if params.max_samples is None else min(params.max_samples, len(y)),
        random_state=params.random_state,
        n_jobs=n_jobs,
    )
    return model.fit(x, y)


def _positive_probability(model: RandomForestClassifier, x: np.ndarray, n_jobs: int) -> np.ndarray:
    # A training set with a single class gives a single probability column.
    if 1.0 not in model.classes_:
        return np.zeros(len(x))
    # A parallel forest adds up its trees in whichever order its threads finish, which changes the last bit of
    # some scores from run to run; threads over blocks of loans, each adding the trees in order, do not.
    model.set_params(n_jobs=1)
    blocks = np.array_split(x, -(-len(x) // PREDICTION_BLOCK_ROWS))
    probabilities = Parallel(n_jobs=n_jobs, prefer="threads")(delayed(model.predict_proba)(b) for b in blocks)
    return np.concatenate(probabilities)[:, list(model.classes_).index(1.0)]


def _roc_auc(actual: np.ndarray, scored: np.ndarray) -> float | None:
    return float(roc_auc_score(actual, scored)) if len(np.unique(actual)) == 2 else None
