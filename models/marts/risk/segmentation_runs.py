"""Appends this build's segmentation and its quality scores (logic in ml.segmentation)."""

import ml.runtime  # noqa: F401 (first: the ML stack, imported by one thread; ml/runtime.py)

import pandas as pd

from ml.features import ID_COLUMN, SEGMENTATION_FEATURES
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
    # The profile's columns only: the whole of loan_features is a quarter of a GB at 1M loans.
    profile = ", ".join([ID_COLUMN, *SEGMENTATION_FEATURES])
    features = read_frame(session, dbt.ref("loan_features").project(profile).order(LOAN_ORDER))
    # In the same order as the features: each loan's segment is then read without a join.
    segments = read_frame(
        session,
        dbt.ref("int_borrowers_segmented").project("loan_id, segment_id, segment_name").order(LOAN_ORDER),
    )
    quality = segmentation_quality(features, segments, **settings.arguments())
    return pd.DataFrame([quality]).assign(fitted_at=pd.Timestamp.now(tz="UTC"))
