"""Leakage and fairness guard: what the models may never see."""

import pytest

from ml.features import (
    ID_COLUMN,
    LABEL,
    POST_OUTCOME_COLUMNS,
    PROTECTED_COLUMNS,
    RISK_FEATURES,
    SEGMENTATION_FEATURES,
)

FORBIDDEN = [LABEL, ID_COLUMN, *POST_OUTCOME_COLUMNS, *PROTECTED_COLUMNS]


@pytest.mark.parametrize("features", [RISK_FEATURES, SEGMENTATION_FEATURES], ids=["risk", "segmentation"])
def test_no_outcome_identifier_or_protected_attribute_is_a_feature(features):
    leaked = [column for column in features if any(column.startswith(name) for name in FORBIDDEN)]
    assert leaked == []


def test_gender_is_never_a_feature_under_any_spelling():
    assert not [column for column in RISK_FEATURES + SEGMENTATION_FEATURES if "gender" in column.lower()]
