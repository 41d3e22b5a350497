"""Borrower segments with business names, by var segmentation_algorithm (logic in ml.segmentation)."""

from ml.frames import LOAN_ORDER, read_frame
from ml.segmentation import segment_borrowers
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
    return segment_borrowers(features, **settings.arguments())
