"""Borrower segments with business names, by var segmentation_algorithm (logic in ml.segmentation)."""

from ml.frames import LOAN_ORDER, read_frame
from ml.segmentation import parse_segment_count, segment_borrowers


def model(dbt, session):
    algorithm = dbt.config.get("algorithm")
    n_segments = dbt.config.get("n_segments")
    random_state = dbt.config.get("random_state")
    features = read_frame(session, dbt.ref("loan_features").order(LOAN_ORDER))
    return segment_borrowers(
        features,
        algorithm=algorithm,
        n_segments=parse_segment_count(n_segments),
        random_state=int(random_state),
    )
