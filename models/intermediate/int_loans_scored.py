"""Calibrated risk score per loan and algorithm: fitted and saved, or from a saved model (ml.refit_policy)."""

import pandas as pd

from ml.frames import LOAN_ORDER, read_frame
from ml.refit_policy import RefitPolicy, scores_for_build
from ml.risk import parse_training_rows, score_loans


def model(dbt, session):
    risk_target = dbt.config.get("risk_target")
    algorithm = dbt.config.get("algorithm")
    compare = dbt.config.get("compare")
    model_dir = dbt.config.get("model_dir")
    saved_run_id = dbt.config.get("saved_run_id")
    high_risk_threshold = dbt.config.get("high_risk_threshold")
    cv_folds = dbt.config.get("cv_folds")
    training_rows = dbt.config.get("training_rows")
    random_state = dbt.config.get("random_state")
    policy = RefitPolicy.from_config(
        dbt.config.get("refit"), dbt.config.get("max_age_days"), dbt.config.get("max_population_stability")
    )
    changed = dbt.ref("int_loans_changed")
    features = read_frame(session, dbt.ref("loan_features").order(LOAN_ORDER))
    # Only target "segment" learns from the segments; reading 1M of them otherwise took a second.
    segments = read_frame(session, dbt.ref("int_borrowers_segmented")) if risk_target == "segment" else None

    def fit(loans):
        return score_loans(
            loans,
            target=risk_target,
            segments=segments,
            algorithm=algorithm,
            compare=str(compare).lower() == "true",
            model_dir=model_dir,
            threshold=float(high_risk_threshold),
            n_folds=int(cv_folds),
            training_rows=parse_training_rows(training_rows),
            random_state=int(random_state),
        )

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
        policy,
        model_dir,
        now=pd.Timestamp.now(tz="UTC"),
        saved_run_id=saved_run_id,
        **incremental,
    )
