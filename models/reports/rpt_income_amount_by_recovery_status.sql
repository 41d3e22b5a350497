-- Monthly income and loan amount by recovery status (open loans as "Open"): a fixed sample of loans to plot, with
-- each status's medians over all its loans.

with

labelled as (
    select
        loan_id,
        monthly_income,
        loan_amount,
        coalesce(recovery_status, 'Open') as recovery_status
    from {{ ref('recovery_strategy') }}
),

sampled as (
    {{ scatter_sample('labelled') }}
),

by_status as (
    select
        recovery_status,
        median(monthly_income) as status_median_income,
        median(loan_amount) as status_median_amount
    from labelled
    group by recovery_status
),

final as (
    select
        -- ids
        sampled.loan_id,
        -- plotted
        sampled.recovery_status,
        sampled.monthly_income,
        sampled.loan_amount,
        -- per status, all loans
        by_status.status_median_income,
        by_status.status_median_amount
    from sampled
    inner join by_status on sampled.recovery_status = by_status.recovery_status
)

select * from final
