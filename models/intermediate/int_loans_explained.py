"""Reason codes: the features that raise each loan's score most, by the model that scored it (ml.explain)."""

from ml.explain import explain_scores
from ml.frames import LOAN_ORDER, read_frame
from ml.model_store import selected_model


def model(dbt, session):
    model_dir = dbt.config.get("model_dir")
    features = read_frame(session, dbt.ref("loan_features").order(LOAN_ORDER))
    # Only the selected run's scores are used; reading every algorithm's rows took seconds on 1M loans.
    scores = read_frame(session, dbt.ref("int_loans_scored").filter("is_selected"))
    out_of_fold = scores.loc[scores["is_out_of_fold"].astype(bool), "loan_id"]
    return explain_scores(selected_model(scores, model_dir, with_folds=True), features, out_of_fold)
