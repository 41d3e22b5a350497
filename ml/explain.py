"""Why a model scores as it does: permutation importance on held-out loans, and per-loan reason codes.

Reason codes compare each loan with the typical loan: a feature's contribution is the loan's calibrated score
minus its score with that one feature set to the training loans' median. The reasons are the features with
the largest positive contributions, i.e. those that raise the loan's score most. It works the same for every
estimator (no model internals), and one prediction per loan and feature is affordable on 1M loans.
"""

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from ml.features import ID_COLUMN
from ml.frames import in_loan_order

REASON_COUNT = 3
# Loans explained per block of predictions: a block holds (features + 1) x this many rows.
EXPLAIN_BLOCK_LOANS = 5_000


def permutation_importance(
    predict: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    feature_names: list[str],
    repeats: int = 3,
    max_rows: int = 2_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per feature, the mean drop in ROC AUC when that feature is shuffled among the (held-out) loans.

    At most `max_rows` loans are used (a random sample); every shuffled copy is scored in one call. The drop
    is missing when the AUC is undefined (a single class).
    """
    rng = np.random.default_rng(seed)
    if len(y) > max_rows:
        keep = np.sort(rng.choice(len(y), max_rows, replace=False))
        x, y = x[keep], y[keep]
    drops = np.full(len(feature_names), np.nan)
    if len(np.unique(y)) == 2:
        copies = []
        for column in range(len(feature_names)):
            for _ in range(repeats):
                shuffled = x.copy()
                shuffled[:, column] = rng.permutation(shuffled[:, column])
                copies.append(shuffled)
        scores = predict(np.vstack([x, *copies])).reshape(1 + len(copies), len(y))
        baseline = roc_auc_score(y, scores[0])
        permuted = np.array([roc_auc_score(y, s) for s in scores[1:]]).reshape(len(feature_names), repeats)
        drops = baseline - permuted.mean(axis=1)
    return pd.DataFrame({"feature": feature_names, "auc_drop": drops, "n_rows": len(y)})


def feature_importance(fitted_models: list) -> pd.DataFrame:
    """One row per model and feature: its permutation importance averaged over the held-out folds.

    importance_rank 1 is the feature whose shuffling costs the model the most AUC.
    """
    frames = []
    for fitted in fitted_models:
        per_fold = fitted.importance
        summary = (
            per_fold.groupby("feature", sort=False)["auc_drop"]
            .agg(mean_auc_drop="mean", std_auc_drop="std", n_folds="count")
            .reset_index()
            .sort_values(["mean_auc_drop", "feature"], ascending=[False, True], ignore_index=True)
        )
        frames.append(
            summary.assign(
                run_id=fitted.run_id,
                algorithm=fitted.algorithm,
                importance_rank=np.arange(1, len(summary) + 1),
                n_rows=int(per_fold.drop_duplicates("fold")["n_rows"].sum()),
            )
        )
    return pd.concat(frames, ignore_index=True)


def explain_scores(fitted, features: pd.DataFrame, n_jobs: int = -1) -> pd.DataFrame:
    """One row per loan: the REASON_COUNT features that raise its score most and by how much.

    Columns loan_id, run_id, reason_1, reason_1_contribution, ... ; a reason is missing when fewer features
    raise the score. Contributions are in probability points of the fitted (final) model's calibrated score.
    """
    features = in_loan_order(features)
    x = fitted.feature_matrix(features)
    names = np.array(fitted.feature_names, dtype=object)
    contributions = (
        np.vstack(
            [
                _contributions(fitted, x[start : start + EXPLAIN_BLOCK_LOANS], n_jobs)
                for start in range(0, len(x), EXPLAIN_BLOCK_LOANS)
            ]
        )
        if len(x)
        else np.zeros((0, len(names)))
    )
    # Largest first; ties by the feature's position, so the order never depends on the sort algorithm.
    order = np.lexsort((np.broadcast_to(np.arange(len(names)), contributions.shape), -contributions), axis=1)
    frame = pd.DataFrame({ID_COLUMN: features[ID_COLUMN].to_numpy(), "run_id": fitted.run_id})
    for rank in range(REASON_COUNT):
        column = order[:, rank] if rank < len(names) else np.zeros(len(x), dtype="int64")
        value = contributions[np.arange(len(x)), column] if rank < len(names) else np.zeros(len(x))
        raises = value > 0
        frame[f"reason_{rank + 1}"] = np.where(raises, names[column], None)
        frame[f"reason_{rank + 1}_contribution"] = np.where(raises, value, np.nan)
    return frame


def _contributions(fitted, x: np.ndarray, n_jobs: int) -> np.ndarray:
    """Score of each loan minus its score with one feature at a time set to the typical value."""
    n_loans, n_features = x.shape
    copies = np.repeat(x[None, :, :], n_features, axis=0)
    copies[np.arange(n_features), :, np.arange(n_features)] = fitted.typical_values[:, None]
    scores = fitted.predict(np.vstack([x, copies.reshape(-1, n_features)]), n_jobs)
    own, typical = scores[:n_loans], scores[n_loans:].reshape(n_features, n_loans)
    return (own[None, :] - typical).T
