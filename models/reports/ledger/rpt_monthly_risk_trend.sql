-- The monthly risk trend: share of active loans overdue and the overdue amount at each month end.

with

monthly_risk_trend as (
    select * from {{ ref('monthly_risk_trend') }}
),

final as (
    select
        -- grain
        month_end,
        -- trend
        active_loans,
        share_of_active_loans_overdue,
        overdue_amount
    from monthly_risk_trend
)

select * from final
