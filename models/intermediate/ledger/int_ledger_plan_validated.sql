-- Every repayment-plan row with the reason it cannot be used (null when it can). A plan row must belong to a
-- usable order. The original values stay in stg_ledger__plan (rejected_rows takes them from there): carried
-- through the duplicate check, the JSON of tens of millions of rows would cost more than the check itself.

with

plan as (
    select * from {{ ref('stg_ledger__plan') }}
    where {{ loan_is_rebuilt('loan_id') }}
),

orders as (
    {{ accepted_rows(ref('int_ledger_orders_validated'), loan_is_rebuilt('loan_id')) }}
),

checked as (
    select
        plan.source_file,
        plan.source_row_number,
        plan.loan_id,
        plan.due_on,
        plan.cumulative_due_amount,
        nullif(concat_ws('; ',
            'missing ' || plan.missing_columns,
            'invalid value in ' || plan.invalid_columns,
            case when plan.cumulative_due_amount < 0 then 'negative plan_sum_total' end,
            case
                when plan.loan_id is not null and orders.loan_id is null then 'order_id not in orders'
            end
        ), '') as row_problems
    from plan
    left join orders
        on plan.loan_id = orders.loan_id
),

{{ rejection_reason_ctes('checked', ['loan_id', 'due_on'], 'order_id and plan_at') }}

select
    -- lineage
    source_file,
    source_row_number,
    -- ids
    loan_id,
    -- schedule
    due_on,
    cumulative_due_amount,
    -- problem
    rejection_reason
from final
