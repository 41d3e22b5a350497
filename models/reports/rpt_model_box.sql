-- The model box: how far to trust the score that drives the strategies, from the model_runs row of its fit.

with

model_runs as (
    select * from {{ ref('model_runs') }}
),

scoring_run as (
    select any_value(run_id) as run_id
    from {{ ref('risk_scores') }}
),

-- the most drifted input of each run: one flag for the box, the detail stays in population_stability
drift_ranked as (
    select
        run_id,
        variable_name,
        population_stability_index,
        row_number() over (
            partition by run_id order by population_stability_index desc, variable_name asc
        ) as drift_rank,
        count(case when is_drifted then 1 end) over (partition by run_id) as drifted_variables
    from {{ ref('population_stability') }}
),

drift as (
    select
        run_id,
        population_stability_index as max_population_stability_index,
        variable_name as most_drifted_variable,
        drifted_variables
    from drift_ranked
    where drift_rank = 1
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
        coalesce(model_runs.is_score_predictive, false) as is_score_predictive,
        -- how it was tested
        {{ var('cv_folds') }} as cv_folds,
        -- whether the loans it scores still look like those it learnt from
        drift.max_population_stability_index,
        drift.most_drifted_variable,
        coalesce(drift.drifted_variables, 0) as drifted_variables,
        coalesce(drift.drifted_variables, 0) > 0 as has_drifted_inputs
    from model_runs
    inner join scoring_run on model_runs.run_id = scoring_run.run_id
    left join drift on model_runs.run_id = drift.run_id
)

select * from final
