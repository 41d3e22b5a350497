-- One row per loan: its risk score, the high-risk flag at the configured threshold, and the fit that produced it.

with

scored as (
    select * from {{ ref('int_loans_scored') }}
),

final as (
    select
        -- ids
        cast(loan_id as {{ dbt.type_string() }}) as loan_id,
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        -- score
        cast(risk_target as {{ dbt.type_string() }}) as risk_target,
        cast(risk_score as double) as risk_score,
        risk_score >= {{ number_var('high_risk_threshold', 0, 1) }} as is_high_risk,
        cast(is_out_of_fold as boolean) as is_out_of_fold
    from scored
)

select * from final
