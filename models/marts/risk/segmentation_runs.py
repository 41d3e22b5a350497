"""Appends this build's segmentation and its quality scores (logic in ml.segmentation)."""

import pandas as pd

from ml.frames import LOAN_ORDER, read_frame
from ml.segmentation import segmentation_quality
from ml.settings import SegmentSettings


def model(dbt, session):
    settings = SegmentSettings.from_vars(
        {
            "segmentation_algorithm": dbt.config.get("segmentation_algorithm"),
            "segment_count": dbt.config.get("segment_count"),
            "random_state": dbt.config.get("random_state"),
        }
    )
    features = read_frame(session, dbt.ref("loan_features").order(LOAN_ORDER))
    segments = read_frame(session, dbt.ref("int_borrowers_segmented"))
    quality = segmentation_quality(features, segments, **settings.arguments())
    return pd.DataFrame([quality]).assign(fitted_at=pd.Timestamp.now(tz="UTC"))
