"""Why a model scores as it does: permutation importance on held-out loans, and per-loan reason codes.

Reason codes are the features with the largest positive contributions to a loan's calibrated score, i.e.
those that raise it most compared with a typical loan, in probability points. How a contribution is measured:

- Random forest (the default): tree path contributions. Along the loan's path down each tree, every split
  moves the share of positive training loans from the parent node to the child; the moves of the splits on
  a feature, averaged over the trees, are that feature's raw contribution, and the forest's probability is
  exactly the training loans' rate (the root) plus all contributions. In calibrated points, a feature's
  contribution is the loan's score minus its score without that feature's raw contribution. It costs one
  pass of the loans through the forest, where setting each feature to the median costs one per feature.
- Any other estimator: the loan's score minus its score with that one feature set to the training loans'
  median (the typical loan); one prediction per loan and feature, cheap for these estimators.
"""

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.ensemble import RandomForestClassifier
from sklearn.utils.parallel import Parallel, delayed

from ml.features import ID_COLUMN
from ml.frames import in_loan_order

REASON_COUNT = 3
# Loans explained per block of predictions: a block holds (features + 1) x this many rows.
EXPLAIN_BLOCK_LOANS = 5_000
# Loans per block of forest paths: a block holds loans x features contributions and each tree's leaf per loan.
PATH_BLOCK_LOANS = 20_000


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
        aucs = _roc_aucs(y, predict(np.vstack([x, *copies])).reshape(1 + len(copies), len(y)))
        drops = aucs[0] - aucs[1:].reshape(len(feature_names), repeats).mean(axis=1)
    return pd.DataFrame({"feature": feature_names, "auc_drop": drops, "n_rows": len(y)})


def _roc_aucs(y: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """ROC AUC of each row of `scores` against the 0/1 labels y, from ranks (Mann-Whitney; ties count half).

    The same value as sklearn's roc_auc_score, for every row in one pass instead of one call per row.
    """
    positive = y == 1
    n_positive, n_negative = positive.sum(), (~positive).sum()
    rank_sums = rankdata(scores, axis=1)[:, positive].sum(axis=1)
    return (rank_sums - n_positive * (n_positive + 1) / 2) / (n_positive * n_negative)


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
    raise the score. Contributions are in probability points of the fitted (final) model's calibrated score,
    measured as the module docstring says. `n_jobs` only changes speed, never the reasons.
    """
    features = in_loan_order(features)
    x = fitted.feature_matrix(features)
    names = np.array(fitted.feature_names, dtype=object)
    estimator = getattr(fitted, "estimator", None)
    block_loans = PATH_BLOCK_LOANS if isinstance(estimator, RandomForestClassifier) else EXPLAIN_BLOCK_LOANS
    blocks = [x[start : start + block_loans] for start in range(0, len(x), block_loans)]
    # Each block keeps only its top reasons, so memory holds loans x REASON_COUNT, not loans x features.
    if isinstance(estimator, RandomForestClassifier):
        paths = ForestPaths(estimator, len(names))

        def block_reasons(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            raw = paths.contributions(block)
            return _top_reasons(_calibrated_contributions(fitted, paths.root_rate, raw))

        # Threads over blocks of loans; each block adds the trees up in order, so the sums never vary.
        tops = Parallel(n_jobs=n_jobs, prefer="threads")(delayed(block_reasons)(block) for block in blocks)
    else:
        tops = [_top_reasons(_contributions(fitted, block, n_jobs)) for block in blocks]
    ranks = min(REASON_COUNT, len(names))
    columns = np.vstack([top[0] for top in tops]) if tops else np.zeros((0, ranks), dtype="int64")
    values = np.vstack([top[1] for top in tops]) if tops else np.zeros((0, ranks))
    frame = pd.DataFrame({ID_COLUMN: features[ID_COLUMN].array, "run_id": fitted.run_id})
    for rank in range(REASON_COUNT):
        column = columns[:, rank] if rank < ranks else np.zeros(len(x), dtype="int64")
        value = values[:, rank] if rank < ranks else np.zeros(len(x))
        raises = value > 0
        frame[f"reason_{rank + 1}"] = np.where(raises, names[column], None)
        frame[f"reason_{rank + 1}_contribution"] = np.where(raises, value, np.nan)
    return frame


def _top_reasons(contributions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per loan, the columns of its REASON_COUNT largest contributions and their values, largest first.

    A stable sort keeps ties in the features' order, so the order never varies.
    """
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :REASON_COUNT]
    return order, np.take_along_axis(contributions, order, axis=1)


def _contributions(fitted, x: np.ndarray, n_jobs: int) -> np.ndarray:
    """Score of each loan minus its score with one feature at a time set to the typical value."""
    n_loans, n_features = x.shape
    copies = np.repeat(x[None, :, :], n_features, axis=0)
    copies[np.arange(n_features), :, np.arange(n_features)] = fitted.typical_values[:, None]
    scores = fitted.predict(np.vstack([x, copies.reshape(-1, n_features)]), n_jobs)
    own, typical = scores[:n_loans], scores[n_loans:].reshape(n_features, n_loans)
    return (own[None, :] - typical).T


class ForestPaths:
    """Tree path contributions of a fitted random forest to its probability of the positive class."""

    def __init__(self, forest: RandomForestClassifier, n_features: int) -> None:
        positive = list(forest.classes_).index(1.0)
        self.trees = [tree.tree_ for tree in forest.estimators_]
        rates = [_positive_rate(tree, positive) for tree in self.trees]
        self.root_rate = float(np.mean([rate[0] for rate in rates]))
        self.node_contributions = [
            _node_contributions(tree, rate, n_features) for tree, rate in zip(self.trees, rates, strict=True)
        ]

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Loans x features: the forest's probability of each loan is root_rate plus its row's sum."""
        x32 = np.asarray(x, dtype=np.float32)
        total = np.zeros((len(x), self.node_contributions[0].shape[1]))
        for tree, per_node in zip(self.trees, self.node_contributions, strict=True):
            total += per_node[tree.apply(x32)]
        return total / len(self.trees)


def _positive_rate(tree, positive: int) -> np.ndarray:
    """Share of positive training loans (bootstrap-weighted) in each node: what a leaf predicts."""
    value = tree.value[:, 0, :]
    return value[:, positive] / value.sum(axis=1)


def _node_contributions(tree, rate: np.ndarray, n_features: int) -> np.ndarray:
    """Nodes x features: the moves in rate from the root to each node, summed per split feature."""
    per_node = np.zeros((tree.node_count, n_features))
    parents = np.array([0])
    while len(parents):
        parents = parents[tree.children_left[parents] >= 0]
        for children in (tree.children_left[parents], tree.children_right[parents]):
            per_node[children] = per_node[parents]
            per_node[children, tree.feature[parents]] += rate[children] - rate[parents]
        parents = np.concatenate([tree.children_left[parents], tree.children_right[parents]])
    return per_node


def _calibrated_contributions(fitted, root_rate: float, raw: np.ndarray) -> np.ndarray:
    """Calibrated score of each loan minus its calibrated score without one feature's raw contribution."""
    probability = root_rate + raw.sum(axis=1)
    own = fitted.calibrator.predict(probability)
    without = fitted.calibrator.predict((probability[:, None] - raw).ravel()).reshape(raw.shape)
    return own[:, None] - without
