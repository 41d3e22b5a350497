"""Permutation importance of each feature on held-out folds, per risk model fitted (logic in ml.explain)."""

from ml.explain import feature_importance
from ml.risk import saved_models


def model(dbt, session):
    model_dir = dbt.config.get("model_dir")
    scores = dbt.ref("int_loans_scored").df()
    return feature_importance(saved_models(scores, model_dir))
