"""Borrower segments: K-Means, DBSCAN or agglomerative clusters of the borrower profile, with business names.

Algorithms (var segmentation_algorithm): "kmeans" (default) fits on a random sample of KMEANS_SAMPLE_SIZE
loans (ten restarts on 1M loans took half a minute; the centroids of 100,000 loans are as good) and assigns
every loan to its nearest centroid; "agglomerative" (Ward) and "dbscan", whose cost grows with the square of
the rows, fit on a random sample of SAMPLE_SIZE loans and assign the rest (nearest centroid of the sample's
clusters; for DBSCAN, the cluster of the nearest core loan when it is within eps, else noise). DBSCAN finds
its own number of clusters; its noise loans form their own segment, id 0, NOISE_SEGMENT_NAME. K-Means and
agglomerative take k from var segment_count, or, when that is "auto" (or empty), choose it: the k in
K_CANDIDATES with the highest silhouette on the sample; the elbow of the within-segment sum of squares is
recorded alongside in segmentation_runs, not used.

A clustering numbers its clusters arbitrarily, so a cluster is named from what it looks like, never from its
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

    High Income, Light Burden           ( 1,   0, -1, -1)  high earners, light burden, few missed payments
    Moderate Income, Typical Burden     ( 0,   0,  0,  0)  the middle of the book
    Moderate Income, High Loan Burden   (-0.5, 0,  1,  0)  lower incomes carrying heavy repayments
    High Loan, In Arrears               ( 0,   1,  0,  1)  large loans in arrears, whatever the income

These names say only what the borrowers look like. The words on risk come from the segment's outcomes, added
where they are known (the borrower_segments mart, macro segment_risk_words).

Names go to clusters by the one-to-one assignment with the least total squared distance between positions
and profiles (Hungarian algorithm); a single cluster is the typical borrower (position 0). With fewer
than four clusters only the best-matching names are used; with more, each extra cluster takes its nearest
profile's name with a suffix " (2)", " (3)", ... in order of distance. segment_id numbers the segments
in SEGMENT_NAMES order, suffixed names last (0 for DBSCAN noise): neither names nor ids depend on the
cluster numbering.
"""

from functools import partial

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn import config_context
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ml.features import ID_COLUMN, SEGMENTATION_FEATURES, segmentation_features
from ml.frames import column_per_loan, content_hash_of_columns, in_loan_order, numeric_matrix
from ml.var_choices import SEGMENTATION_ALGORITHMS as ALGORITHMS

SEGMENT_NAMES = (
    "High Income, Light Burden",
    "Moderate Income, Typical Burden",
    "Moderate Income, High Loan Burden",
    "High Loan, In Arrears",
)

# DBSCAN's noise loans form their own segment, with id 0, named by this rather than a business profile.
NOISE = -1
NOISE_SEGMENT_NAME = "Atypical Profile (DBSCAN noise)"
# Agglomerative and DBSCAN fit on at most this many loans (their cost grows with the square of the rows),
# and so does the choice of k.
SAMPLE_SIZE = 5_000
# K-Means fits on at most this many loans and assigns the others to the nearest centroid.
KMEANS_SAMPLE_SIZE = 100_000
K_CANDIDATES = range(2, 9)
# Working memory (scikit-learn's working_memory, MB) of the silhouette's distances on its sample: 10,000 loans
# took 0.8 GB at the default of 1,024.
SILHOUETTE_WORKING_MEMORY_MB = 64

NAMING_AXES = {
    "income": ["monthly_income"],
    "loan_size": ["loan_amount"],
    "burden": ["emi_to_income_ratio", "loan_to_annual_income_ratio"],
    "delinquency": ["num_missed_payments", "days_past_due"],
}
# The loan_features columns that segmenting reads, which its models fetch alone (all of loan_features is a
# quarter of a GB at 1M loans): the profile and the naming axes.
SEGMENTATION_INPUTS = list(
    dict.fromkeys(
        [ID_COLUMN, *SEGMENTATION_FEATURES, *(c for columns in NAMING_AXES.values() for c in columns)]
    )
)

# Rows follow SEGMENT_NAMES, columns follow NAMING_AXES.
SEGMENT_PROFILES = np.array(
    [
        [1.0, 0.0, -1.0, -1.0],
        [0.0, 0.0, 0.0, 0.0],
        [-0.5, 0.0, 1.0, 0.0],
        [0.0, 1.0, 0.0, 1.0],
    ]
)


def segment_borrowers(
    features: pd.DataFrame,
    segmentation_algorithm: str = "kmeans",
    segment_count: int | None = 4,
    random_state: int = 42,
    sample_size: int = SAMPLE_SIZE,
) -> pd.DataFrame:
    """One row per loan: loan_id, segment_id (1 = first segment in SEGMENT_NAMES order) and segment_name.

    `segment_count` None means choose k by the silhouette rule (choose_segment_count); DBSCAN ignores it.
    """
    features = in_loan_order(features)
    if segmentation_algorithm not in ALGORITHMS:
        raise ValueError(
            f"unknown segmentation_algorithm {segmentation_algorithm!r}; expected one of {ALGORITHMS}"
        )
    if segment_count is not None and not 2 <= segment_count <= len(features):
        raise ValueError(
            f"segment_count must be between 2 and the number of loans ({len(features)}), got {segment_count}"
        )
    profile = standardised_profile(features)
    if segmentation_algorithm != "dbscan" and segment_count is None:
        segment_count = choose_segment_count(
            profile, segmentation_algorithm, random_state, sample_size
        ).attrs["chosen_k"]
    clusters = _cluster(profile, segmentation_algorithm, segment_count, random_state, sample_size)
    clustered = clusters != NOISE
    if clustered.all():  # no DBSCAN noise: name the clusters without a copy of the book
        names = name_clusters(features, clusters)
    elif clustered.any():
        names = name_clusters(features[clustered], clusters[clustered])
    else:
        names = {}
    segment_ids = {
        name: rank for rank, name in enumerate(sorted(names.values(), key=_canonical_position), start=1)
    } | {NOISE_SEGMENT_NAME: 0}
    # A lookup per cluster, not per loan: on 1M loans, mapping every loan's name took seconds.
    found, cluster_of_loan = np.unique(clusters, return_inverse=True)
    every_name = names | {NOISE: NOISE_SEGMENT_NAME}
    name_of_cluster = np.array([every_name[c] for c in found.tolist()], dtype=object)
    id_of_cluster = np.array([segment_ids[name] for name in name_of_cluster], dtype="int64")
    return pd.DataFrame(
        {
            ID_COLUMN: features[ID_COLUMN].array,
            "segment_id": id_of_cluster[cluster_of_loan],
            "segment_name": name_of_cluster[cluster_of_loan],
        }
    )


def standardised_profile(features: pd.DataFrame) -> np.ndarray:
    """The segmentation features the loans have values for, each centred and scaled to unit variance."""
    return standardised_in_place(numeric_matrix(features, segmentation_features(features)))


def standardised_in_place(profile: np.ndarray) -> np.ndarray:
    """The profile matrix itself, each column centred and scaled to unit variance (no copy: at 10M loans the
    matrix is 0.7 GB)."""
    return StandardScaler(copy=False).fit_transform(profile)


def choose_segment_count(
    profile: np.ndarray,
    algorithm: str = "kmeans",
    random_state: int = 42,
    sample_size: int = SAMPLE_SIZE,
    candidates: range = K_CANDIDATES,
) -> pd.DataFrame:
    """One row per candidate k: silhouette and within-segment sum of squares of the algorithm's fit.

    Fitted on a sample of at most `sample_size` loans. The chosen k (attrs["chosen_k"]) has the highest
    silhouette, the smallest such k on a tie. The elbow (attrs["elbow_k"], recorded, not used) is the k whose
    point lies farthest below the straight line from the first to the last point of the within-segment sum
    of squares curve, both axes scaled to [0, 1].
    """
    sample = profile[_sample_rows(len(profile), sample_size, random_state)]
    candidates = [k for k in candidates if k < len(sample)]
    if not candidates:
        raise ValueError(f"too few loans ({len(sample)}) to choose a number of segments")
    silhouettes, inertias = [], []
    for k in candidates:
        clusters = _cluster(sample, algorithm, k, random_state, len(sample))
        silhouettes.append(float(silhouette_score(sample, clusters)))
        inertias.append(_within_sum_of_squares(sample, clusters))
    curve = pd.DataFrame({"k": candidates, "silhouette": silhouettes, "within_sum_of_squares": inertias})
    curve.attrs["chosen_k"] = int(curve["k"][curve["silhouette"].idxmax()])
    curve.attrs["elbow_k"] = _elbow(curve["k"].to_numpy(), curve["within_sum_of_squares"].to_numpy())
    return curve


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
    features: pd.DataFrame,
    segments: pd.DataFrame,
    segmentation_algorithm: str = "kmeans",
    segment_count: int | None = 4,
    sample_size: int = 10_000,
    random_state: int = 42,
) -> dict:
    """Quality of a segmentation on the standardised profile, and how its number of segments was set.

    Silhouette (-1 to 1, higher is better; on a sample, to stay cheap on 1M loans), Davies-Bouldin (0 or
    more, lower is better) and Calinski-Harabasz (higher is better) over the clustered loans: DBSCAN's noise
    (segment 0) is not a cluster, so it is left out, and noise_share says how many loans that is. Each is None
    when undefined (a single segment, or one loan per segment).
    k_rule says how k was set: "set" (var segment_count), "silhouette" (choose_segment_count, whose curve is
    recorded as JSON with the elbow) or "density" (DBSCAN). run_id hashes the settings, the profile and the
    segments: the same segmentation of the same loans keeps its id.
    """
    features = in_loan_order(features)
    segment_ids = column_per_loan(features, segments, "segment_id").to_numpy(dtype="int64")
    profile_columns = segmentation_features(features)
    # One float matrix of the profile serves the run id (raw values) and then, scaled in place, the scores:
    # at 10M loans each copy of it is 0.7 GB.
    profile = numeric_matrix(features, profile_columns)
    spec = {
        "segmentation_algorithm": segmentation_algorithm,
        "segment_count": segment_count,
        "features": profile_columns,
        "sample_size": sample_size,
        "random_state": random_state,
    }
    run_id = content_hash_of_columns(
        spec,
        [*(partial(pd.Series, profile[:, position]) for position in range(len(profile_columns)))]
        + [
            lambda: features[ID_COLUMN].astype(str),
            partial(pd.Series, segment_ids),
            lambda: column_per_loan(features, segments, "segment_name").astype(object),
        ],
    )
    profile = standardised_in_place(profile)
    n_rows, n_segments_found = len(features), len(np.unique(segment_ids))
    noise = segment_ids == 0 if segmentation_algorithm == "dbscan" else np.zeros(n_rows, dtype=bool)
    clustered_profile, clustered_ids = (
        (profile[~noise], segment_ids[~noise]) if noise.any() else (profile, segment_ids)
    )
    n_clustered, n_clusters = len(clustered_ids), len(np.unique(clustered_ids))
    sample = min(sample_size, n_clustered)
    silhouette = davies_bouldin = calinski_harabasz = None
    if 2 <= n_clusters < sample:
        # One BLAS thread: the sample's distances are thin products that extra threads only slow down. And
        # its distances in blocks of SILHOUETTE_WORKING_MEMORY_MB, not scikit-learn's 1 GB.
        with (
            threadpool_limits(1, user_api="blas"),
            config_context(working_memory=SILHOUETTE_WORKING_MEMORY_MB),
        ):
            silhouette = float(
                silhouette_score(
                    clustered_profile,
                    clustered_ids,
                    sample_size=sample if sample < n_clustered else None,
                    random_state=random_state,
                )
            )
        davies_bouldin = float(davies_bouldin_score(clustered_profile, clustered_ids))
        calinski_harabasz = float(calinski_harabasz_score(clustered_profile, clustered_ids))
    curve = None
    if segmentation_algorithm == "dbscan":
        k_rule = "density"
    elif segment_count is None:
        k_rule = "silhouette"
        curve = choose_segment_count(profile, segmentation_algorithm, random_state, SAMPLE_SIZE)
    else:
        k_rule = "set"
    return {
        "run_id": run_id,
        "algorithm": segmentation_algorithm,
        "k_rule": k_rule,
        "n_rows": n_rows,
        "n_segments": n_segments_found,
        "n_noise_rows": int(noise.sum()),
        "noise_share": float(noise.mean()) if n_rows else None,
        "silhouette_score": silhouette,
        "silhouette_sample_size": sample,
        "davies_bouldin_score": davies_bouldin,
        "calinski_harabasz_score": calinski_harabasz,
        "elbow_k": None if curve is None else curve.attrs["elbow_k"],
        "k_candidates": None if curve is None else curve.to_json(orient="records"),
    }


def _cluster(
    profile: np.ndarray, algorithm: str, segment_count: int | None, random_state: int, sample_size: int
) -> np.ndarray:
    """Cluster number of each row (NOISE for DBSCAN's noise). Every algorithm fits on a sample.

    K-Means fits on at most KMEANS_SAMPLE_SIZE rows and assigns every row to its nearest centroid.
    Agglomerative (Ward) assigns the loans outside the sample to the nearest centroid of the sample's
    clusters. DBSCAN uses min_samples = 2 x features and eps = the knee of the sample's sorted distances to
    their min_samples-th neighbour (knee_of_k_distances); a loan outside the sample joins the cluster of its
    nearest core loan if that one is within eps, and is noise otherwise (DBSCAN's own rule).
    """
    if algorithm == "kmeans":
        fit_rows = _sample_rows(len(profile), KMEANS_SAMPLE_SIZE, random_state)
        kmeans = KMeans(n_clusters=segment_count, n_init=10, random_state=random_state)
        # One OpenMP thread: with other models running beside it, spinning threads made the fit five times
        # slower on two cores, and threads add up the centroids in whichever order they finish.
        with threadpool_limits(1, user_api="openmp"):
            return kmeans.fit(profile[fit_rows]).predict(profile)
    rows = _sample_rows(len(profile), sample_size, random_state)
    sample = profile[rows]
    clusters = np.empty(len(profile), dtype="int64")
    if algorithm == "agglomerative":
        fitted = AgglomerativeClustering(n_clusters=segment_count, linkage="ward").fit_predict(sample)
        centroids = np.vstack([sample[fitted == c].mean(axis=0) for c in range(segment_count)])
        clusters[:] = NearestNeighbors(n_neighbors=1).fit(centroids).kneighbors(profile)[1][:, 0]
    else:
        min_samples = 2 * profile.shape[1]
        neighbour_distances = NearestNeighbors(n_neighbors=min_samples).fit(sample).kneighbors(sample)[0]
        eps = knee_of_k_distances(neighbour_distances[:, -1])
        dbscan = DBSCAN(eps=eps, min_samples=min_samples).fit(sample)
        fitted = dbscan.labels_
        cores = dbscan.core_sample_indices_
        if len(cores):
            distance, nearest = NearestNeighbors(n_neighbors=1).fit(sample[cores]).kneighbors(profile)
            clusters[:] = np.where(distance[:, 0] <= eps, fitted[cores][nearest[:, 0]], NOISE)
        else:
            clusters[:] = NOISE
    clusters[rows] = fitted
    return clusters


def knee_of_k_distances(distances: np.ndarray) -> float:
    """DBSCAN's eps: the knee of the k-distance curve, where the sorted distances to the k-th neighbour turn
    from dense loans (flat) to outliers (steep). With both axes scaled to [0, 1], it is the point farthest
    below the chord from the first to the last point (the same rule as the elbow of the sum of squares)."""
    curve = np.sort(np.asarray(distances, dtype="float64"))
    if len(curve) < 3 or curve[-1] == curve[0]:
        return float(curve[-1])
    x = np.linspace(0.0, 1.0, len(curve))
    y = (curve - curve[0]) / (curve[-1] - curve[0])
    return float(curve[np.argmax(x - y)])


def _sample_rows(n_rows: int, sample_size: int, random_state: int) -> np.ndarray:
    if n_rows <= sample_size:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(random_state).choice(n_rows, sample_size, replace=False))


def _within_sum_of_squares(profile: np.ndarray, clusters: np.ndarray) -> float:
    return float(
        sum(
            ((profile[clusters == c] - profile[clusters == c].mean(axis=0)) ** 2).sum()
            for c in np.unique(clusters)
        )
    )


def _elbow(ks: np.ndarray, inertias: np.ndarray) -> int:
    if len(ks) < 3 or inertias[0] == inertias[-1]:
        return int(ks[0])
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    y = (inertias - inertias[-1]) / (inertias[0] - inertias[-1])
    # The chord runs from (0, 1) to (1, 0): distance below it is proportional to 1 - x - y.
    return int(ks[np.argmax(1 - x - y)])


def _cluster_positions(features: pd.DataFrame, members: np.ndarray) -> np.ndarray:
    per_loan = pd.DataFrame(
        {
            axis: features[columns].apply(pd.to_numeric).rank(pct=True).mean(axis=1) - 0.5
            for axis, columns in NAMING_AXES.items()
        }
    )
    positions = per_loan.groupby(members).mean().to_numpy()
    if len(positions) == 1:
        # A single cluster is the whole book: the typical borrower, nothing to spread.
        return np.zeros_like(positions)
    spread = np.sqrt((positions**2).mean(axis=0))
    return np.divide(positions, spread, out=np.zeros_like(positions), where=spread > 0)


def _canonical_position(name: str) -> tuple[int, int]:
    base, _, suffix = name.partition(" (")
    return (int(suffix.rstrip(")")) if suffix else 1, SEGMENT_NAMES.index(base))
