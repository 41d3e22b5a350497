"""Permutation importance of each feature on held-out folds, per risk model fitted (logic in ml.explain)."""

import ml.runtime  # noqa: F401 (first: the ML stack, imported by one thread; ml/runtime.py)

from ml.explain import feature_importance
from ml.model_store import saved_models


def model(dbt, session):
    risk_model_dir = dbt.config.get("risk_model_dir")
    # One row per run is enough to find the saved models.
    scores = dbt.ref("int_loans_scored").project("run_id, is_selected").distinct().df()
    return feature_importance(saved_models(scores, risk_model_dir))
