"""Appends this build's segmentation and its quality scores (logic in ml.segmentation)."""

import pandas as pd

from ml.frames import LOAN_ORDER, read_frame
from ml.segmentation import parse_segment_count, segmentation_quality


def model(dbt, session):
    algorithm = dbt.config.get("algorithm")
    n_segments = dbt.config.get("n_segments")
    random_state = dbt.config.get("random_state")
    features = read_frame(session, dbt.ref("loan_features").order(LOAN_ORDER))
    segments = read_frame(session, dbt.ref("int_borrowers_segmented"))
    quality = segmentation_quality(
        features,
        segments,
        algorithm=algorithm,
        n_segments=parse_segment_count(n_segments),
        random_state=int(random_state),
    )
    return pd.DataFrame([quality]).assign(fitted_at=pd.Timestamp.now(tz="UTC"))
