-- One row per scenario and loan type: the change of collateral values (seed stress_scenario_collateral; the
-- what-if's from the var `what_if`, for its loan type or every one); a loan type without a row keeps its value.

with

scenarios as (
    {{ stress_scenario_names() }}
),

collateral as (
    select * from {{ ref('stress_scenario_collateral') }}
),

loan_types as (
    select category as loan_type from {{ ref('input_categories') }}
    where source_column = 'Loan_Type'
),

final as (
    select
        -- ids
        scenarios.scenario,
        loan_types.loan_type,
        -- shock
        cast(case
            when scenarios.is_what_if then {{ what_if_value('collateral_change') }}
            else coalesce(collateral.collateral_change, 0)
        end as double) as collateral_change
    from scenarios
    cross join loan_types
    left join collateral
        on
            scenarios.scenario = collateral.scenario
            and loan_types.loan_type = collateral.loan_type
)

select * from final
