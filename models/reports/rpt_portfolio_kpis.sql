-- The first screen's KPIs of the whole book: NPA ratio, default rate, share repaid and expected loss, as of the var
-- `as_of_date`.

with

portfolio_summary as (
    select * from {{ ref('portfolio_summary') }}
),

-- where NPA starts, for the page to define it: the first days past due of the NPA bucket (seed dpd_classes)
npa_threshold as (
    select min(min_days_past_due) as npa_min_days_past_due
    from {{ ref('dpd_classes') }}
    where is_npa and scheme = 'delinquency_bucket'
),

final as (
    select
        -- key: one row, the whole book
        portfolio_summary.dimension,
        -- as of
        {{ date_var('as_of_date') }} as as_of_date,
        -- counts and amounts
        portfolio_summary.loans,
        portfolio_summary.total_outstanding,
        portfolio_summary.expected_loss,
        -- rates
        portfolio_summary.npa_ratio,
        portfolio_summary.default_rate,
        portfolio_summary.recovery_rate,
        -- definitions
        npa_threshold.npa_min_days_past_due
    from portfolio_summary
    cross join npa_threshold
    where portfolio_summary.dimension = 'portfolio'
)

select * from final
