-- Every loan's assigned action is one it is eligible for, and every open loan has exactly one plan row.

with

plan as (
    select * from {{ ref('collection_plan') }}
),

action_values as (
    select * from {{ ref('collection_action_values') }}
),

open_loans as (
    select distinct loan_id from action_values
)

select
    coalesce(plan.loan_id, open_loans.loan_id) as loan_id,
    plan.action,
    case
        when plan.loan_id is null then 'open loan without a plan row'
        when open_loans.loan_id is null then 'plan row for a loan that is not open'
        else 'assigned an action it is not eligible for'
    end as problem
from plan
full outer join open_loans
    on plan.loan_id = open_loans.loan_id
left join action_values
    on plan.loan_id = action_values.loan_id
    and plan.action = action_values.action
where plan.loan_id is null
    or open_loans.loan_id is null
    or not action_values.is_eligible
