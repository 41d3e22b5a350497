"""Borrower segments: K-Means on the standardised profile, named with the source documents' business names.

K-Means numbers its clusters arbitrarily, so a cluster is named from what it looks like, never from its
number. Each cluster is placed on four axes; a position is the mean over the cluster's loans of the
centred percentile rank (-0.5 to 0.5; ranks, so that a few huge incomes or loans do not dominate) of some
`loan_features` columns:

    income       monthly_income
    loan size    loan_amount
    burden       emi_to_income_ratio, loan_to_annual_income_ratio
    delinquency  num_missed_payments, days_past_due

Each axis is then divided by its root mean square over the clusters: 0 stays the typical borrower and the
clusters spread over about -1 to 1 on every axis, like the target profiles. From the source documents'
descriptions, each name has a target profile (income, loan size, burden, delinquency):

    High Income, Low Default Risk       ( 1,   0, -1, -1)  high earners, light burden, few missed payments
    Moderate Income, Medium Risk        ( 0,   0,  0,  0)  the middle of the book
    Moderate Income, High Loan Burden   (-0.5, 0,  1,  0)  lower incomes carrying heavy repayments
    High Loan, Higher Default Risk      ( 0,   1,  0,  1)  large loans in arrears, whatever the income

Names go to clusters by the one-to-one assignment with the least total squared distance between positions
and profiles (Hungarian algorithm). With fewer than four clusters only the best-matching names are used;
with more, each extra cluster takes its nearest profile's name with a suffix " (2)", " (3)", ... in order
of distance. segment_id numbers the segments in SEGMENT_NAMES order, suffixed names last: neither names
nor ids depend on the cluster numbering.
"""

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from ml.features import ID_COLUMN, SEGMENTATION_FEATURES
from ml.frames import column_per_loan, content_hash, in_loan_order, numeric_matrix

SEGMENT_NAMES = (
    "High Income, Low Default Risk",
    "Moderate Income, Medium Risk",
    "Moderate Income, High Loan Burden",
    "High Loan, Higher Default Risk",
)

NAMING_AXES = {
    "income": ["monthly_income"],
    "loan_size": ["loan_amount"],
    "burden": ["emi_to_income_ratio", "loan_to_annual_income_ratio"],
    "delinquency": ["num_missed_payments", "days_past_due"],
}

# Rows follow SEGMENT_NAMES, columns follow NAMING_AXES.
SEGMENT_PROFILES = np.array(
    [
        [1.0, 0.0, -1.0, -1.0],
        [0.0, 0.0, 0.0, 0.0],
        [-0.5, 0.0, 1.0, 0.0],
        [0.0, 1.0, 0.0, 1.0],
    ]
)


def segment_borrowers(features: pd.DataFrame, n_segments: int = 4, random_state: int = 42) -> pd.DataFrame:
    """One row per loan: loan_id, segment_id (1 = first segment in SEGMENT_NAMES order) and segment_name."""
    features = in_loan_order(features)
    if not 2 <= n_segments <= len(features):
        raise ValueError(
            f"n_segments must be between 2 and the number of loans ({len(features)}), got {n_segments}"
        )
    kmeans = KMeans(n_clusters=n_segments, n_init=10, random_state=random_state)
    clusters = kmeans.fit_predict(
        StandardScaler().fit_transform(numeric_matrix(features, SEGMENTATION_FEATURES))
    )
    names = name_clusters(features, clusters)
    segment_ids = {
        name: rank for rank, name in enumerate(sorted(names.values(), key=_canonical_position), start=1)
    }
    segment_names = pd.Series(clusters).map(names)
    return pd.DataFrame(
        {
            ID_COLUMN: features[ID_COLUMN].to_numpy(),
            "segment_id": segment_names.map(segment_ids).to_numpy(dtype="int64"),
            "segment_name": segment_names.to_numpy(dtype=object),
        }
    )


def name_clusters(features: pd.DataFrame, clusters: np.ndarray) -> dict[int, str]:
    """Business name of each cluster, from its members' profile (see the module docstring for the rule)."""
    labels, members = np.unique(np.asarray(clusters), return_inverse=True)
    positions = _cluster_positions(features, members)
    # Sorting the clusters by position first makes even tied assignments independent of the cluster numbering.
    order = np.lexsort(positions.T[::-1])
    positions = positions[order]
    distances = ((positions[:, None, :] - SEGMENT_PROFILES[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(distances)
    names = dict(zip(rows.tolist(), (SEGMENT_NAMES[col] for col in cols), strict=True))

    extras = [row for row in range(len(positions)) if row not in names]
    nearest = {row: int(distances[row].argmin()) for row in extras}
    for profile in sorted(set(nearest.values())):
        rivals = sorted(
            (row for row in extras if nearest[row] == profile), key=lambda row: distances[row, profile]
        )
        for suffix, row in enumerate(rivals, start=2):
            names[row] = f"{SEGMENT_NAMES[profile]} ({suffix})"
    return {labels[order[row]].item(): name for row, name in names.items()}


def segmentation_quality(
    features: pd.DataFrame, segments: pd.DataFrame, sample_size: int = 10_000, random_state: int = 42
) -> dict:
    """Silhouette score of the segments on the standardised profile; on a sample, to stay cheap on 1M loans.

    The score is None when it is undefined (a single segment, or one loan per segment). run_id hashes the
    profile, the segments and the sampling settings: the same segmentation of the same loans keeps its id.
    """
    features = in_loan_order(features)
    segment_ids = column_per_loan(features, segments, "segment_id")
    profile = numeric_matrix(features, SEGMENTATION_FEATURES)
    assignment = pd.DataFrame(profile, columns=SEGMENTATION_FEATURES).assign(
        loan_id=features[ID_COLUMN].astype(str).to_numpy(),
        segment_id=segment_ids.to_numpy(dtype="int64"),
        segment_name=column_per_loan(features, segments, "segment_name").to_numpy(dtype=object),
    )
    spec = {
        "algorithm": "kmeans",
        "features": SEGMENTATION_FEATURES,
        "sample_size": sample_size,
        "random_state": random_state,
    }
    n_rows, n_segments = len(features), segment_ids.nunique()
    sample = min(sample_size, n_rows)
    score = None
    if 2 <= n_segments < sample:
        score = float(
            silhouette_score(
                StandardScaler().fit_transform(profile),
                segment_ids.to_numpy(),
                sample_size=sample if sample < n_rows else None,
                random_state=random_state,
            )
        )
    return {
        "run_id": content_hash(spec, assignment),
        "silhouette_score": score,
        "silhouette_sample_size": sample,
        "n_rows": n_rows,
        "n_segments": n_segments,
    }


def _cluster_positions(features: pd.DataFrame, members: np.ndarray) -> np.ndarray:
    per_loan = pd.DataFrame(
        {
            axis: features[columns].apply(pd.to_numeric).rank(pct=True).mean(axis=1) - 0.5
            for axis, columns in NAMING_AXES.items()
        }
    )
    positions = per_loan.groupby(members).mean().to_numpy()
    spread = np.sqrt((positions**2).mean(axis=0))
    return np.divide(positions, spread, out=np.zeros_like(positions), where=spread > 0)


def _canonical_position(name: str) -> tuple[int, int]:
    base, _, suffix = name.partition(" (")
    return (int(suffix.rstrip(")")) if suffix else 1, SEGMENT_NAMES.index(base))
