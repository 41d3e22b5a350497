-- One row per usable ledger loan: its repayment position at its observation point
-- (macros/rules/repayment_position.sql), the only view of the ledger the models may learn from or score with.

{%- set as_of = date_var('as_of_date') %}

with

orders as (
    {{ accepted_rows(ref('int_ledger_orders_validated'), loan_is_rebuilt('loan_id')) }}
),

plan as (
    {{ accepted_rows(ref('int_ledger_plan_validated'), loan_is_rebuilt('loan_id')) }}
),

payments as (
    {{ accepted_rows(ref('int_ledger_payments_validated'), loan_is_rebuilt('loan_id')) }}
),

positions as (
    select
        loan_id,
        {{ observation_date('cast(issued_at as date)', 'cast(closed_at as date)', as_of) }} as position_date
    from orders
),

{{ repayment_position_ctes() }},

final as (
    select
        -- ids
        orders.loan_id,
        -- timeline
        repayment_position.position_date as observation_date,
        -- a loan closed by its observation date was never seen open there: nothing to learn from
        coalesce(cast(orders.closed_at as date) > repayment_position.position_date, true) as is_open_when_observed,
        -- amounts
        orders.issued_amount,
        repayment_position.planned_to_date,
        repayment_position.paid_to_date,
        repayment_position.outstanding_amount,
        -- behaviour
        repayment_position.missed_instalments,
        repayment_position.days_past_due,
        repayment_position.days_since_last_payment
    from orders
    inner join repayment_position
        on orders.loan_id = repayment_position.loan_id
)

select * from final
