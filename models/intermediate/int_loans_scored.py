"""Calibrated risk score per loan and algorithm: fitted and saved, or from a saved model (ml.refit_policy)."""

import ml.runtime  # noqa: F401 (first: the ML stack, imported by one thread; ml/runtime.py)

import pandas as pd

from ml.features import RISK_MODEL_COLUMNS
from ml.frames import LOAN_ORDER, OBSERVATION_ORDER, read_frame
from ml.refit_policy import scores_for_build
from ml.risk import score_loans
from ml.settings import RiskSettings


def model(dbt, session):
    settings = RiskSettings.from_vars(
        {
            "risk_target": dbt.config.get("risk_target"),
            "risk_algorithm": dbt.config.get("risk_algorithm"),
            "compare_risk_algorithms": dbt.config.get("compare_risk_algorithms"),
            "risk_model_dir": dbt.config.get("risk_model_dir"),
            "risk_model_run_id": dbt.config.get("risk_model_run_id"),
            "high_risk_threshold": dbt.config.get("high_risk_threshold"),
            "cv_folds": dbt.config.get("cv_folds"),
            "risk_training_rows": dbt.config.get("risk_training_rows"),
            "random_state": dbt.config.get("random_state"),
            "refit_risk_model": dbt.config.get("refit_risk_model"),
            "risk_model_max_age_days": dbt.config.get("risk_model_max_age_days"),
            "max_population_stability_index": dbt.config.get("max_population_stability_index"),
        }
    )
    changed = dbt.ref("int_loans_changed")
    features = read_frame(
        session, dbt.ref("loan_features").project(", ".join(RISK_MODEL_COLUMNS)).order(LOAN_ORDER)
    )
    # Only target "segment" learns from the segments; reading 1M of them otherwise took a second.
    segments = (
        read_frame(session, dbt.ref("int_borrowers_segmented")) if settings.risk_target == "segment" else None
    )

    # The observations the model learns from (a loan on each observation date), read only when it fits.
    training = dbt.ref("loan_observations")

    def fit(loans):
        columns = ", ".join(["observation_date", *RISK_MODEL_COLUMNS])
        observations = read_frame(session, training.project(columns).order(OBSERVATION_ORDER))
        return score_loans(loans, segments=segments, training=observations, **settings.fit_arguments())

    incremental = {}
    if dbt.is_incremental:
        incremental["changed_ids"] = pd.Index(read_frame(session, changed)["loan_key"])
        incremental["previous"] = read_frame(
            session,
            session.sql(
                f"select loan_id, run_id, risk_score, is_out_of_fold from {dbt.this} where is_selected"
            ),
        )
        run_ids = session.execute(f"select distinct run_id from {dbt.this}").fetchall()
        incremental["previous_run_ids"] = frozenset(run_id for (run_id,) in run_ids)
    return scores_for_build(
        features,
        fit,
        settings.refit_policy,
        settings.risk_model_dir,
        now=pd.Timestamp.now(tz="UTC"),
        risk_model_run_id=settings.risk_model_run_id,
        **incremental,
    )
