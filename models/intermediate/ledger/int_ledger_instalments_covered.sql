-- One row per usable plan row (instalment) with the date the loan's payments first covered it. Payments cover the
-- oldest instalments first, so instalment k is covered once cumulative payments reach its cumulative amount due.

with

plan as (
    select * from {{ ref('int_ledger_plan_validated') }}
    where rejection_reason is null
),

payments as (
    select * from {{ ref('int_ledger_payments_validated') }}
    where rejection_reason is null
),

paid_running as (
    select
        loan_id,
        cast(paid_at as date) as paid_on,
        sum(paid_amount) over (
            partition by loan_id order by paid_at, source_row_number rows between unbounded preceding and current row
        ) as cumulative_paid_amount
    from payments
),

-- Plan and payment events on one amount axis per loan: an instalment is covered by the earliest payment whose
-- running total is at least its cumulative amount due, i.e. by the earliest payment after it on that axis.
events as (
    select
        loan_id,
        due_on,
        cumulative_due_amount as amount,
        0 as event_order,
        cast(null as date) as paid_on
    from plan
    union all
    select
        loan_id,
        cast(null as date) as due_on,
        cumulative_paid_amount as amount,
        1 as event_order,
        paid_on
    from paid_running
),

covered as (
    select
        loan_id,
        due_on,
        amount as cumulative_due_amount,
        event_order,
        min(paid_on) over (
            partition by loan_id order by amount, event_order rows between current row and unbounded following
        ) as first_covering_paid_on
    from events
),

final as (
    select
        -- ids
        loan_id,
        row_number() over (partition by loan_id order by due_on) as instalment_number,
        -- schedule
        due_on,
        cumulative_due_amount,
        -- coverage (nothing due is covered on its due date)
        case
            when cumulative_due_amount <= 0 then due_on
            else first_covering_paid_on
        end as covered_on
    from covered
    where event_order = 0
)

select * from final
