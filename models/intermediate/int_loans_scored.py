"""Random Forest risk score per loan, out-of-fold for every loan used in training (logic in ml.risk)."""

from ml.risk import score_loans


def model(dbt, session):
    risk_target = dbt.config.get("risk_target")
    cv_folds = dbt.config.get("cv_folds")
    random_state = dbt.config.get("random_state")
    features = dbt.ref("loan_features").df()
    segments = dbt.ref("int_borrowers_segmented").df()
    return score_loans(
        features, target=risk_target, segments=segments, n_folds=int(cv_folds), random_state=int(random_state)
    )
