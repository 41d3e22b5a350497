"""K-Means borrower segments with business names (logic in ml.segmentation)."""

from ml.segmentation import segment_borrowers


def model(dbt, session):
    n_segments = dbt.config.get("n_segments")
    random_state = dbt.config.get("random_state")
    features = dbt.ref("loan_features").df()
    return segment_borrowers(features, n_segments=int(n_segments), random_state=int(random_state))
