-- One row per stress scenario to run: the seed stress_scenarios and the var `what_if` (scenario 'what-if'), with
-- the shocks on borrowers. Stops the build with one message naming a bad row of the three stress seeds.

{%- set text = dbt.type_string() %}
{%- set what_if_segment = what_if_value('segment') %}
{%- set what_if_loan_type = what_if_value('loan_type') %}

with

seeded as (
    select
        *,
        count(*) over (partition by scenario) as rows_with_name,
        count(*) over (partition by severity_order) as rows_with_severity
    from {{ ref('stress_scenarios') }}
),

collateral as (
    select
        *,
        count(*) over (partition by scenario, loan_type) as rows_with_key
    from {{ ref('stress_scenario_collateral') }}
),

multipliers as (
    select
        *,
        count(*) over (partition by scenario, risk_band) as rows_with_key
    from {{ ref('stress_scenario_pd_multipliers') }}
),

loan_types as (
    select category as loan_type from {{ ref('input_categories') }}
    where source_column = 'Loan_Type'
),

risk_bands as (
    select risk_band from {{ ref('risk_bands') }}
),

seeded_names as (
    select distinct scenario from seeded
),

what_if as (
    select
        'what-if' as scenario,
        cast(null as {{ dbt.type_int() }}) as severity_order,
        cast({{ what_if_value('income_change') }} as double) as income_change,
        cast({{ what_if_value('unemployment_share') }} as double) as unemployment_share,
        cast({{ what_if_value('unemployed_income_change') }} as double) as unemployed_income_change,
        cast(nullif('{{ what_if_segment }}', '') as {{ text }}) as scope_segment_name,
        cast(nullif('{{ what_if_loan_type }}', '') as {{ text }}) as scope_loan_type,
        'The var what_if' as description,
        true as is_what_if
),

scenario_checks as (
    select
        scenario,
        case
            when scenario is null then 'scenario name is empty'
            when scenario = 'what-if' then 'the name what-if is kept for the var what_if'
            when rows_with_name > 1 then 'the scenario name is on more than one row'
            when severity_order is null then 'severity_order is empty'
            when rows_with_severity > 1
                then 'severity_order ' || cast(severity_order as {{ text }}) || ' is on more than one row'
            when not coalesce(income_change >= -1, false)
                then 'income_change ' || coalesce(cast(income_change as {{ text }}), 'empty')
                || ' makes a negative income multiplier (must be -1 or more)'
            when not coalesce(unemployed_income_change >= -1, false)
                then 'unemployed_income_change ' || coalesce(cast(unemployed_income_change as {{ text }}), 'empty')
                || ' makes a negative income multiplier (must be -1 or more)'
            when not coalesce(unemployment_share between 0 and 1, false)
                then 'unemployment_share ' || coalesce(cast(unemployment_share as {{ text }}), 'empty')
                || ' is not a share from 0 to 1'
        end as check_failed
    from seeded
),

collateral_checks as (
    select
        collateral.scenario,
        collateral.loan_type,
        case
            when seeded_names.scenario is null then 'unknown scenario'
            when loan_types.loan_type is null then 'unknown loan type'
            when collateral.rows_with_key > 1 then 'is on more than one row'
            when not coalesce(collateral.collateral_change >= -1, false)
                then 'collateral_change ' || coalesce(cast(collateral.collateral_change as {{ text }}), 'empty')
                || ' makes a negative collateral value (must be -1 or more)'
        end as check_failed
    from collateral
    left join seeded_names
        on collateral.scenario = seeded_names.scenario
    left join loan_types
        on collateral.loan_type = loan_types.loan_type
),

multiplier_checks as (
    select
        multipliers.scenario,
        multipliers.risk_band,
        case
            when seeded_names.scenario is null then 'unknown scenario'
            when risk_bands.risk_band is null then 'unknown risk band'
            when multipliers.rows_with_key > 1 then 'is on more than one row'
            when not coalesce(multipliers.pd_multiplier >= 0, false)
                then 'pd_multiplier ' || coalesce(cast(multipliers.pd_multiplier as {{ text }}), 'empty')
                || ' is negative or empty'
        end as check_failed
    from multipliers
    left join seeded_names
        on multipliers.scenario = seeded_names.scenario
    left join risk_bands
        on multipliers.risk_band = risk_bands.risk_band
),

-- each problem names its seed and row
problems as (
    select distinct 'stress_scenarios row ''' || coalesce(scenario, '') || ''': ' || check_failed as problem
    from scenario_checks
    where check_failed is not null
    union all
    select 'stress_scenarios: no scenario ''baseline'', which the others are compared with' as problem
    from seeded
    having count(case when scenario = 'baseline' then 1 end) = 0
    union all
    select distinct
        'stress_scenario_collateral row (''' || coalesce(scenario, '') || ''', ''' || coalesce(loan_type, '')
        || '''): ' || check_failed as problem
    from collateral_checks
    where check_failed is not null
    union all
    select distinct
        'stress_scenario_pd_multipliers row (''' || coalesce(scenario, '') || ''', ''' || coalesce(risk_band, '')
        || '''): ' || check_failed as problem
    from multiplier_checks
    where check_failed is not null
    union all
    select 'var what_if: unknown loan_type ''' || what_if.scope_loan_type || '''' as problem
    from what_if
    left join loan_types
        on what_if.scope_loan_type = loan_types.loan_type
    where what_if.scope_loan_type is not null and loan_types.loan_type is null
),

-- the first problem in name order, and how many more (a list aggregate is not portable to every engine)
all_problems as (
    select
        'invalid stress scenarios: ' || min(problem)
        || case
            when count(*) > 1 then ' (and ' || cast(count(*) - 1 as {{ text }}) || ' more problem(s))'
            else ''
        end as problems
    from problems
    having count(*) > 0
),

scenarios as (
    select
        scenario,
        cast(severity_order as {{ dbt.type_int() }}) as severity_order,
        cast(income_change as double) as income_change,
        cast(unemployment_share as double) as unemployment_share,
        cast(unemployed_income_change as double) as unemployed_income_change,
        cast(null as {{ text }}) as scope_segment_name,
        cast(null as {{ text }}) as scope_loan_type,
        description,
        false as is_what_if
    from seeded
    union all
    select * from what_if
),

final as (
    select
        -- ids
        scenarios.scenario,
        -- order
        scenarios.severity_order,
        scenarios.is_what_if,
        -- shocks on borrowers
        scenarios.income_change,
        scenarios.unemployment_share,
        scenarios.unemployed_income_change,
        -- scope (empty: every open loan)
        scenarios.scope_segment_name,
        scenarios.scope_loan_type,
        scenarios.description
    from scenarios
    left join all_problems
        on true
    where {{ stop_on_problems('all_problems.problems') }}
)

select * from final
