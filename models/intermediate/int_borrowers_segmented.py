"""Borrower segments with business names, by var segmentation_algorithm (logic in ml.segmentation)."""

import ml.runtime  # noqa: F401 (first: the ML stack, imported by one thread; ml/runtime.py)

from ml.frames import LOAN_ORDER, read_frame
from ml.segmentation import SEGMENTATION_INPUTS, segment_borrowers
from ml.settings import SegmentSettings


def model(dbt, session):
    settings = SegmentSettings.from_vars(
        {
            "segmentation_algorithm": dbt.config.get("segmentation_algorithm"),
            "segment_count": dbt.config.get("segment_count"),
            "random_state": dbt.config.get("random_state"),
        }
    )
    inputs = dbt.ref("loan_features").project(", ".join(SEGMENTATION_INPUTS)).order(LOAN_ORDER)
    features = read_frame(session, inputs)
    return segment_borrowers(features, **settings.arguments())
