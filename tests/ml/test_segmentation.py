"""Borrower segments: names come from cluster profiles, never from K-Means' arbitrary cluster numbers."""

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import davies_bouldin_score, silhouette_score
from sklearn.preprocessing import StandardScaler

import ml.segmentation
from ml.features import LABEL, SEGMENTATION_FEATURES
from ml.frames import in_loan_order
from ml.segmentation import (
    NOISE_SEGMENT_NAME,
    SEGMENT_NAMES,
    choose_segment_count,
    knee_of_k_distances,
    name_clusters,
    segment_borrowers,
    segmentation_quality,
    standardised_profile,
)

HIGH_INCOME, MEDIUM, BURDEN, HIGH_LOAN = SEGMENT_NAMES

# Typical loan of a cluster built to match each business name.
CLUSTER_TEMPLATES = {
    HIGH_INCOME: (250_000, 1_500_000, 60, 8, 30_000, 0),
    MEDIUM: (80_000, 800_000, 48, 11, 17_000, 2),
    BURDEN: (40_000, 900_000, 36, 14, 30_000, 4),
    HIGH_LOAN: (150_000, 6_000_000, 120, 12, 80_000, 8),
}
TEMPLATE_COLUMNS = [
    "monthly_income",
    "loan_amount",
    "loan_tenure_months",
    "interest_rate_pct",
    "monthly_emi",
    "missed",
]


def clustered_loans(
    names: list[str], per_cluster: int = 50, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Loans in well-separated clusters shaped like the named segments, and each loan's built cluster."""
    rng = np.random.default_rng(seed)
    built = np.repeat(np.arange(len(names)), per_cluster)
    template = pd.DataFrame([CLUSTER_TEMPLATES[names[i]] for i in built], columns=TEMPLATE_COLUMNS)
    noise = rng.uniform(0.95, 1.05, (len(built), 4))
    income = template["monthly_income"] * noise[:, 0]
    loan = template["loan_amount"] * noise[:, 1]
    emi = template["monthly_emi"] * noise[:, 2]
    missed = template["missed"] + rng.integers(0, 2, len(built))
    frame = pd.DataFrame(
        {
            "loan_id": [f"C{i:04d}" for i in range(len(built))],
            "monthly_income": income,
            "loan_amount": loan,
            "loan_tenure_months": template["loan_tenure_months"],
            "interest_rate_pct": template["interest_rate_pct"] * noise[:, 3],
            "collateral_value": loan * 0.8,
            "outstanding_loan_amount": loan * 0.5,
            "monthly_emi": emi,
            # Nullable integers, as DuckDB may hand them over.
            "num_missed_payments": pd.array(missed, dtype="Int64"),
            "days_past_due": missed * 30,
            "emi_to_income_ratio": emi / income,
            "loan_to_annual_income_ratio": loan / (12 * income),
            "collateral_coverage_ratio": 0.8,
            "outstanding_share": 0.5,
            "payment_history_rank": np.minimum(missed, 2),
            "is_self_employed": False,
            "is_business_owner": False,
            "is_home_loan": 1,
            "is_auto_loan": 0,
            "is_business_loan": 0,
            LABEL: pd.NA,
        }
    )
    return frame, built


def test_each_cluster_gets_the_name_of_the_profile_it_was_built_with():
    names = list(SEGMENT_NAMES)
    loans, built = clustered_loans(names)

    segments = segment_borrowers(loans, segment_count=4)

    assert list(segments.columns) == ["loan_id", "segment_id", "segment_name"]
    assert segments["loan_id"].tolist() == loans["loan_id"].tolist()
    assert segments["segment_name"].tolist() == [names[i] for i in built]
    # segment_id follows the business order of the names: 1 = High Income, Light Burden.
    assert segments["segment_id"].tolist() == (built + 1).tolist()


def test_names_do_not_depend_on_the_cluster_numbering(logistic_loans):
    features, _ = logistic_loans
    profile = StandardScaler().fit_transform(features[SEGMENTATION_FEATURES])
    clusters = KMeans(n_clusters=4, n_init=10, random_state=0).fit_predict(profile)
    reference = pd.Series(clusters).map(name_clusters(features, clusters))
    assert sorted(reference.unique()) == sorted(SEGMENT_NAMES)

    for permutation in itertools.permutations(range(4)):
        relabelled = np.array(permutation)[clusters] + 10
        names = pd.Series(relabelled).map(name_clusters(features, relabelled))
        assert names.equals(reference), permutation


def test_shuffling_the_loans_changes_no_loan_segment():
    loans, _ = clustered_loans(list(SEGMENT_NAMES))
    shuffled = loans.sample(frac=1, random_state=1)

    original = segment_borrowers(loans).set_index("loan_id")
    again = segment_borrowers(shuffled).set_index("loan_id").loc[original.index]

    assert again.equals(original)


def test_extra_clusters_take_the_nearest_name_with_a_suffix(logistic_loans):
    features, _ = logistic_loans

    segments = segment_borrowers(features, segment_count=6)

    names = segments.drop_duplicates("segment_id").set_index("segment_id")["segment_name"].sort_index()
    assert names.index.tolist() == [1, 2, 3, 4, 5, 6]
    assert names.iloc[:4].tolist() == list(SEGMENT_NAMES)
    for name in names.iloc[4:]:
        base, suffix = name.rsplit(" (", 1)
        assert base in SEGMENT_NAMES
        assert suffix in ("2)", "3)")
    assert names.is_unique


def test_fewer_clusters_take_the_best_matching_names():
    loans, built = clustered_loans([HIGH_INCOME, HIGH_LOAN])

    segments = segment_borrowers(loans, segment_count=2)

    assert segments["segment_name"].tolist() == [[HIGH_INCOME, HIGH_LOAN][i] for i in built]
    assert segments["segment_id"].tolist() == (built + 1).tolist()


@pytest.mark.parametrize("segment_count", [1, 201])
def test_impossible_segment_counts_are_refused(segment_count):
    loans, _ = clustered_loans(list(SEGMENT_NAMES))

    with pytest.raises(ValueError, match="segment_count"):
        segment_borrowers(loans, segment_count=segment_count)


def test_silhouette_is_high_for_clear_clusters_and_low_for_random_ones():
    loans, built = clustered_loans(list(SEGMENT_NAMES))
    segments = segment_borrowers(loans)
    shuffled = segments.assign(segment_id=np.random.default_rng(0).permutation(segments["segment_id"]))

    quality = segmentation_quality(loans, segments)
    sampled = segmentation_quality(loans, segments, sample_size=120)
    random = segmentation_quality(loans, shuffled)

    assert (quality["n_rows"], quality["n_segments"], quality["silhouette_sample_size"]) == (200, 4, 200)
    assert (quality["algorithm"], quality["k_rule"], quality["n_noise_rows"]) == ("kmeans", "set", 0)
    assert quality["silhouette_score"] > 0.5
    assert random["silhouette_score"] < 0.1
    assert quality["davies_bouldin_score"] < 0.5 < random["davies_bouldin_score"]
    assert quality["calinski_harabasz_score"] > 10 * random["calinski_harabasz_score"]
    assert sampled["silhouette_sample_size"] == 120
    assert sampled == segmentation_quality(loans, segments, sample_size=120)
    assert sampled["silhouette_score"] == pytest.approx(quality["silhouette_score"], abs=0.1)


def test_quality_needs_a_segment_for_every_loan():
    loans, _ = clustered_loans(list(SEGMENT_NAMES))
    segments = segment_borrowers(loans).iloc[1:]

    with pytest.raises(ValueError, match="no segment_id"):
        segmentation_quality(loans, segments)


def test_quality_run_id_changes_with_the_segments_only():
    loans, _ = clustered_loans(list(SEGMENT_NAMES))
    segments = segment_borrowers(loans)
    moved = segments.assign(segment_id=segments["segment_id"].where(segments.index > 0, 4))

    run_id = segmentation_quality(loans, segments)["run_id"]

    assert len(run_id) == 16
    assert segmentation_quality(loans.copy(), segments.copy())["run_id"] == run_id
    assert segmentation_quality(loans, moved)["run_id"] != run_id


def test_auto_k_takes_the_best_silhouette_and_records_the_elbow():
    names = [HIGH_INCOME, MEDIUM, HIGH_LOAN]
    loans, built = clustered_loans(names)

    curve = choose_segment_count(standardised_profile(loans))
    segments = segment_borrowers(loans, segment_count=None)
    quality = segmentation_quality(loans, segments, segment_count=None)

    assert curve["k"].tolist() == list(range(2, 9))
    assert curve.attrs["chosen_k"] == 3 and curve.attrs["elbow_k"] == 3
    assert curve["within_sum_of_squares"].is_monotonic_decreasing
    assert segments["segment_name"].tolist() == [names[i] for i in built]
    assert (quality["k_rule"], quality["elbow_k"], quality["n_segments"]) == ("silhouette", 3, 3)
    assert [row["k"] for row in json.loads(quality["k_candidates"])] == list(range(2, 9))


def test_agglomerative_on_a_sample_names_every_loan_like_its_built_cluster():
    names = list(SEGMENT_NAMES)
    loans, built = clustered_loans(names)

    segments = segment_borrowers(loans, segmentation_algorithm="agglomerative", sample_size=60)

    assert segments["segment_name"].tolist() == [names[i] for i in built]
    quality = segmentation_quality(loans, segments, segmentation_algorithm="agglomerative")
    assert quality["algorithm"] == "agglomerative"


def test_dbscan_puts_outliers_in_their_own_segment():
    names = list(SEGMENT_NAMES)
    loans, built = clustered_loans(names)
    outliers = loans.iloc[:3].assign(
        loan_id=["Z1", "Z2", "Z3"], monthly_income=[1e7, 2e7, 3e7], loan_amount=[1e9, 1e6, 1e8]
    )

    segments = segment_borrowers(
        pd.concat([loans, outliers]), segmentation_algorithm="dbscan", sample_size=150
    )
    quality = segmentation_quality(pd.concat([loans, outliers]), segments, segmentation_algorithm="dbscan")

    by_loan = segments.set_index("loan_id")
    assert by_loan.loc[["Z1", "Z2", "Z3"], "segment_name"].eq(NOISE_SEGMENT_NAME).all()
    assert by_loan.loc[["Z1", "Z2", "Z3"], "segment_id"].eq(0).all()
    clustered = by_loan.loc[loans["loan_id"]]
    assert clustered["segment_name"].tolist() == [names[i] for i in built]
    assert (quality["k_rule"], quality["n_noise_rows"], quality["n_segments"]) == ("density", 3, 5)
    assert quality["noise_share"] == pytest.approx(3 / (len(loans) + 3))
    # the quality scores are those of the four clusters alone: noise is not a cluster
    every_loan = in_loan_order(pd.concat([loans, outliers]))
    ids = every_loan["loan_id"].map(by_loan["segment_id"]).to_numpy()
    profile = standardised_profile(every_loan)
    assert quality["silhouette_score"] == pytest.approx(silhouette_score(profile[ids > 0], ids[ids > 0]))
    assert quality["davies_bouldin_score"] == pytest.approx(
        davies_bouldin_score(profile[ids > 0], ids[ids > 0])
    )


def test_dbscan_eps_is_the_knee_of_the_k_distance_curve():
    # 90 dense loans a tenth apart, then 10 outliers ever farther out: the knee is the last dense distance.
    distances = np.concatenate([np.full(90, 0.1) + np.linspace(0, 0.01, 90), np.linspace(1.0, 5.0, 10)])
    rng = np.random.default_rng(0)

    assert knee_of_k_distances(rng.permutation(distances)) == pytest.approx(0.11)
    assert knee_of_k_distances(np.array([0.3, 0.3, 0.3])) == pytest.approx(0.3)


def test_an_unknown_algorithm_is_refused():
    loans, _ = clustered_loans(list(SEGMENT_NAMES))

    with pytest.raises(ValueError, match="unknown segmentation_algorithm"):
        segment_borrowers(loans, segmentation_algorithm="spectral")


def test_kmeans_fitted_on_a_sample_puts_every_loan_in_the_segment_of_its_nearest_centroid(monkeypatch):
    loans, built = clustered_loans(list(SEGMENT_NAMES))
    monkeypatch.setattr(ml.segmentation, "KMEANS_SAMPLE_SIZE", len(loans) // 4)

    sampled = segment_borrowers(loans)

    assert sampled.equals(segment_borrowers(loans.sample(frac=1, random_state=2)))
    profile = ml.segmentation.standardised_profile(loans.sort_values("loan_id"))
    centroids = np.vstack([profile[sampled["segment_id"] == s].mean(axis=0) for s in range(1, 5)])
    nearest = ((profile[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2).argmin(axis=1) + 1
    assert (nearest == sampled["segment_id"]).mean() > 0.99
    built_names = pd.Series(np.array(SEGMENT_NAMES)[built], index=loans["loan_id"])
    assert (sampled["segment_name"].to_numpy() == built_names[sampled["loan_id"]].to_numpy()).all()


def test_a_loan_file_without_income_or_arrears_is_segmented_on_the_rest(logistic_loans):
    features, _ = logistic_loans
    absent = ["monthly_income", "num_missed_payments", "days_past_due", "emi_to_income_ratio"]
    lender = features.assign(**dict.fromkeys(absent))

    segments = segment_borrowers(lender, segment_count=4, random_state=0)
    quality = segmentation_quality(lender, segments, segment_count=4, random_state=0)

    assert segments["segment_name"].notna().all() and segments["segment_id"].nunique() == 4
    assert quality["silhouette_score"] is not None
