-- One row per usable ledger loan: its repayment position as of the var `as_of_date`, from plan and payments
-- (the rules: macros/rules/repayment_position.sql).

{%- set as_of = date_var('as_of_date') %}

with

orders as (
    {{ accepted_rows(ref('int_ledger_orders_validated')) }}
),

plan as (
    {{ accepted_rows(ref('int_ledger_plan_validated')) }}
),

payments as (
    {{ accepted_rows(ref('int_ledger_payments_validated')) }}
),

positions as (
    select
        loan_id,
        {{ as_of }} as position_date
    from orders
),

{{ repayment_position_ctes(with_outstanding=false) }},

final as (
    select
        -- ids
        orders.loan_id,
        -- timeline
        orders.issued_at,
        orders.closed_at,
        orders.closed_at is null as is_open,
        repayment_position.position_date as as_of_date,
        {{ dbt.datediff('orders.issued_at', 'coalesce(orders.closed_at, repayment_position.position_date)', 'day') }}
            as loan_duration_days,
        -- amounts
        orders.issued_amount,
        repayment_position.planned_to_date,
        repayment_position.paid_to_date,
        repayment_position.total_paid,
        -- behaviour
        repayment_position.instalments_due,
        repayment_position.missed_instalments,
        repayment_position.days_past_due,
        repayment_position.first_payment_at,
        repayment_position.last_payment_at,
        repayment_position.days_since_last_payment
    from orders
    inner join repayment_position
        on orders.loan_id = repayment_position.loan_id
)

select * from final
