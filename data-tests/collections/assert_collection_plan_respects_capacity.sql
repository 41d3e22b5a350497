-- No action is assigned to more loans than its capacity per period (seed collection_actions).

with

plan as (
    select * from {{ ref('collection_plan') }}
),

actions as (
    select * from {{ ref('collection_actions') }}
),

assigned as (
    select
        action,
        count(*) as loans
    from plan
    group by action
)

select
    assigned.action,
    assigned.loans,
    actions.capacity_per_period
from assigned
inner join actions
    on assigned.action = actions.action
where assigned.loans > actions.capacity_per_period
