-- The monthly risk trend of the last 24 month ends (var `trend_months`): open loans and how many are overdue, by
-- the definition of both that the loan file shares, with the change since the previous month end for the KPIs.

with

monthly_risk_trend as (
    select * from {{ ref('monthly_risk_trend') }}
),

changes as (
    select
        month_end,
        open_loans,
        open_overdue_loans,
        cast(open_overdue_loans as double) / nullif(open_loans, 0) as share_of_open_loans_overdue,
        open_overdue_amount,
        active_loans as loans_on_book,
        active_loans - open_loans as loans_closed_in_month,
        lag(open_loans) over (order by month_end) as previous_open_loans,
        lag(open_overdue_loans) over (order by month_end) as previous_open_overdue_loans,
        lag(open_overdue_amount) over (order by month_end) as previous_open_overdue_amount,
        lag(month_end) over (order by month_end) as previous_month_end,
        row_number() over (order by month_end desc) as months_back
    from monthly_risk_trend
),

final as (
    select
        -- grain
        month_end,
        -- open book, the shared definition
        open_loans,
        open_overdue_loans,
        share_of_open_loans_overdue,
        open_overdue_amount,
        -- the ledger's book, closed loans included until their month ends
        loans_on_book,
        loans_closed_in_month,
        -- change since the previous month end
        previous_month_end,
        previous_open_loans,
        previous_open_overdue_loans,
        previous_open_overdue_amount,
        months_back = 1 as is_latest
    from changes
    where months_back <= {{ var('trend_months') }}
)

select * from final
