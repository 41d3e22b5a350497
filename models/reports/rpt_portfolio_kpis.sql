-- The report's KPI row: NPA ratio, default rate, recovery rate and expected loss of the whole book.

with

portfolio_summary as (
    select * from {{ ref('portfolio_summary') }}
),

final as (
    select
        -- key: one row, the whole book
        dimension,
        -- counts and amounts
        loans,
        total_outstanding,
        expected_loss,
        -- rates
        npa_ratio,
        default_rate,
        recovery_rate
    from portfolio_summary
    where dimension = 'portfolio'
)

select * from final
