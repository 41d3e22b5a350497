-- The two arms of an experiment together never assign an action to more loans than its capacity: per experiment
-- and build (assigned_as_of_date), champion and challenger loans counted together.

with

assignments as (
    select * from {{ ref('collection_experiment_assignments') }}
),

actions as (
    select * from {{ ref('collection_actions') }}
),

assigned as (
    select
        experiment_id,
        assigned_as_of_date,
        arm_action,
        count(*) as loans
    from assignments
    group by experiment_id, assigned_as_of_date, arm_action
)

select
    assigned.experiment_id,
    assigned.assigned_as_of_date,
    assigned.arm_action,
    assigned.loans,
    actions.capacity_per_period
from assigned
inner join actions
    on assigned.arm_action = actions.action
where assigned.loans > actions.capacity_per_period
