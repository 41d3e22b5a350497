-- Fails when the active or overdue loans of the first screen (loan file), of the trend (ledger, at the as-of month
-- end) and of rpt_active_reconciliation disagree: all three count by the one definition of active and overdue.

with

reconciliation as (
    select
        sum(case when loan_file_state = 'Active' then loans else 0 end) as loan_file_active,
        sum(overdue_in_loan_file) as loan_file_overdue,
        sum(case when ledger_state = 'Active' then loans else 0 end) as ledger_active,
        sum(overdue_in_ledger) as ledger_overdue
    from {{ ref('rpt_active_reconciliation') }}
),

kpis as (
    select * from {{ ref('rpt_open_book') }}
),

-- the trend's last month end, when it is the as-of date itself
latest_month as (
    select trend.*
    from {{ ref('rpt_monthly_risk_trend') }} as trend
    cross join kpis
    where trend.is_latest and trend.month_end = kpis.as_of_date
),

final as (
    select 'loan file active' as measure
    from reconciliation cross join kpis
    where reconciliation.loan_file_active <> kpis.active_loans
    union all
    select 'loan file overdue' as measure
    from reconciliation cross join kpis
    where reconciliation.loan_file_overdue <> kpis.overdue_loans
    union all
    select 'ledger active' as measure
    from reconciliation cross join latest_month
    where reconciliation.ledger_active <> latest_month.open_loans
    union all
    select 'ledger overdue' as measure
    from reconciliation cross join latest_month
    where reconciliation.ledger_overdue <> latest_month.open_overdue_loans
)

select * from final
