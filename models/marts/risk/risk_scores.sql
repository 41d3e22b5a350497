-- One row per loan: its strategy score, the high-risk flag at the configured threshold, the fit that produced it,
-- and whether that fit's score predicts the actual outcome at all.

with

scored as (
    select * from {{ ref('int_loans_scored') }}
    where is_selected
),

runs as (
    select * from {{ ref('model_runs') }}
),

final as (
    select
        -- ids
        cast(scored.loan_id as {{ dbt.type_string() }}) as loan_id,
        cast(scored.run_id as {{ dbt.type_string() }}) as run_id,
        -- model
        cast(runs.target as {{ dbt.type_string() }}) as risk_target,
        cast(runs.algorithm as {{ dbt.type_string() }}) as risk_algorithm,
        cast(runs.is_score_predictive as boolean) as is_score_predictive,
        -- score
        cast(scored.risk_score as double) as risk_score,
        scored.risk_score >= {{ number_var('high_risk_threshold', 0, 1) }} as is_high_risk,
        cast(scored.is_out_of_fold as boolean) as is_out_of_fold
    from scored
    inner join runs
        on scored.run_id = runs.run_id
)

select * from final
