-- Open loans per team and reason in collection_plan, against the team's capacity: who got their best action,
-- who got the next best because capacity ran out, and who is eligible for nothing but monitoring.

with

plan as (
    select * from {{ ref('collection_plan') }}
),

actions as (
    select * from {{ ref('collection_actions') }}
),

final as (
    select
        -- grain
        actions.team,
        plan.assignment_reason,
        -- measures
        count(*) as loans,
        {{ order_free_sum('plan.value_over_no_action') }} as value_over_no_action,
        -- the team
        min(actions.action_order) as team_order
    from plan
    inner join actions
        on plan.action = actions.action
    group by actions.team, plan.assignment_reason
)

select * from final
