"""Why a model scores as it does: permutation importance on held-out loans, and per-loan reason codes.

Reason codes are the features with the largest positive contributions to a loan's calibrated score, in
probability points. Every loan is explained by the model that produced its risk_score: a loan scored out of
fold by its fold's estimator and calibrator, any other loan by the final model. Its contributions add up
exactly to its score minus a base (base_score), the score it is compared with:

- Random forest (the default): tree path contributions. Along the loan's path down each tree, every split
  moves the share of positive training loans from the parent node to the child; the moves of the splits on
  a feature, averaged over the trees, are that feature's raw contribution, and the forest's probability is
  exactly the training loans' rate (the root) plus all contributions. The base is the calibrated root rate,
  and the calibrated score's move from it is shared among the features in proportion to their raw
  contributions (the calibrator is increasing, so each keeps its sign). It costs one pass of the loans
  through the forest, where setting each feature to the median costs one per feature.
- Any other estimator: the base is the score of the typical loan (every feature at the training loans'
  median); a feature's contribution is the loan's score minus its score with that one feature set to the
  median, plus an equal share of what those differences leave unexplained (interactions). One prediction
  per loan and feature, cheap for these estimators.

Only the top REASON_COUNT raising features are listed; other_contribution is the sum of all the others, so
base_score + the listed contributions + other_contribution = risk_score.
"""

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.ensemble import RandomForestClassifier
from sklearn.utils.parallel import Parallel, delayed

from ml.features import ID_COLUMN
from ml.frames import in_loan_order, is_in

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


def explain_scores(
    fitted, features: pd.DataFrame, out_of_fold: pd.Series | None = None, n_jobs: int = -1
) -> pd.DataFrame:
    """One row per loan: the REASON_COUNT features that raise its score most, by how much, and the rest.

    Each loan is explained by the model that scored it: a loan in `out_of_fold` (loan ids scored out of fold)
    by its fold's estimator and calibrator (fitted.fold_models), every other loan by the final model. Columns
    loan_id, run_id, reason_1, reason_1_contribution, ..., base_score, other_contribution; a reason is
    missing when fewer features raise the score. Contributions are in probability points of that model's
    calibrated score and add up, with base_score and other_contribution, to exactly that score (the loan's
    risk_score), as the module docstring says. `n_jobs` only changes speed, never the reasons.
    """
    features = in_loan_order(features)
    x = fitted.feature_matrix(features)
    names = np.array(fitted.feature_names, dtype=object)
    explainer = _explainer_of_each_loan(fitted, features, out_of_fold)
    models = [fitted, *(replace(fitted, estimator=e, calibrator=c) for e, c in fitted_folds(fitted))]
    # Every block of every model's loans, in one pool of threads.
    tasks = []
    for group, model in enumerate(models):
        loans = np.flatnonzero(explainer == group)
        if len(loans):
            tasks += _block_tasks(model, x, loans)
    ranks = min(REASON_COUNT, len(names))
    columns = np.zeros((len(x), ranks), dtype="int64")
    values, base, other = np.zeros((len(x), ranks)), np.zeros(len(x)), np.zeros(len(x))
    parts = Parallel(n_jobs=n_jobs, prefer="threads")(delayed(task)() for _, task in tasks)
    for (loans, _), part in zip(tasks, parts, strict=True):
        columns[loans], values[loans], base[loans], other[loans] = part
    frame = pd.DataFrame({ID_COLUMN: features[ID_COLUMN].array, "run_id": fitted.run_id})
    for rank in range(REASON_COUNT):
        column = columns[:, rank] if rank < ranks else np.zeros(len(x), dtype="int64")
        value = values[:, rank] if rank < ranks else np.zeros(len(x))
        raises = value > 0
        frame[f"reason_{rank + 1}"] = np.where(raises, names[column], None)
        frame[f"reason_{rank + 1}_contribution"] = np.where(raises, value, np.nan)
    return frame.assign(base_score=base, other_contribution=other)


def fitted_folds(fitted) -> tuple:
    """The (estimator, calibrator) of each fold; none for a model saved before they were kept."""
    return getattr(fitted, "fold_models", ())


def _explainer_of_each_loan(fitted, features: pd.DataFrame, out_of_fold: pd.Series | None) -> np.ndarray:
    """0 for the loans the final model scored, 1 + k for those scored out of fold by fold k's model."""
    folds = getattr(fitted, "training_folds", None)
    if out_of_fold is None or folds is None or not fitted_folds(fitted):
        return np.zeros(len(features), dtype="int64")
    loan_ids = features[ID_COLUMN].astype(str)
    fold = loan_ids.map(folds).where(is_in(loan_ids, out_of_fold.astype(str)))
    return (fold.fillna(-1).to_numpy(dtype="int64") + 1).astype("int64")


def _block_tasks(model, x: np.ndarray, loans: np.ndarray) -> list:
    """(loan positions, task) per block of these loans: each task returns their top reason columns and
    contributions, base score and the rest of the contributions, by this model."""
    estimator = getattr(model, "estimator", None)
    is_forest = isinstance(estimator, RandomForestClassifier)
    block_loans = PATH_BLOCK_LOANS if is_forest else EXPLAIN_BLOCK_LOANS
    blocks = [loans[start : start + block_loans] for start in range(0, len(loans), block_loans)]
    # Each block keeps only its top reasons, so memory holds loans x REASON_COUNT, not loans x features.
    if is_forest:
        paths = ForestPaths(estimator, x.shape[1])

        # Each block adds the trees up in order, so the sums never vary with the threads.
        def task(block: np.ndarray):
            return lambda: _summary(
                *_calibrated_contributions(model, paths.root_rate, paths.contributions(x[block]))
            )

    else:

        def task(block: np.ndarray):
            return lambda: _summary(*_contributions(model, x[block], 1))

    return [(block, task(block)) for block in blocks]


def _summary(contributions: np.ndarray, base: np.ndarray) -> tuple:
    """Top reasons, their values, the base and the sum of every contribution that is not a listed reason."""
    columns, values = _top_reasons(contributions)
    listed = np.where(values > 0, values, 0).sum(axis=1)
    return columns, values, base, contributions.sum(axis=1) - listed


def _top_reasons(contributions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per loan, the columns of its REASON_COUNT largest contributions and their values, largest first.

    A stable sort keeps ties in the features' order, so the order never varies.
    """
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :REASON_COUNT]
    return order, np.take_along_axis(contributions, order, axis=1)


def _contributions(fitted, x: np.ndarray, n_jobs: int) -> tuple[np.ndarray, np.ndarray]:
    """Per feature, the loan's score minus its score with that feature alone set to the typical value, plus an
    equal share of what these do not add up to (the interactions): the contributions add up to the score minus
    the typical loan's score, the base."""
    n_loans, n_features = x.shape
    copies = np.repeat(x[None, :, :], n_features, axis=0)
    copies[np.arange(n_features), :, np.arange(n_features)] = fitted.typical_values[:, None]
    scores = fitted.predict(
        np.vstack([x, copies.reshape(-1, n_features), fitted.typical_values[None, :]]), n_jobs
    )
    own, typical, base = scores[:n_loans], scores[n_loans:-1].reshape(n_features, n_loans), scores[-1]
    alone = (own[None, :] - typical).T
    remainder = own - base - alone.sum(axis=1)
    return alone + remainder[:, None] / n_features, np.full(n_loans, base)


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


def _calibrated_contributions(fitted, root_rate: float, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The calibrated score's move from the base (the calibrated training rate) shared among the features in
    proportion to their raw path contributions: they add up to the loan's score minus the base."""
    probability = root_rate + raw.sum(axis=1)
    own = fitted.calibrator.predict(probability)
    base = fitted.calibrator.predict(np.array([root_rate]))[0]
    moved = probability - root_rate
    # The calibrator is increasing, so each share keeps its raw contribution's sign.
    scale = np.divide(own - base, moved, out=np.zeros(len(raw)), where=np.abs(moved) > 1e-12)
    return raw * scale[:, None], np.full(len(raw), base)
