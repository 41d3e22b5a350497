"""Appends this build's segmentation and its silhouette score (logic in ml.segmentation.segmentation_quality)."""

import pandas as pd

from ml.segmentation import segmentation_quality


def model(dbt, session):
    random_state = dbt.config.get("random_state")
    features = dbt.ref("loan_features").df()
    segments = dbt.ref("int_borrowers_segmented").df()
    quality = segmentation_quality(features, segments, random_state=int(random_state))
    return pd.DataFrame([quality]).assign(fitted_at=pd.Timestamp.now(tz="UTC"))
