"""Metrics of a risk model run, always measured against the actual outcome of resolved loans, whatever the
target the model learnt; the rows of the model_runs mart.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm, rankdata
from sklearn.metrics import roc_auc_score

from ml.features import LABEL
from ml.frames import column_per_loan
from ml.model_store import saved_models

# Equal-count score bins of the expected calibration error and of the score_calibration mart.
CALIBRATION_BINS = 10
# Coverage of the interval around the cross-validated AUC that is_score_predictive reads.
AUC_INTERVAL_LEVEL = 0.95


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
    outcome = actual_outcome(features)
    resolved = ~np.isnan(outcome)
    actual, scored = outcome[resolved], risk_score[resolved]
    flagged = scored >= threshold
    return {
        "n_scored_rows": len(scores),
        "n_evaluation_rows": int(resolved.sum()),
        "threshold": threshold,
        "cv_roc_auc": _roc_auc(actual, scored),
        **dict(zip(("cv_roc_auc_ci_low", "cv_roc_auc_ci_high"), auc_interval(actual, scored), strict=True)),
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


def auc_interval(actual: np.ndarray, scores: np.ndarray) -> tuple[float | None, float | None]:
    """AUC_INTERVAL_LEVEL confidence interval of the ROC AUC of `scores` against the 0/1 `actual`, by DeLong's
    method (the AUC's variance from each loan's placement among the other class; pROC's default), clipped to
    [0, 1]. One sort of the scores, so it costs no more on 1M loans than the AUC itself; (None, None) when the
    AUC is undefined."""
    positive = actual == 1
    n_positive, n_negative = int(positive.sum()), int((~positive).sum())
    if n_positive < 2 or n_negative < 2:
        return None, None
    ranks = rankdata(scores)
    # Share of the other class each loan outranks (ties count half).
    positive_placement = (ranks[positive] - rankdata(scores[positive])) / n_negative
    negative_placement = 1 - (ranks[~positive] - rankdata(scores[~positive])) / n_positive
    auc = positive_placement.mean()
    variance = positive_placement.var(ddof=1) / n_positive + negative_placement.var(ddof=1) / n_negative
    half_width = norm.ppf(0.5 + AUC_INTERVAL_LEVEL / 2) * np.sqrt(variance)
    return float(max(auc - half_width, 0.0)), float(min(auc + half_width, 1.0))


def is_score_predictive(cv_roc_auc_ci_low: float | None, min_predictive_auc: float) -> bool:
    """Whether a score ranks actual outcomes well enough to act on: the low end of the interval of its
    cross-validated AUC reaches min_predictive_auc, so an AUC that reaches it by luck on a few loans does not
    count."""
    return (
        cv_roc_auc_ci_low is not None
        and not np.isnan(cv_roc_auc_ci_low)
        and cv_roc_auc_ci_low >= min_predictive_auc
    )


def run_summaries(
    scores: pd.DataFrame, risk_model_dir: str | Path, min_predictive_auc: float
) -> pd.DataFrame:
    """One row per run in `scores`: the saved model's summary and whether its score is predictive."""
    rows = []
    for fitted in saved_models(scores, risk_model_dir):
        # Models saved before the interval was recorded get it as missing: not shown to be predictive; before
        # the features left out were recorded, missing too.
        summary = {
            "cv_roc_auc_ci_low": None,
            "cv_roc_auc_ci_high": None,
            "features_left_out": None,
        } | fitted.summary
        rows.append(
            summary
            | {"is_score_predictive": is_score_predictive(summary["cv_roc_auc_ci_low"], min_predictive_auc)}
        )
    metrics = [
        "cv_roc_auc",
        "cv_roc_auc_ci_low",
        "cv_roc_auc_ci_high",
        "cv_precision",
        "cv_recall",
        "cv_brier",
        "expected_calibration_error",
        "label_roc_auc",
    ]
    return pd.DataFrame(rows).astype({metric: "Float64" for metric in metrics})


def model_runs_rows(
    last_scoring: pd.DataFrame, risk_model_dir: str | Path, min_predictive_auc: float
) -> pd.DataFrame:
    """The rows of the model_runs mart: each run's summary (run_summaries) with the last build that scored
    loans with it (`last_scoring`: the rows of ml.refit_policy.LAST_SCORING_SQL)."""
    summaries = run_summaries(last_scoring[["run_id", "is_selected"]], risk_model_dir, min_predictive_auc)
    return summaries.merge(
        last_scoring.drop(columns="is_selected"), on="run_id", how="left", validate="one_to_one"
    )


def actual_outcome(features: pd.DataFrame) -> np.ndarray:
    """The actual outcome of each loan (LABEL): 1/0 for resolved loans, NaN for open ones."""
    outcome = pd.to_numeric(features[LABEL], errors="coerce").astype("Float64").to_numpy(na_value=np.nan)
    if not np.isin(outcome[~np.isnan(outcome)], (0, 1)).all():
        raise ValueError(f"{LABEL} must be 1, 0 or missing")
    return outcome


def _roc_auc(actual: np.ndarray, scored: np.ndarray) -> float | None:
    return float(roc_auc_score(actual, scored)) if len(np.unique(actual)) == 2 else None
