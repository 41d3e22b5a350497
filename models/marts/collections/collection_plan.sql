-- One row per open loan: the collection action assigned this period under every action's capacity and
-- eligibility, its expected value, the loan's rank in the action's queue, and why it got that action.
--
-- The optimiser is a greedy in rounds (loans propose, actions accept): in each round every loan not yet assigned
-- proposes the eligible action, among those with capacity left, of highest value over no action (ties: lower
-- action_order); each action accepts its proposers by that value, highest first (ties: loan_id), up to its
-- capacity left, and actions without a capacity accept everyone. A rejected loan was turned away by an action
-- that is now full, so each round closes an action or assigns every loan: the number of capacity-limited actions
-- plus one round assign every loan. Only actions worth more than no action are proposed, except those without a
-- capacity (monitoring), which every loan can fall back to. How far from the optimum it can be: README, Decisioning.

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

-- The source documents' rule as a team can carry it out: the band's action (seed risk_bands) where the loan is
-- eligible for it, largest exposure first up to the action's capacity; every other loan gets its best action
-- without a capacity limit (a reminder, or monitoring).
band_choices as (
    select
        action_values.loan_id,
        action_values.action,
        action_values.expected_value,
        actions.capacity_per_period,
        row_number() over (
            partition by action_values.action
            order by action_values.exposure_at_default desc, action_values.loan_id asc
        ) as band_queue_rank
    from action_values
    inner join risk_bands
        on action_values.risk_band = risk_bands.risk_band
        and action_values.action = risk_bands.collection_action
    inner join actions
        on action_values.action = actions.action
    where action_values.is_eligible
),

unlimited_fallbacks as (
    select
        action_values.loan_id,
        action_values.action,
        action_values.expected_value
    from action_values
    inner join actions
        on action_values.action = actions.action
    where action_values.is_eligible
        and actions.capacity_per_period is null
    qualify row_number() over (
        partition by action_values.loan_id
        order by action_values.value_over_no_action desc, action_values.action_order asc
    ) = 1
),

band_actions as (
    select
        unlimited_fallbacks.loan_id,
        coalesce(band_choices.action, unlimited_fallbacks.action) as band_action,
        coalesce(band_choices.expected_value, unlimited_fallbacks.expected_value) as band_action_expected_value
    from unlimited_fallbacks
    left join band_choices
        on unlimited_fallbacks.loan_id = band_choices.loan_id
        and (band_choices.capacity_per_period is null
            or band_choices.band_queue_rank <= band_choices.capacity_per_period)
),

candidates as (
    select
        action_values.loan_id,
        action_values.action,
        action_values.action_order,
        action_values.value_over_no_action,
        actions.capacity_per_period
    from action_values
    inner join actions
        on action_values.action = actions.action
    where action_values.is_eligible
        and (action_values.value_over_no_action > 0 or actions.capacity_per_period is null)
),

-- The best eligible action of each loan, capacity aside, and how many actions it is eligible for.
best_actions as (
    select
        loan_id,
        action as best_action,
        count(*) over (partition by loan_id) as eligible_actions
    from action_values
    where is_eligible
    qualify row_number() over (
        partition by loan_id order by value_over_no_action desc, action_order asc
    ) = 1
),

assigned_0 as (
    select
        loan_id,
        action,
        0 as assignment_round
    from candidates
    where false
),
{% for round in range(1, rounds + 1) %}
capacity_left_{{ round }} as (
    select
        actions.action,
        actions.capacity_per_period - count(assigned.loan_id) as capacity_left
    from actions
    left join assigned_{{ round - 1 }} as assigned
        on actions.action = assigned.action
    group by actions.action, actions.capacity_per_period
),

proposals_{{ round }} as (
    select
        candidates.loan_id,
        candidates.action,
        candidates.value_over_no_action,
        capacity_left.capacity_left
    from candidates
    inner join capacity_left_{{ round }} as capacity_left
        on candidates.action = capacity_left.action
    left join assigned_{{ round - 1 }} as assigned
        on candidates.loan_id = assigned.loan_id
    where assigned.loan_id is null
        and (capacity_left.capacity_left is null or capacity_left.capacity_left > 0)
    qualify row_number() over (
        partition by candidates.loan_id
        order by candidates.value_over_no_action desc, candidates.action_order asc
    ) = 1
),

assigned_{{ round }} as (
    select
        loan_id,
        action,
        assignment_round
    from assigned_{{ round - 1 }}
    union all
    select
        loan_id,
        action,
        {{ round }} as assignment_round
    from proposals_{{ round }}
    qualify capacity_left is null
        or row_number() over (
            partition by action order by value_over_no_action desc, loan_id asc
        ) <= capacity_left
),
{% endfor %}
final as (
    select
        -- grain
        assigned.loan_id,
        -- the plan
        assigned.action,
        action_values.team,
        action_values.expected_value,
        action_values.value_over_no_action,
        -- bigint on every engine (Spark's row_number is an int)
        cast(row_number() over (
            partition by assigned.action
            order by action_values.value_over_no_action desc, assigned.loan_id asc
        ) as bigint) as queue_rank,
        case
            when best_actions.eligible_actions = 1 then 'not eligible'
            when assigned.action = best_actions.best_action then 'best value'
            else 'next best: capacity ran out'
        end as assignment_reason,
        best_actions.best_action,
        assigned.assignment_round,
        -- the loan
        action_values.risk_band,
        action_values.days_past_due,
        action_values.probability_of_default,
        action_values.exposure_at_default,
        action_values.loss_given_default,
        -- the source documents' rule, for comparison
        band_actions.band_action,
        band_actions.band_action_expected_value
    from assigned_{{ rounds }} as assigned
    inner join action_values
        on assigned.loan_id = action_values.loan_id
        and assigned.action = action_values.action
    inner join best_actions
        on assigned.loan_id = best_actions.loan_id
    left join band_actions
        on assigned.loan_id = band_actions.loan_id
)

select * from final
