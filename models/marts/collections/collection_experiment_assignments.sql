-- Champion/challenger: each open loan's arm in the running experiment (var experiment_id), written once. A stable
-- hash of experiment and loan id sends the share experiment_challenger_share of the loans to the challenger
-- policy (var experiment_challenger_policy), the others to the champion (var collection_policy); each row keeps
-- the action its arm's policy gave the loan when it was assigned. Append-only and never fully refreshed: a later
-- build adds the loans that opened since, and no build, new data or full refresh rewrites an assignment.
{{ config(
    materialized='incremental', incremental_strategy='append', full_refresh=false, on_schema_change='append_new_columns'
) }}
{%- set experiment_id = var('experiment_id') | string %}
{%- set share = number_var('experiment_challenger_share', 0, 1) %}
{%- set champion_policy = var('collection_policy') %}
{%- set challenger_policy = var('experiment_challenger_policy') %}
{#- The first 8 hex digits of the hash, read as a fraction of 16^8, fall below the share: the challenger. Hex
    strings of equal length compare like the numbers they write, on every engine. -#}
{%- set threshold = '%08x' % ([share * 4294967296, 4294967295] | min | int) %}

with

plan as (
    select * from {{ ref('collection_plan') }}
),

actions as (
    select * from {{ ref('collection_actions') }}
),

hashed as (
    select
        plan.*,
        substr({{ dbt.hash(dbt.concat(["'" ~ experiment_id ~ "'", "'|'", 'plan.loan_id'])) }}, 1, 8)
            as assignment_hash
    from plan
    where '{{ experiment_id }}' <> ''
),

armed as (
    select
        *,
        case
            when {{ 'true' if share >= 1 else "assignment_hash < '" ~ threshold ~ "'" }} then 'challenger'
            else 'champion'
        end as arm
    from hashed
),

with_action as (
    select
        armed.*,
        case when armed.arm = 'challenger' then '{{ challenger_policy }}' else '{{ champion_policy }}' end
            as arm_policy
    from armed
),

new_assignments as (
    select
        with_action.*,
        case when with_action.arm_policy = 'optimised' then with_action.action else with_action.band_action end
            as arm_action
    from with_action
{%- if is_incremental() and experiment_id != '' %}
    left join {{ this }} as existing
        on existing.experiment_id = '{{ experiment_id }}'
        and with_action.loan_id = existing.loan_id
    where existing.loan_id is null
{%- endif %}
),

final as (
    select
        -- grain
        cast('{{ experiment_id }}' as {{ dbt.type_string() }}) as experiment_id,
        new_assignments.loan_id,
        -- the arm
        new_assignments.arm,
        new_assignments.arm_policy,
        new_assignments.assignment_hash,
        new_assignments.arm_action,
        cast(actions.cost_per_loan as double) as action_cost,
        -- the loan when assigned
        new_assignments.exposure_at_default as exposure_at_assignment,
        new_assignments.days_past_due as days_past_due_at_assignment,
        new_assignments.risk_band as risk_band_at_assignment,
        -- when
        {{ date_var('experiment_start_date') }} as experiment_start_date,
        {{ date_var('as_of_date') }} as assigned_as_of_date,
        -- the input it was assigned from
        cast('{{ var("loan_recovery_path") | replace("'", "''") }}' as {{ dbt.type_string() }}) as loan_file,
        cast('{{ ledger_path() | replace("'", "''") }}' as {{ dbt.type_string() }}) as ledger_folder
    from new_assignments
    inner join actions
        on new_assignments.arm_action = actions.action
)

select * from final
