-- One row per open loan: the collection action it gets this period, under every action's capacity and eligibility,
-- as the policy of its experiment arm plans it (int_loans_armed: without an experiment every loan is planned by
-- var collection_policy). Beside it, both policies' actions, so that the plans can be compared in one table.
--
-- Each arm plans with its share of every capacity (the challenger experiment_challenger_share of it, rounded
-- down, the champion the rest), so both arms together never exceed a team's capacity. Within its arm:
-- * `optimised`: a greedy in rounds (loans propose, actions accept): in each round every loan not yet assigned
--   proposes the eligible action, among those with capacity left, of highest value over no action (ties: lower
--   action_order); each action accepts its proposers by that value, highest first (ties: loan_id), up to its
--   capacity left, and actions without a capacity accept everyone. A rejected loan was turned away by an action
--   that is now full, so each round closes an action or assigns every loan: the number of capacity-limited actions
--   plus one round assign every loan. How far from the optimum it can be: docs/decisioning.md.
-- * `bands`: the source documents' rule as a team can carry it out: the band's action (seed risk_bands) where the
--   loan is eligible for it and it is worth more than doing nothing, largest exposure first up to the action's
--   capacity; every other loan gets its best action without a capacity limit (a reminder, or monitoring).
-- Only actions worth more than doing nothing are assigned, except monitoring (worth nothing, costs nothing).
{%- set experiment_running = var('experiment_id') | string != '' %}
{%- set challenger_share = number_var('experiment_challenger_share', 0, 1) if experiment_running else 0 %}

{#- Rounds: the capacity-limited actions in the seed plus one (one round when the seed is not loaded yet, as when
    the SQL is only parsed or linted). -#}
{%- set rounds = 1 -%}
{%- if execute and load_relation(ref('collection_actions')) is not none -%}
    {%- set limited = run_query(
        "select count(*) from " ~ ref('collection_actions') ~ " where capacity_per_period is not null"
    ) -%}
    {%- set rounds = limited.columns[0].values()[0] + 1 -%}
{%- endif %}

with

action_values as (
    select * from {{ ref('collection_action_values') }}
),

actions as (
    select * from {{ ref('collection_actions') }}
),

risk_bands as (
    select * from {{ ref('risk_bands') }}
),

arms as (
    select * from {{ ref('int_loans_armed') }}
),

arm_names as (
    select 'champion' as arm
    union all
    select 'challenger' as arm
),

arm_capacities as (
    select
        arm_names.arm,
        actions.action,
        case
            when arm_names.arm = 'challenger'
                then cast(floor(actions.capacity_per_period * {{ challenger_share }}) as integer)
            else actions.capacity_per_period
                - cast(floor(actions.capacity_per_period * {{ challenger_share }}) as integer)
        end as capacity
    from actions
    cross join arm_names
),

-- Every eligible action of every loan, with the loan's arm and the action's capacity in that arm.
eligible as (
    select
        action_values.loan_id,
        arms.arm,
        action_values.action,
        action_values.action_order,
        action_values.risk_band,
        action_values.exposure_at_default,
        action_values.value_over_no_action,
        arm_capacities.capacity
    from action_values
    inner join arms
        on action_values.loan_id = arms.loan_id
    inner join arm_capacities
        on arms.arm = arm_capacities.arm
        and action_values.action = arm_capacities.action
    where action_values.is_eligible
),

-- The band plan: the band's action where eligible and worth more than nothing, largest exposure first up to the
-- arm's capacity; the rest fall back to their best unlimited action.
band_choices as (
    select
        eligible.loan_id,
        eligible.action,
        eligible.capacity,
        row_number() over (
            partition by eligible.arm, eligible.action
            order by eligible.exposure_at_default desc, eligible.loan_id asc
        ) as band_queue_rank
    from eligible
    inner join risk_bands
        on eligible.risk_band = risk_bands.risk_band
        and eligible.action = risk_bands.collection_action
    where eligible.value_over_no_action > 0
),

unlimited_fallbacks as (
    select
        loan_id,
        action
    from eligible
    where capacity is null
    qualify row_number() over (
        partition by loan_id
        order by value_over_no_action desc, action_order asc
    ) = 1
),

band_plan as (
    select
        unlimited_fallbacks.loan_id,
        coalesce(band_choices.action, unlimited_fallbacks.action) as action
    from unlimited_fallbacks
    left join band_choices
        on unlimited_fallbacks.loan_id = band_choices.loan_id
        and (band_choices.capacity is null or band_choices.band_queue_rank <= band_choices.capacity)
),

-- The optimised plan's candidates: actions worth more than doing nothing, and the unlimited ones (monitoring).
candidates as (
    select *
    from eligible
    where value_over_no_action > 0 or capacity is null
),

-- The best eligible action of each loan, capacity aside, and how many actions it is eligible for.
best_actions as (
    select
        loan_id,
        action as best_action,
        count(*) over (partition by loan_id) as eligible_actions
    from eligible
    qualify row_number() over (
        partition by loan_id order by value_over_no_action desc, action_order asc
    ) = 1
),

-- The greedy's state before each round: the candidate rows of the loans not yet assigned, and the assigned rows
-- that count against a capacity. Each round is four selects over the state before it, each reading the one before
-- it once, and its accepted rows: a plan that grows with the square of the rounds, not with a power of them (Spark
-- inlines a CTE at each of its references).
state_0 as (
    select
        loan_id,
        arm,
        action,
        action_order,
        value_over_no_action,
        capacity,
        cast(null as {{ dbt.type_string() }}) as assigned_action
    from candidates
),
{% for round in range(1, rounds + 1) %}
-- What each action has left in its arm: its capacity less the loans assigned to it (null: no limit).
capacity_left_{{ round }} as (
    select
        *,
        capacity - sum(case when action = assigned_action then 1 else 0 end)
            over (partition by arm, action) as capacity_left
    from state_{{ round - 1 }}
    where assigned_action is null or (action = assigned_action and capacity is not null)
),

-- Each unassigned loan proposes its most valuable action with capacity left.
proposals_{{ round }} as (
    select
        *,
        coalesce(assigned_action is null and (capacity_left is null or capacity_left > 0), false)
        and row_number() over (
            partition by loan_id
            order by
                case when assigned_action is null and (capacity_left is null or capacity_left > 0) then 0 else 1 end,
                value_over_no_action desc,
                action_order asc
        ) = 1 as is_proposed
    from capacity_left_{{ round }}
),

-- Each action accepts its proposers by value, highest first (ties: loan_id), up to its capacity left.
acceptances_{{ round }} as (
    select
        *,
        is_proposed and (
            capacity_left is null
            or sum(case when is_proposed then 1 else 0 end) over (
                partition by arm, action
                order by value_over_no_action desc, loan_id asc
                rows between unbounded preceding and current row
            ) <= capacity_left
        ) as is_accepted
    from proposals_{{ round }}
),

{%- if not loop.last %}
state_{{ round }} as (
    select
        loan_id,
        arm,
        action,
        action_order,
        value_over_no_action,
        capacity,
        coalesce(
            assigned_action, max(case when is_accepted then action end) over (partition by loan_id)
        ) as assigned_action
    from acceptances_{{ round }}
),
{%- endif %}
{% endfor %}
-- The row each loan was accepted on, and its round (every loan is accepted by the last round).
assigned as (
    {%- for round in range(1, rounds + 1) %}
    select
        loan_id,
        arm,
        action,
        {{ round }} as assignment_round
    from acceptances_{{ round }}
    where is_accepted
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

plans as (
    select
        arms.loan_id,
        arms.arm,
        arms.arm_policy,
        optimised.action as optimised_action,
        optimised.assignment_round,
        band_plan.action as band_action,
        case when arms.arm_policy = 'optimised' then optimised.action else band_plan.action end as action
    from arms
    inner join assigned as optimised
        on arms.loan_id = optimised.loan_id
    inner join band_plan
        on arms.loan_id = band_plan.loan_id
),

final as (
    select
        -- grain
        plans.loan_id,
        -- the plan
        plans.action,
        action_values.team,
        action_values.expected_value,
        action_values.value_over_no_action,
        -- bigint on every engine (Spark's row_number is an int)
        cast(row_number() over (
            partition by plans.action
            order by action_values.value_over_no_action desc, plans.loan_id asc
        ) as bigint) as queue_rank,
        case
            when best_actions.eligible_actions = 1 then 'not eligible'
            when plans.action = best_actions.best_action then 'best value'
            when plans.arm_policy = 'bands' and plans.action = risk_bands.collection_action then 'band rule'
            when plans.arm_policy = 'bands' and coalesce(not band_rule_value.is_eligible, true)
                then 'band action not eligible'
            when plans.arm_policy = 'bands' and band_rule_value.value_over_no_action <= 0
                then 'band action worth less than its cost'
            else 'next best: capacity ran out'
        end as assignment_reason,
        best_actions.best_action,
        -- the policy
        plans.arm,
        plans.arm_policy as policy,
        -- the loan
        action_values.risk_band,
        action_values.days_past_due,
        action_values.probability_of_default,
        action_values.exposure_at_default,
        action_values.loss_given_default,
        -- both policies' actions, for comparison
        plans.optimised_action,
        optimised_value.expected_value as optimised_action_expected_value,
        plans.assignment_round,
        plans.band_action,
        band_value.expected_value as band_action_expected_value
    from plans
    inner join action_values
        on plans.loan_id = action_values.loan_id
        and plans.action = action_values.action
    inner join action_values as optimised_value
        on plans.loan_id = optimised_value.loan_id
        and plans.optimised_action = optimised_value.action
    inner join action_values as band_value
        on plans.loan_id = band_value.loan_id
        and plans.band_action = band_value.action
    inner join best_actions
        on plans.loan_id = best_actions.loan_id
    left join risk_bands
        on action_values.risk_band = risk_bands.risk_band
    left join action_values as band_rule_value
        on plans.loan_id = band_rule_value.loan_id
        and risk_bands.collection_action = band_rule_value.action
)

select * from final
