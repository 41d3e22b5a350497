"""Reason codes: the features that raise each loan's score most, by the saved model (logic in ml.explain)."""

from ml.explain import explain_scores
from ml.risk import selected_model


def model(dbt, session):
    model_dir = dbt.config.get("model_dir")
    features = dbt.ref("loan_features").df()
    scores = dbt.ref("int_loans_scored").df()
    return explain_scores(selected_model(scores, model_dir), features)
