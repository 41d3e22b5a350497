"""Leakage and fairness guard: what the models may never see."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import ml.features
from ml.features import (
    EXTRA_FEATURES_COLUMN,
    EXTRA_PREFIX,
    ID_COLUMN,
    LABEL,
    LEDGER_FEATURES,
    POST_OUTCOME_COLUMNS,
    PROTECTED_COLUMNS,
    RISK_FEATURES,
    SEGMENTATION_FEATURES,
    model_features,
    with_extra_features,
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


def test_a_feature_without_a_value_for_any_loan_is_left_out_of_the_model():
    # A loan file without Monthly_Income: the column and the ratios built on it are empty for every loan.
    frame = pd.DataFrame({column: [1.0, 2.0] for column in RISK_FEATURES})
    frame["monthly_income"] = None
    frame["emi_to_income_ratio"] = float("nan")

    chosen = model_features(frame)

    assert chosen == [c for c in RISK_FEATURES if c not in ("monthly_income", "emi_to_income_ratio")]


def extra(*rows: dict | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "loan_id": [f"L{i}" for i in range(len(rows))],
            EXTRA_FEATURES_COLUMN: [row and json.dumps(row) for row in rows],
        }
    )


def test_extra_features_become_numeric_inputs_and_one_indicator_per_category_level():
    frame = extra(
        {"Seniority": 3, "Home": "rent"},
        {"Seniority": None, "Home": "owner"},
        {"Seniority": 10.5, "Home": None},
        None,
    )

    expanded = with_extra_features(frame)

    assert model_features(expanded) == ["extra:Seniority", "extra:Home=owner", "extra:Home=rent"]
    np.testing.assert_array_equal(expanded["extra:Seniority"], [3, np.nan, 10.5, np.nan])
    assert expanded["extra:Home=rent"].tolist() == [1, 0, 0, 0]
    assert expanded["extra:Home=owner"].tolist() == [0, 1, 0, 0]
    assert with_extra_features(expanded) is expanded, "expanded twice"
    assert with_extra_features(extra(None, None)).columns.tolist() == ["loan_id", EXTRA_FEATURES_COLUMN]


def test_a_fitted_models_extra_inputs_are_rebuilt_exactly_on_other_loans():
    names = ["extra:Seniority", "extra:Home=owner", "extra:Home=rent"]
    # New loans: none rents, one has a level the model never saw.
    frame = extra({"Seniority": 1, "Home": "owner"}, {"Seniority": 2, "Home": "boat"})

    rebuilt = with_extra_features(frame, names)

    assert rebuilt[names].to_numpy().tolist() == [[1, 1, 0], [2, 0, 0]]
    assert "extra:Home=boat" not in rebuilt
    # Loans without any Home value at all: every indicator is 0.
    assert with_extra_features(extra({"Seniority": 4}), names)[names].to_numpy().tolist() == [[4, 0, 0]]


def test_no_loans_still_have_every_input_of_a_fitted_model():
    # No open loan to stress, no changed loan to rescore: an empty frame to score, not a missing column.
    names = ["extra:Seniority", "extra:Home=owner"]
    empty = extra({"Seniority": 1, "Home": "owner"}).iloc[0:0]

    rebuilt = with_extra_features(empty, names)

    assert list(rebuilt[names].columns) == names and rebuilt.empty
    assert (rebuilt[names].dtypes == "float64").all()


def test_a_model_of_many_extra_inputs_adds_them_at_once_to_no_loans():
    # A lender's file of many columns (the lending_club test: some 130 indicators): added one by one, pandas
    # warned of a fragmented frame for each model that scored no loans.
    names = [f"extra:Column{number}" for number in range(150)]
    empty = extra({"Column0": 1}).iloc[0:0]

    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        rebuilt = with_extra_features(empty, names)

    assert list(rebuilt[names].columns) == names and rebuilt.empty


def test_a_category_keeps_only_its_most_frequent_levels(monkeypatch):
    monkeypatch.setattr(ml.features, "MAX_EXTRA_LEVELS", 2)
    frame = extra(*({"State": state} for state in ["CA", "CA", "NY", "NY", "TX", "AK"]))

    levels = [column for column in with_extra_features(frame) if column.startswith(EXTRA_PREFIX)]

    assert levels == ["extra:State=CA", "extra:State=NY"]
