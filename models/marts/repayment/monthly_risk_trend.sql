-- One row per month end: how much of the active ledger book is behind plan, and how many loans were issued.

with

loan_months as (
    select * from {{ ref('int_loans_monthly_delinquency') }}
),

orders as (
    {{ accepted_rows(ref('int_ledger_orders_validated')) }}
),

-- the shared definition of active and overdue (macros/rules/activity_rules.sql): closed by the month end is not active
loan_states as (
    select
        loan_months.month_end,
        loan_months.days_past_due,
        loan_months.overdue_amount,
        {{ is_active_loan(closed_at='cast(orders.closed_at as date)', at='loan_months.month_end') }} as is_open
    from loan_months
    inner join orders on loan_months.loan_id = orders.loan_id
),

open_book as (
    select
        month_end,
        count(case when is_open then 1 end) as open_loans,
        count(case when {{ is_overdue_loan('is_open', 'days_past_due') }} then 1 end) as open_overdue_loans,
        sum(case when is_open then overdue_amount else 0 end) as open_overdue_amount
    from loan_states
    group by month_end
),

book as (
    select
        month_end,
        count(*) as active_loans,
        count(case when payment_gap > 0 then 1 end) as loans_with_payment_gap,
        count(case when days_past_due > 0 then 1 end) as overdue_loans,
        count(case when days_past_due > 30 then 1 end) as loans_over_30_days_past_due,
        sum(overdue_amount) as overdue_amount,
        cast(sum(planned_to_date) as decimal(38, 2)) as planned_to_date,
        sum(paid_to_date) as paid_to_date
    from loan_months
    group by month_end
),

issued as (
    select
        cast({{ dbt.last_day('issued_at', 'month') }} as date) as month_end,
        count(*) as new_loans_issued,
        cast(sum(issued_amount) as decimal(38, 2)) as new_amount_issued
    from orders
    group by {{ dbt.last_day('issued_at', 'month') }}
),

final as (
    select
        -- month
        book.month_end,
        -- book
        book.active_loans,
        book.loans_with_payment_gap,
        book.overdue_loans,
        book.loans_over_30_days_past_due,
        cast(book.overdue_loans as double) / book.active_loans as share_of_active_loans_overdue,
        book.overdue_amount,
        book.planned_to_date,
        book.paid_to_date,
        -- new business
        coalesce(issued.new_loans_issued, 0) as new_loans_issued,
        coalesce(issued.new_amount_issued, 0) as new_amount_issued,
        -- open book, by the definition the loan file shares
        open_book.open_loans,
        open_book.open_overdue_loans,
        open_book.open_overdue_amount
    from book
    inner join open_book
        on book.month_end = open_book.month_end
    left join issued
        on book.month_end = issued.month_end
)

select * from final
