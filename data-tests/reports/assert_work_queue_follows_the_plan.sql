-- The work queue shows the plan: each of its loans has collection_plan's action and team, row for row.

with

work_queue as (
    select * from {{ ref('rpt_work_queue') }}
),

plan as (
    select * from {{ ref('collection_plan') }}
)

select
    work_queue.loan_id,
    work_queue.recommended_action,
    plan.action as plan_action,
    work_queue.team,
    plan.team as plan_team
from work_queue
left join plan
    on work_queue.loan_id = plan.loan_id
where plan.loan_id is null
    or work_queue.recommended_action is distinct from plan.action
    or work_queue.team is distinct from plan.team
