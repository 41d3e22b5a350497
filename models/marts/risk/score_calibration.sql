-- One row per risk model of the build and score decile: mean predicted probability vs observed rate on resolved loans.

with

scored as (
    select * from {{ ref('int_loans_scored') }}
),

loans as (
    select * from {{ ref('loan_features') }}
    where is_not_fully_recovered is not null
),

binned as (
    select
        scored.run_id,
        scored.algorithm,
        scored.is_selected,
        scored.risk_score,
        -- averaged as an exact decimal: a parallel sum of doubles depends on the order the threads add in, and a
        -- rebuild must give the same table to the last digit
        cast(scored.risk_score as decimal(38, 18)) as exact_score,
        cast(loans.is_not_fully_recovered as {{ dbt.type_int() }}) as outcome,
        -- Ties are broken by loan id, as ml.run_metrics.expected_calibration_error does.
        ntile(10) over (partition by scored.run_id order by scored.risk_score, scored.loan_id) as score_decile
    from scored
    inner join loans
        on scored.loan_id = loans.loan_id
),

final as (
    select
        -- ids
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        cast(any_value(algorithm) as {{ dbt.type_string() }}) as algorithm,
        cast(score_decile as {{ dbt.type_int() }}) as score_decile,
        cast(bool_and(is_selected) as boolean) as is_selected,
        -- calibration
        cast(count(*) as {{ dbt.type_bigint() }}) as n_loans,
        cast(min(risk_score) as double) as min_score,
        cast(max(risk_score) as double) as max_score,
        cast(avg(exact_score) as double) as mean_predicted,
        cast(avg(outcome) as double) as observed_rate,
        cast(avg(outcome) - avg(exact_score) as double) as calibration_gap
    from binned
    group by run_id, score_decile
)

select * from final
