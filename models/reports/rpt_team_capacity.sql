-- One row per team of seed collection_actions: how much of its capacity this period's collection_plan uses and
-- how much is left, beside the plan. A team whose actions cost nothing (monitoring) does no work: no capacity.

with

plan as (
    select * from {{ ref('collection_plan') }}
),

actions as (
    select * from {{ ref('collection_actions') }}
),

teams as (
    select
        team,
        min(action_order) as team_order,
        -- a team without a limit on any of its actions has no capacity to run out of
        case when count(capacity_per_period) = count(*) then sum(capacity_per_period) end as capacity,
        max(cost_per_loan) = 0 as is_no_work
    from actions
    group by team
),

assigned as (
    select
        actions.team,
        count(*) as loans_assigned
    from plan
    inner join actions
        on plan.action = actions.action
    group by actions.team
),

final as (
    select
        -- grain
        teams.team,
        teams.team_order,
        -- the team's work this period
        teams.is_no_work,
        coalesce(assigned.loans_assigned, 0) as loans_assigned,
        teams.capacity,
        teams.capacity - coalesce(assigned.loans_assigned, 0) as capacity_left,
        cast(coalesce(assigned.loans_assigned, 0) as double) / nullif(teams.capacity, 0) as share_of_capacity_used
    from teams
    left join assigned
        on teams.team = assigned.team
)

select * from final
