"""Population stability: how far the loans being scored have drifted from the loans a model learnt from.

The population stability index (PSI) of a variable compares its distribution over the training loans
(expected, e) with its distribution over the scored loans (actual, a) on the same bins:

    PSI = sum over bins of (a - e) x ln(a / e)

Bins are the training values' deciles (fewer when values repeat, e.g. two for a flag), plus one bin for
missing values; shares are floored at SHARE_FLOOR so that an empty bin does not make the index infinite.
Rule of thumb: below 0.1 stable, 0.1 to 0.2 some shift, above 0.2 a shift worth acting on.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.features import ID_COLUMN, LABEL
from ml.frames import is_in

DRIFT_BINS = 10
SHARE_FLOOR = 1e-4
PSI_COLUMNS = [
    "run_id",
    "variable_name",
    "population_stability_index",
    "n_bins",
    "n_reference_rows",
    "n_scored_rows",
]


@dataclass(frozen=True)
class Binning:
    """Inner bin edges of a variable and the training loans' share in each bin (the last bin: missing)."""

    edges: np.ndarray
    shares: np.ndarray
    n_rows: int


def reference_binning(values: np.ndarray, n_bins: int = DRIFT_BINS) -> Binning:
    """Bins at the deciles of the (training) values, with their shares."""
    present = values[~np.isnan(values)]
    quantiles = np.linspace(0, 1, n_bins + 1)[1:-1]
    edges = np.array([])
    if len(present):
        # Quantiles that are values of the data, above its minimum: no bin is empty by construction.
        edges = np.unique(np.quantile(present, quantiles, method="inverted_cdf"))
        edges = edges[edges > present.min()]
    return Binning(edges, _shares(edges, values), len(values))


def population_stability_index(reference: Binning, values: np.ndarray) -> float | None:
    """PSI of `values` against the reference bins; None when there are no values."""
    if len(values) == 0:
        return None
    expected = np.maximum(reference.shares, SHARE_FLOOR)
    actual = np.maximum(_shares(reference.edges, values), SHARE_FLOOR)
    return float(((actual - expected) * np.log(actual / expected)).sum())


def population_stability(fitted, features: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """PSI of the score and of each feature: training loans vs the loans the fitted model itself scored.

    The scored loans are the rows of `scores` from this run that are not out of fold and have no label: the
    open loans when the model was just fitted under target outcome (none under target segment, where every
    loan has a label), every loan when a saved model scores new data. The labelled loans outside the training
    sample do not count: they are a random sample of the same loans, which would only dilute a drift. No
    rows when there are none.
    """
    run = scores[scores["run_id"] == fitted.run_id]
    out_of_fold = run["is_out_of_fold"].astype(bool)
    mine = run[~out_of_fold]
    if out_of_fold.any():
        unlabelled = features.loc[features[LABEL].isna(), ID_COLUMN] if fitted.target == "outcome" else []
        mine = mine[is_in(mine[ID_COLUMN], unlabelled)]
    scored = features[is_in(features[ID_COLUMN], mine[ID_COLUMN])]
    rows = []
    if len(mine):
        x = fitted.feature_matrix(scored)
        variables = [("risk_score", fitted.score_reference, mine["risk_score"].to_numpy(dtype="float64"))]
        variables += [
            (name, fitted.feature_reference[name], x[:, i]) for i, name in enumerate(fitted.feature_names)
        ]
        rows = [
            (
                fitted.run_id,
                name,
                population_stability_index(reference, values),
                len(reference.shares),
                reference.n_rows,
                len(values),
            )
            for name, reference, values in variables
        ]
    return pd.DataFrame(rows, columns=PSI_COLUMNS).astype(
        {
            "population_stability_index": "float64",
            "n_bins": "int64",
            "n_reference_rows": "int64",
            "n_scored_rows": "int64",
            "run_id": object,
            "variable_name": object,
        }
    )


def _shares(edges: np.ndarray, values: np.ndarray) -> np.ndarray:
    missing = np.isnan(values)
    counts = np.bincount(np.searchsorted(edges, values[~missing], side="right"), minlength=len(edges) + 1)
    counts = np.append(counts, missing.sum())
    return counts / max(len(values), 1)
