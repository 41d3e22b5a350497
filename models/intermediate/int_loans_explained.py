"""Reason codes: the features that raise each loan's score most, by the model that scored it (ml.explain), for
the open loans (and the resolved ones with var explain_resolved_loans)."""

import ml.runtime  # noqa: F401 (first: the ML stack, imported by one thread; ml/runtime.py)

from ml.explain import explain_scores
from ml.frames import LOAN_ORDER, read_frame
from ml.model_store import selected_model
from ml.settings import ExplainSettings


def model(dbt, session):
    settings = ExplainSettings.from_vars(
        {
            "risk_model_dir": dbt.config.get("risk_model_dir"),
            "explain_resolved_loans": dbt.config.get("explain_resolved_loans"),
        }
    )
    changed = dbt.ref("int_loans_changed")
    features = dbt.ref("loan_features")
    if not settings.explain_resolved_loans:
        # Reasons serve the loans someone acts on; a resolved loan's took most of the step's time.
        features = features.filter("is_open")
    # Only the selected run's scores are used; reading every algorithm's rows took seconds on 1M loans.
    scores = dbt.ref("int_loans_scored").filter("is_selected")
    if dbt.is_incremental:
        # The loans whose features changed, and those whose score now comes from another run than their
        # reasons.
        stale = session.sql(
            f"""
            select scores.loan_id from ({scores.sql_query()}) as scores
            left join {dbt.this} as explained
                on scores.loan_id = explained.loan_id and scores.run_id = explained.run_id
            where explained.loan_id is null
            union
            select loan_key from ({changed.sql_query()})
            """
        )
        features = features.filter(f"loan_id in (select * from ({stale.sql_query()}))")
    scores = read_frame(session, scores.project("loan_id, run_id, is_selected, is_out_of_fold"))
    out_of_fold = scores.loc[scores["is_out_of_fold"].astype(bool), "loan_id"]
    fitted = selected_model(scores, settings.risk_model_dir, with_folds=True)
    return explain_scores(fitted, read_frame(session, features.order(LOAN_ORDER)), out_of_fold)
