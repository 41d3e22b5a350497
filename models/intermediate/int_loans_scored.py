"""Calibrated risk score per loan and algorithm: fitted and saved, or from a saved model."""

from ml.frames import LOAN_ORDER, read_frame
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
    features = read_frame(session, dbt.ref("loan_features").order(LOAN_ORDER))
    # Only target "segment" learns from the segments; reading 1M of them otherwise took a second.
    segments = read_frame(session, dbt.ref("int_borrowers_segmented")) if risk_target == "segment" else None
    return score_loans(
        features,
        target=risk_target,
        segments=segments,
        algorithm=algorithm,
        compare=str(compare).lower() == "true",
        model_dir=model_dir,
        saved_run_id=saved_run_id,
        threshold=float(high_risk_threshold),
        n_folds=int(cv_folds),
        training_rows=parse_training_rows(training_rows),
        random_state=int(random_state),
    )
