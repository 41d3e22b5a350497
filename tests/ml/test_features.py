"""Leakage and fairness guard: what the models may never see."""

import pandas as pd
import pytest

from ml.features import (
    ID_COLUMN,
    LABEL,
    LEDGER_FEATURES,
    POST_OUTCOME_COLUMNS,
    PROTECTED_COLUMNS,
    RISK_FEATURES,
    SEGMENTATION_FEATURES,
    model_features,
)

FORBIDDEN = [LABEL, ID_COLUMN, *POST_OUTCOME_COLUMNS, *PROTECTED_COLUMNS]


@pytest.mark.parametrize(
    "features",
    [RISK_FEATURES, SEGMENTATION_FEATURES, LEDGER_FEATURES],
    ids=["risk", "segmentation", "ledger"],
)
def test_no_outcome_identifier_or_protected_attribute_is_a_feature(features):
    leaked = [column for column in features if any(column.startswith(name) for name in FORBIDDEN)]
    assert leaked == []


def test_gender_is_never_a_feature_under_any_spelling():
    assert not [column for column in RISK_FEATURES + SEGMENTATION_FEATURES if "gender" in column.lower()]


def test_the_risk_model_never_takes_a_forbidden_column_even_when_the_frame_has_it():
    frame = pd.DataFrame({column: [1.0] for column in RISK_FEATURES + LEDGER_FEATURES + FORBIDDEN})

    chosen = model_features(frame)

    assert chosen == RISK_FEATURES + LEDGER_FEATURES
    assert not set(chosen) & set(FORBIDDEN)
