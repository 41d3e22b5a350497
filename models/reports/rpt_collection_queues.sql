-- Each team's work queue from collection_plan: its first `work_queue_size` open loans by value over no action,
-- with the action, its expected value and why the loan got it. Monitoring is nobody's work and is left out.

with

plan as (
    select * from {{ ref('collection_plan') }}
),

actions as (
    select * from {{ ref('collection_actions') }}
),

worked as (
    select
        plan.*,
        actions.action_name,
        actions.capacity_per_period,
        best.action_name as best_action_name,
        row_number() over (
            partition by plan.team order by plan.value_over_no_action desc, plan.loan_id asc
        ) as team_rank,
        count(*) over (partition by plan.team) as team_loans
    from plan
    inner join actions
        on plan.action = actions.action
    inner join actions as best
        on plan.best_action = best.action
    where actions.capacity_per_period is not null or actions.cost_per_loan > 0
),

final as (
    select
        -- grain
        team,
        team_rank,
        loan_id,
        -- what to do and why
        action_name,
        assignment_reason,
        best_action_name,
        value_over_no_action,
        expected_value,
        -- the loan
        days_past_due,
        risk_band,
        exposure_at_default,
        -- the team
        team_loans
    from worked
    where team_rank <= {{ var('work_queue_size') }}
)

select * from final
