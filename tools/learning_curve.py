"""How the risk model's AUC settles as it learns from more loans: the curve behind var risk_training_rows.

Reads `loan_features` from a built warehouse and holds out a stratified sample of the labelled loans. For
each training size it fits the algorithm (ml.estimators, the warehouse's default parameters) on stratified
samples of that many of the other labelled loans, one per seed, drawn as ml.risk.training_sample draws the
build's. It prints per size the mean AUC on the held-out loans, its spread across seeds, its gap to the
largest size's, and the seconds per fit (docs/model-quality.md).

    python -m tools.learning_curve --warehouse WAREHOUSE.duckdb [--sizes 10000 50000 200000] [--seeds 3]
"""

import argparse
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from ml.estimators import RiskParameters, fit_estimator, positive_probability
from ml.features import model_features, with_extra_features
from ml.frames import in_loan_order, numeric_matrix
from ml.risk import ALGORITHMS, training_sample
from ml.run_metrics import actual_outcome
from tools.markdown import as_markdown

SIZES = (10_000, 25_000, 50_000, 100_000, 200_000, 400_000)


def learning_curve(
    features: pd.DataFrame,
    sizes: tuple[int, ...] = SIZES,
    algorithm: str = "random_forest",
    seeds: int = 3,
    held_out_rows: int = 100_000,
    n_jobs: int = -1,
) -> pd.DataFrame:
    """One row per training size (the sizes larger than the loans left after the held-out ones are dropped):
    mean held-out AUC over `seeds` draws, its standard deviation, and the mean seconds per fit. The held-out
    loans are the same for every size and draw, and never in a training sample."""
    features = with_extra_features(in_loan_order(features))
    labels = actual_outcome(features)
    labelled = np.flatnonzero(~np.isnan(labels))
    names = model_features(features)
    x = numeric_matrix(features, names)
    held_out = labelled[training_sample(labels[labelled], min(held_out_rows, len(labelled) // 2), 0)]
    pool = np.setdiff1d(labelled, held_out, assume_unique=True)
    rows = []
    for size in (size for size in sizes if size <= len(pool)):
        aucs, seconds = [], []
        for seed in range(1, seeds + 1):
            chosen = pool[training_sample(labels[pool], size, seed)]
            started = time.perf_counter()
            params = RiskParameters(random_state=seed)
            model = fit_estimator(algorithm, x[chosen], labels[chosen], params, n_jobs)
            seconds.append(time.perf_counter() - started)
            aucs.append(roc_auc_score(labels[held_out], positive_probability(model, x[held_out], n_jobs)))
        rows.append(
            {
                "training_loans": size,
                "held_out_auc": float(np.mean(aucs)),
                "auc_sd_across_seeds": float(np.std(aucs, ddof=1)) if seeds > 1 else None,
                "fit_seconds": float(np.mean(seconds)),
            }
        )
    curve = pd.DataFrame(rows)
    if not curve.empty:
        curve["gap_to_largest"] = curve["held_out_auc"] - curve["held_out_auc"].iloc[-1]
    curve.attrs["held_out_loans"] = len(held_out)
    return curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a built DuckDB warehouse")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--algorithm", choices=ALGORITHMS, default="random_forest")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--held-out", type=int, default=100_000, help="labelled loans held out for the AUC")
    args = parser.parse_args()
    with duckdb.connect(str(args.warehouse), read_only=True) as connection:
        features = connection.execute("select * from loan_features").df()
    curve = learning_curve(features, tuple(args.sizes), args.algorithm, args.seeds, args.held_out)
    held_out = curve.attrs["held_out_loans"]
    print(f"{args.algorithm}, {held_out:,} held-out loans, {args.seeds} draws per size\n")
    print(as_markdown(curve))


if __name__ == "__main__":
    main()
