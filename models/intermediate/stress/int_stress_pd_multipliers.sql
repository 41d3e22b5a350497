-- One row per scenario and risk band: the factor on the rescored probability of default for what the model's
-- features cannot carry (seed stress_scenario_pd_multipliers; the what-if's from the var `what_if`); 1 without a row.

with

scenarios as (
    {{ stress_scenario_names() }}
),

multipliers as (
    select * from {{ ref('stress_scenario_pd_multipliers') }}
),

risk_bands as (
    select * from {{ ref('risk_bands') }}
),

final as (
    select
        -- ids
        scenarios.scenario,
        risk_bands.risk_band,
        -- shock
        cast(case
            when scenarios.is_what_if then {{ what_if_value('pd_multiplier') }}
            else coalesce(multipliers.pd_multiplier, 1)
        end as double) as pd_multiplier
    from scenarios
    cross join risk_bands
    left join multipliers
        on
            scenarios.scenario = multipliers.scenario
            and risk_bands.risk_band = multipliers.risk_band
)

select * from final
