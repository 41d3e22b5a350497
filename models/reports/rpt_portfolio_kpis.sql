-- The first screen's KPIs of the whole book: NPA ratio, default rate, share repaid and expected loss, as of the var
-- `as_of_date`.

with

portfolio_summary as (
    select * from {{ ref('portfolio_summary') }}
),

final as (
    select
        -- key: one row, the whole book
        dimension,
        -- as of
        {{ date_var('as_of_date') }} as as_of_date,
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
