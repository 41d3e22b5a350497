"""Appends this build's risk-model fits and their cross-validated metrics (logic in ml.run_metrics.run_summaries)."""

from ml.run_metrics import run_summaries


def model(dbt, session):
    model_dir = dbt.config.get("model_dir")
    min_predictive_auc = dbt.config.get("min_predictive_auc")
    # One row per run is enough to find the saved models.
    scores = dbt.ref("int_loans_scored").project("run_id, is_selected").distinct().df()
    return run_summaries(scores, model_dir, min_auc=float(min_predictive_auc))
