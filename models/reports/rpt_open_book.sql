-- The first screen's open book: active and overdue loans by the one definition of both
-- (macros/rules/activity_rules.sql), and the expected loss collections can still act on.

with

loan_portfolio as (
    select * from {{ ref('loan_portfolio') }}
),

activity as (
    select
        is_open as is_active,
        days_past_due,
        expected_loss
    from loan_portfolio
),

final as (
    select
        -- key: one row, the book at the as-of date
        {{ date_var('as_of_date') }} as as_of_date,
        -- counts
        count(case when is_active then 1 end) as active_loans,
        -- empty (not available) when no loan's days past due are known: the loan file lacks Days_Past_Due
        case
            when count(days_past_due) > 0
                then count(case when {{ is_overdue_loan('is_active', 'days_past_due') }} then 1 end)
        end as overdue_loans,
        -- amounts
        -- empty (not available) when no loan has an expected loss: the loan file lacks Outstanding_Loan_Amount
        case
            when count(expected_loss) > 0 then round(sum(case when is_active then expected_loss else 0 end), 2)
        end as open_expected_loss
    from activity
)

select * from final
