-- One decision per loan: every open loan of recovery_strategy appears once in collection_plan and is recommended
-- the plan's action, one it is eligible for; no plan row is for a loan that is not open. Fails on any loan
-- dropped or added between the strategy view and the plan.

with

strategy as (
    select * from {{ ref('recovery_strategy') }}
    where is_open
),

plan as (
    select * from {{ ref('collection_plan') }}
),

action_values as (
    select * from {{ ref('collection_action_values') }}
)

select
    coalesce(strategy.loan_id, plan.loan_id) as loan_id,
    strategy.recommended_action,
    plan.action as plan_action,
    case
        when plan.loan_id is null then 'open loan without a plan row'
        when strategy.loan_id is null then 'plan row for a loan that is not open'
        when coalesce(strategy.recommended_action <> plan.action, true) then 'recommends another action'
        else 'recommended an action it is not eligible for'
    end as problem
from strategy
full outer join plan
    on strategy.loan_id = plan.loan_id
left join action_values
    on strategy.loan_id = action_values.loan_id
    and strategy.recommended_action = action_values.action
where plan.loan_id is null
    or strategy.loan_id is null
    or coalesce(strategy.recommended_action <> plan.action, true)
    or not coalesce(action_values.is_eligible, false)
