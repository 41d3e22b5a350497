"""Appends this build's risk-model fits and their cross-validated metrics, with the last build that scored
loans with each run: when, how many loans and why (ml.run_metrics.model_runs_rows, ml.refit_policy)."""

import ml.runtime  # noqa: F401 (first: the ML stack, imported by one thread; ml/runtime.py)

from ml.refit_policy import LAST_SCORING_SQL
from ml.run_metrics import model_runs_rows
from ml.settings import ModelRunsSettings


def model(dbt, session):
    settings = ModelRunsSettings.from_vars(
        {
            "risk_model_dir": dbt.config.get("risk_model_dir"),
            "min_predictive_auc": dbt.config.get("min_predictive_auc"),
        }
    )
    last_scoring = dbt.ref("int_loans_scored").query("scored", LAST_SCORING_SQL).df()
    return model_runs_rows(last_scoring, **settings.arguments())
