"""Appends this build's risk-model fits and their cross-validated metrics (logic in ml.risk.run_summaries)."""

from ml.risk import run_summaries


def model(dbt, session):
    model_dir = dbt.config.get("model_dir")
    min_predictive_auc = dbt.config.get("min_predictive_auc")
    scores = dbt.ref("int_loans_scored").df()
    return run_summaries(scores, model_dir, min_auc=float(min_predictive_auc))
