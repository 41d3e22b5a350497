-- One row per ledger loan and month end from its issue month until it closes (or the var `as_of_date`):
-- planned and paid to date, the gap, and days past due at that month end. Roll rates and vintage curves read this.
-- Incremental by loan: a daily build rebuilds the month ends of the loans whose inputs changed, and of the open loans
-- when the as-of date moved (a resolved loan's month ends stop at its close and do not move with it).

{%- set as_of = date_var('as_of_date') %}

with

orders as (
    {{ accepted_rows(ref('int_ledger_orders_validated'), loan_is_rebuilt('loan_id')) }}
),

-- instalments due after the as-of month never reach a month end of this table
plan as (
    {{ accepted_rows(
        ref('int_ledger_plan_validated'),
        loan_is_rebuilt('loan_id') ~ ' and due_on <= ' ~ dbt.last_day(as_of, 'month')
    ) }}
),

payments as (
    {{ accepted_rows(ref('int_ledger_payments_validated'), loan_is_rebuilt('loan_id')) }}
),

month_offsets as (
    {{ months_on_book_series() }}
),

-- a loan's months on book: from its issue month (0) to the month it closed, or the as-of month
order_months as (
    select
        loan_id,
        issued_at,
        {{ dbt.datediff('issued_at', 'least(coalesce(closed_at, ' ~ as_of ~ '), ' ~ as_of ~ ')', 'month') }}
            as last_month_on_book
    from orders
),

loan_months as (
    select
        order_months.loan_id,
        order_months.issued_at,
        month_offsets.months_on_book,
        cast({{ dbt.last_day(
            dbt.dateadd('month', 'month_offsets.months_on_book', dbt.date_trunc('month', 'order_months.issued_at')),
            'month'
        ) }} as date) as month_end
    from order_months
    -- an inequality on one precomputed column per loan: engines without a range join (Spark) compare integers
    inner join month_offsets
        on order_months.last_month_on_book >= month_offsets.months_on_book
),

due_by_month as (
    select
        loan_id,
        cast({{ dbt.last_day('due_on', 'month') }} as date) as month_end,
        max(cumulative_due_amount) as cumulative_due_amount
    from plan
    group by loan_id, {{ dbt.last_day('due_on', 'month') }}
),

paid_by_month as (
    select
        loan_id,
        cast({{ dbt.last_day('cast(paid_at as date)', 'month') }} as date) as month_end,
        sum(paid_amount) as paid_amount
    from payments
    group by loan_id, {{ dbt.last_day('cast(paid_at as date)', 'month') }}
),

running as (
    select
        loan_months.loan_id,
        loan_months.month_end,
        loan_months.months_on_book,
        coalesce(max(due_by_month.cumulative_due_amount) over (
            partition by loan_months.loan_id order by loan_months.month_end rows unbounded preceding
        ), 0) as planned_to_date,
        coalesce(sum(paid_by_month.paid_amount) over (
            partition by loan_months.loan_id order by loan_months.month_end rows unbounded preceding
        ), 0) as paid_to_date
    from loan_months
    left join due_by_month
        on loan_months.loan_id = due_by_month.loan_id and loan_months.month_end = due_by_month.month_end
    left join paid_by_month
        on loan_months.loan_id = paid_by_month.loan_id and loan_months.month_end = paid_by_month.month_end
),

-- Payments cover the oldest instalments first, so at a month end the unpaid instalments are those whose cumulative
-- amount due is above the payments made by then, and the oldest unpaid one is the earliest due of them. On one
-- amount axis per loan (instalments before month ends at equal amounts: those are covered), that is the earliest
-- due date after each month end. Only month ends behind plan can have one.
amount_axis as (
    select
        loan_id,
        cumulative_due_amount as amount,
        0 as event_order,
        due_on,
        cast(null as date) as month_end
    from plan
    union all
    select
        loan_id,
        paid_to_date as amount,
        1 as event_order,
        cast(null as date) as due_on,
        month_end
    from running
    where paid_to_date < planned_to_date
),

first_unpaid as (
    select
        loan_id,
        month_end,
        event_order,
        min(due_on) over (
            partition by loan_id order by amount, event_order rows between current row and unbounded following
        ) as first_unpaid_due_on
    from amount_axis
),

oldest_unpaid as (
    select
        loan_id,
        month_end,
        first_unpaid_due_on as oldest_unpaid_due_on
    from first_unpaid
    where event_order = 1 and first_unpaid_due_on <= month_end
),

final as (
    select
        -- ids
        running.loan_id,
        running.month_end,
        running.months_on_book,
        -- amounts
        running.planned_to_date,
        running.paid_to_date,
        running.planned_to_date - running.paid_to_date as payment_gap,
        greatest(running.planned_to_date - running.paid_to_date, 0) as overdue_amount,
        -- delinquency
        coalesce({{ dbt.datediff('oldest_unpaid.oldest_unpaid_due_on', 'running.month_end', 'day') }}, 0)
            as days_past_due
    from running
    left join oldest_unpaid
        on running.loan_id = oldest_unpaid.loan_id and running.month_end = oldest_unpaid.month_end
)

select * from final
