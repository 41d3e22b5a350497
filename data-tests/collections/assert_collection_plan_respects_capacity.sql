-- No action is assigned to more loans than its capacity per period (seed collection_actions), neither by the
-- optimised plan (action) nor by the band rule as a team carries it out (band_action).

with

plan as (
    select * from {{ ref('collection_plan') }}
),

actions as (
    select * from {{ ref('collection_actions') }}
),

assigned as (
    select
        'optimised' as plan_name,
        action as assigned_action,
        count(*) as loans
    from plan
    group by action
    union all
    select
        'bands' as plan_name,
        band_action as assigned_action,
        count(*) as loans
    from plan
    group by band_action
)

select
    assigned.plan_name,
    assigned.assigned_action,
    assigned.loans,
    actions.capacity_per_period
from assigned
inner join actions
    on assigned.assigned_action = actions.action
where assigned.loans > actions.capacity_per_period
