-- Champion/challenger: each open loan's arm in the running experiment (var experiment_id), written once. The arm
-- and its policy come from int_loans_armed, the action from collection_plan, which plans each arm with its own
-- policy and its share of every capacity. Append-only and never fully refreshed: a later build adds the loans that
-- opened since, and no build, new data or full refresh rewrites an assignment. An experiment's arms are fixed when
-- it starts: a build that changes the share or a policy of a running experiment stops and says to start a new one.
{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false,
    on_schema_change='append_new_columns') }}
{%- set experiment_id = var('experiment_id') | string %}
{%- set share = number_var('experiment_challenger_share', 0, 1) %}
{%- if execute and is_incremental() and experiment_id != ''
    and 'challenger_share' in adapter.get_columns_in_relation(this) | map(attribute='name') | list %}
    {%- set started = run_query(
        "select distinct challenger_share, arm, arm_policy from " ~ this
        ~ " where experiment_id = '" ~ experiment_id ~ "' and challenger_share is not null"
    ) %}
    {%- set policies = {'champion': var('collection_policy'), 'challenger': var('experiment_challenger_policy')} %}
    {%- for started_share, arm, arm_policy in started.rows %}
        {%- if (started_share | float - share) | abs > 1e-12 or arm_policy != policies[arm] %}
            {{ exceptions.raise_compiler_error(
                "experiment '" ~ experiment_id ~ "' started with challenger share " ~ started_share ~ " and "
                ~ arm ~ " policy " ~ arm_policy ~ "; this build asks for share " ~ share ~ " and " ~ arm
                ~ " policy " ~ policies[arm] ~ ". A running experiment's arms cannot change: start a new"
                ~ " experiment_id with the new settings (or restore the old ones)."
            ) }}
        {%- endif %}
    {%- endfor %}
{%- endif %}

with

plan as (
    select * from {{ ref('collection_plan') }}
),

arms as (
    select * from {{ ref('int_loans_armed') }}
),

actions as (
    select * from {{ ref('collection_actions') }}
),

new_assignments as (
    select
        plan.*,
        arms.assignment_hash
    from plan
    inner join arms
        on plan.loan_id = arms.loan_id
{%- if is_incremental() and experiment_id != '' %}
    left join {{ this }} as existing
        on existing.experiment_id = '{{ experiment_id }}'
        and plan.loan_id = existing.loan_id
    where existing.loan_id is null
{%- else %}
    where '{{ experiment_id }}' <> ''
{%- endif %}
),

final as (
    select
        -- grain
        cast('{{ experiment_id }}' as {{ dbt.type_string() }}) as experiment_id,
        new_assignments.loan_id,
        -- the arm
        new_assignments.arm,
        new_assignments.policy as arm_policy,
        new_assignments.assignment_hash,
        new_assignments.action as arm_action,
        cast(actions.cost_per_loan as double) as action_cost,
        -- the loan when assigned
        new_assignments.exposure_at_default as exposure_at_assignment,
        new_assignments.days_past_due as days_past_due_at_assignment,
        new_assignments.risk_band as risk_band_at_assignment,
        -- when
        {{ date_var('experiment_start_date') }} as experiment_start_date,
        {{ date_var('as_of_date') }} as assigned_as_of_date,
        -- the experiment's settings
        cast({{ share }} as double) as challenger_share,
        -- the input it was assigned from
        cast('{{ var("loan_recovery_path") | replace("'", "''") }}' as {{ dbt.type_string() }}) as loan_file,
        cast('{{ ledger_path() | replace("'", "''") }}' as {{ dbt.type_string() }}) as ledger_folder
    from new_assignments
    inner join actions
        on new_assignments.action = actions.action
)

select * from final
