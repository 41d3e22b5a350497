-- One row per gender and per age band: mean risk score, high-risk rate and the adverse impact ratio of the
-- high-risk flag (the group's rate of not being flagged / the highest such rate among groups of the same attribute).

with

strategy as (
    select * from {{ ref('recovery_strategy') }}
),

by_group as (
    select
        'gender' as protected_attribute,
        coalesce(gender, 'unknown') as group_value,
        risk_score,
        is_high_risk
    from strategy
    union all
    select
        'age_band' as protected_attribute,
        {{ fairness_age_band('age') }} as group_value,
        risk_score,
        is_high_risk
    from strategy
),

rates as (
    select
        protected_attribute,
        group_value,
        count(*) as n_loans,
        -- rounded, so that parallel aggregation of doubles gives the same figure every build
        round(avg(risk_score), 10) as mean_risk_score,
        avg(cast(is_high_risk as {{ dbt.type_int() }})) as high_risk_rate
    from by_group
    group by protected_attribute, group_value
),

final as (
    select
        -- group
        cast(protected_attribute as {{ dbt.type_string() }}) as protected_attribute,
        cast(group_value as {{ dbt.type_string() }}) as group_value,
        -- rates
        cast(n_loans as {{ dbt.type_bigint() }}) as n_loans,
        cast(mean_risk_score as double) as mean_risk_score,
        cast(high_risk_rate as double) as high_risk_rate,
        -- adverse impact
        cast(
            (1 - high_risk_rate) / nullif(max(1 - high_risk_rate) over (partition by protected_attribute), 0) as double
        ) as adverse_impact_ratio
    from rates
)

select * from final
