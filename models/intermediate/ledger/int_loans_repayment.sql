-- One row per usable ledger loan: its repayment position as of the var `as_of_date`, from plan and payments.
-- Payments cover the oldest instalments first, so an instalment is unpaid at the as-of date exactly when the
-- payments made by then fall short of its cumulative amount due: no instalment-by-instalment matching is needed.

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

as_of as (
    select {{ as_of }} as as_of_date
),

paid as (
    select
        loan_id,
        -- decimal(38, 2) on every engine (Spark widens a sum by 10 digits, DuckDB to 38)
        cast(sum(paid_amount) as decimal(38, 2)) as total_paid,
        cast(sum(case when cast(paid_at as date) <= {{ as_of }} then paid_amount else 0 end) as decimal(38, 2))
            as paid_to_date,
        min(case when cast(paid_at as date) <= {{ as_of }} then paid_at end) as first_payment_at,
        max(case when cast(paid_at as date) <= {{ as_of }} then paid_at end) as last_payment_at
    from payments
    group by loan_id
),

due_to_date as (
    select
        plan.loan_id,
        -- the width of the payment sums it is compared with
        cast(max(plan.cumulative_due_amount) as decimal(38, 2)) as planned_to_date,
        count(*) as instalments_due,
        -- missed: fell due before the as-of date and not covered by then (an instalment due today is not late)
        count(
            case
                when plan.due_on < {{ as_of }} and plan.cumulative_due_amount > coalesce(paid.paid_to_date, 0) then 1
            end
        ) as missed_instalments,
        min(
            case
                when plan.due_on < {{ as_of }} and plan.cumulative_due_amount > coalesce(paid.paid_to_date, 0)
                    then plan.due_on
            end
        ) as oldest_unpaid_due_on
    from plan
    left join paid
        on plan.loan_id = paid.loan_id
    where plan.due_on <= {{ as_of }}
    group by plan.loan_id
),

final as (
    select
        -- ids
        orders.loan_id,
        -- timeline
        orders.issued_at,
        orders.closed_at,
        orders.closed_at is null as is_open,
        as_of.as_of_date,
        {{ dbt.datediff('orders.issued_at', 'coalesce(orders.closed_at, as_of.as_of_date)', 'day') }}
            as loan_duration_days,
        -- amounts
        orders.issued_amount,
        coalesce(due_to_date.planned_to_date, 0) as planned_to_date,
        coalesce(paid.paid_to_date, 0) as paid_to_date,
        coalesce(paid.total_paid, 0) as total_paid,
        -- behaviour
        coalesce(due_to_date.instalments_due, 0) as instalments_due,
        coalesce(due_to_date.missed_instalments, 0) as missed_instalments,
        coalesce({{ dbt.datediff('due_to_date.oldest_unpaid_due_on', 'as_of.as_of_date', 'day') }}, 0) as days_past_due,
        paid.first_payment_at,
        paid.last_payment_at,
        {{ dbt.datediff('cast(paid.last_payment_at as date)', 'as_of.as_of_date', 'day') }} as days_since_last_payment  -- noqa: LT05
    from orders
    cross join as_of
    left join due_to_date
        on orders.loan_id = due_to_date.loan_id
    left join paid
        on orders.loan_id = paid.loan_id
)

select * from final
