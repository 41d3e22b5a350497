-- The model box: how far to trust the score that drives the strategies, from the model_runs row of its fit.

with

model_runs as (
    select * from {{ ref('model_runs') }}
),

scoring_run as (
    select any_value(run_id) as run_id
    from {{ ref('risk_scores') }}
),

final as (
    select
        -- key
        model_runs.run_id,
        -- fit
        model_runs.algorithm,
        model_runs.target,
        model_runs.fitted_at,
        -- what it learnt from
        model_runs.n_training_rows,
        model_runs.n_evaluation_rows,
        model_runs.features_left_out,
        -- quality against the actual outcome
        model_runs.cv_roc_auc,
        model_runs.cv_roc_auc_ci_low,
        model_runs.cv_roc_auc_ci_high,
        model_runs.cv_precision,
        model_runs.cv_recall,
        model_runs.expected_calibration_error,
        {{ var('min_predictive_auc') }} as min_predictive_auc,
        coalesce(model_runs.is_score_predictive, false) as is_score_predictive
    from model_runs
    inner join scoring_run on model_runs.run_id = scoring_run.run_id
)

select * from final
