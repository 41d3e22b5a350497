"""Appends this build's risk-model fits and their cross-validated metrics (logic in ml.run_metrics.run_summaries),
with the last build that scored loans with each run: when, how many loans and why (ml.refit_policy)."""

from ml.run_metrics import run_summaries


def model(dbt, session):
    model_dir = dbt.config.get("model_dir")
    min_predictive_auc = dbt.config.get("min_predictive_auc")
    # One row per run and build that scored with it; the latest per run.
    last_scoring = (
        dbt.ref("int_loans_scored")
        .query(
            "scored",
            """
        select
            run_id,
            bool_or(is_selected) as is_selected,
            scored_at as last_scored_at,
            count(*) as n_loans_last_scored,
            any_value(scoring_decision) as last_scoring_decision
        from scored
        group by run_id, scored_at
        qualify row_number() over (partition by run_id order by scored_at desc) = 1
        """,
        )
        .df()
    )
    summaries = run_summaries(
        last_scoring[["run_id", "is_selected"]], model_dir, min_auc=float(min_predictive_auc)
    )
    return summaries.merge(
        last_scoring.drop(columns="is_selected"), on="run_id", how="left", validate="one_to_one"
    )
