"""Appends this build's risk-model fit and its cross-validated metrics (logic in ml.risk.model_run_summary)."""

import pandas as pd

from ml.risk import model_run_summary


def model(dbt, session):
    risk_target = dbt.config.get("risk_target")
    high_risk_threshold = dbt.config.get("high_risk_threshold")
    cv_folds = dbt.config.get("cv_folds")
    random_state = dbt.config.get("random_state")
    features = dbt.ref("loan_features").df()
    segments = dbt.ref("int_borrowers_segmented").df()
    scores = dbt.ref("int_loans_scored").df()
    summary = model_run_summary(
        features,
        scores,
        target=risk_target,
        segments=segments,
        threshold=float(high_risk_threshold),
        n_folds=int(cv_folds),
        random_state=int(random_state),
    )
    return summary.assign(fitted_at=pd.Timestamp.now(tz="UTC"))
