"""The vars turned into ML settings (ml.settings), under their own names from dbt_project.yml down to ml/."""

import inspect
import re
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from ml.estimators import RiskParameters
from ml.refit_policy import RefitPolicy
from ml.risk import score_loans
from ml.settings import (
    ExplainSettings,
    ModelRunsSettings,
    RiskSettings,
    SegmentSettings,
    parse_segment_count,
    parse_training_rows,
)

REPO = Path(__file__).resolve().parents[2]
VARS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
# The risk vars as dbt renders them into int_loans_scored's config: text.
RENDERED_RISK_VARS = {
    "risk_target": "segment",
    "risk_algorithm": "logistic_regression",
    "compare_risk_algorithms": "False",
    "risk_model_dir": "fitted_models",
    "risk_model_run_id": "",
    "high_risk_threshold": "0.4",
    "cv_folds": "3",
    "risk_training_rows": "",
    "random_state": "7",
    "refit_risk_model": "True",
    "risk_model_max_age_days": "30",
    "max_population_stability_index": "0.25",
}


@pytest.mark.parametrize(("value", "count"), [("4", 4), (6, 6), ("auto", None), ("", None), (" AUTO ", None)])
def test_segment_count_is_a_number_or_auto(value, count):
    assert parse_segment_count(value) == count


def test_a_segment_count_that_is_neither_is_refused():
    with pytest.raises(ValueError, match="segment_count"):
        parse_segment_count("four")


@pytest.mark.parametrize(("value", "rows"), [("200000", 200_000), (500, 500), ("", None), ("None", None)])
def test_training_rows_are_a_count_or_every_loan(value, rows):
    assert parse_training_rows(value) == rows


def test_the_settings_parse_the_rendered_vars():
    segmenting = SegmentSettings.from_vars(
        {"segmentation_algorithm": "dbscan", "segment_count": "auto", "random_state": "3"}
    )
    assert segmenting == SegmentSettings("dbscan", None, 3)
    scoring = RiskSettings.from_vars(RENDERED_RISK_VARS)
    assert scoring.fit_arguments() == {
        "risk_target": "segment",
        "risk_algorithm": "logistic_regression",
        "compare_risk_algorithms": False,
        "risk_model_dir": "fitted_models",
        "high_risk_threshold": 0.4,
        "cv_folds": 3,
        "risk_training_rows": None,
        "random_state": 7,
    }
    assert scoring.refit_policy == RefitPolicy(True, 30.0, 0.25)
    assert scoring.risk_model_run_id == ""
    explaining = ExplainSettings.from_vars({"risk_model_dir": "m", "explain_resolved_loans": "True"})
    assert explaining == ExplainSettings("m", True)
    assert not ExplainSettings.from_vars(
        {"risk_model_dir": "m", "explain_resolved_loans": "False"}
    ).explain_resolved_loans
    runs = ModelRunsSettings.from_vars({"risk_model_dir": "m", "min_predictive_auc": "0.6"})
    assert runs.arguments() == {"risk_model_dir": "m", "min_predictive_auc": 0.6}


def test_every_setting_is_named_as_its_var_and_as_the_parameter_that_takes_it():
    settings = [SegmentSettings, RiskSettings, RefitPolicy, ExplainSettings, ModelRunsSettings]
    names = {field.name for cls in settings for field in fields(cls)} - {"refit_policy"}
    assert names <= set(VARS), names - set(VARS)
    accepted = set(inspect.signature(score_loans).parameters) | {f.name for f in fields(RiskParameters)}
    assert set(RiskSettings.from_vars(RENDERED_RISK_VARS).fit_arguments()) <= accepted


def test_model_configs_map_each_var_under_its_own_name():
    mapped = 0
    for path in (REPO / "models").rglob("*.yml"):
        for node in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            for key, value in (node.get("config") or {}).items():
                match = re.fullmatch(r"\{\{ var\('(\w+)'\) \}\}", str(value))
                if match:
                    mapped += 1
                    assert key == match[1], f"{path.name}: {node['name']} maps var {match[1]} as {key}"
    assert mapped >= 20
